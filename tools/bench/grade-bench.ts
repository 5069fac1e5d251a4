/**
 * Benchmark: regrade the 5,000 recorded (gold, extracted answer) pairs of the 10 bundled MATH-500 runs with the
 * core/math grader in its default mode (the answer found on both sides), in one process; then the 5,000 (gold, full
 * response) pairs. Run: node --conditions=@confide/source --import tsx tools/bench/grade-bench.ts
 * (pin to one core with `taskset -c 0 …`). Prints total wall time (cold: includes starting the worker thread; warm:
 * a second pass), median and p99 per pair; the goal is under 1 s in total and p99 under 20 ms.
 */
import { bundledRunIds, loadBundledRun } from '@confide/data';
import { createMathGrader, gradePairs, type AnswerPair, type TimedVerdict } from '@confide/evaluator-math';

const pairs: (AnswerPair & { recorded: boolean })[] = [];
const responsePairs: AnswerPair[] = [];
for (const runId of bundledRunIds()) {
  for (const record of loadBundledRun(runId).records) {
    pairs.push({ gold: record.gold ?? '', pred: record.generation.answer, recorded: record.grade.correct });
    responsePairs.push({ gold: record.gold ?? '', pred: record.generation.text });
  }
}
const GOAL_TOTAL_MS = 1000;
const GOAL_P99_MS = 20;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function describe(label: string, verdicts: TimedVerdict[], wallMs: number): void {
  const times = verdicts.map((verdict) => verdict.ms).sort((a, b) => a - b);
  const worker = verdicts.filter((verdict) => verdict.path === 'worker');
  const workerTimes = worker.map((verdict) => verdict.ms).sort((a, b) => a - b);
  console.log(
    `${label}: ${verdicts.length} pairs in ${wallMs.toFixed(0)} ms; per pair median ${quantile(times, 0.5).toFixed(3)} ms, ` +
      `p99 ${quantile(times, 0.99).toFixed(2)} ms, max ${times.at(-1)!.toFixed(1)} ms; ` +
      `${verdicts.length - worker.length} decided in-thread, ${worker.length} in the worker` +
      (worker.length > 0 ? ` (median ${quantile(workerTimes, 0.5).toFixed(2)} ms, p99 ${quantile(workerTimes, 0.99).toFixed(1)} ms)` : ''),
  );
}

const coldStart = performance.now();
const grader = createMathGrader();
grader.warmUp();
const cold = await gradePairs(pairs, grader);
const coldMs = performance.now() - coldStart;

const warmStart = performance.now();
const warm = await gradePairs(pairs, grader);
const warmMs = performance.now() - warmStart;

const responsesStart = performance.now();
const responses = await gradePairs(responsePairs, grader);
const responsesMs = performance.now() - responsesStart;
await grader.close();

describe('cold (worker start included)', cold, coldMs);
describe('warm', warm, warmMs);
describe('full responses (warm)', responses, responsesMs);
const correct = warm.filter((verdict) => verdict.equivalent).length;
const recorded = pairs.filter((pair) => pair.recorded).length;
const flips = warm.filter((verdict, index) => verdict.equivalent !== pairs[index]!.recorded).length;
const timeouts = warm.filter((verdict) => verdict.reason === 'timeout').length + cold.filter((verdict) => verdict.reason === 'timeout').length;
console.log(`verdicts: ${correct} equivalent (recorded grader: ${recorded}); ${flips} differ from the recorded grades; ${timeouts} timeouts`);
const p99 = (verdicts: TimedVerdict[]) => quantile(verdicts.map((verdict) => verdict.ms).sort((a, b) => a - b), 0.99);
const met = (ok: boolean) => (ok ? 'met' : 'missed');
console.log(
  `goal total < ${GOAL_TOTAL_MS} ms: ${met(coldMs < GOAL_TOTAL_MS)} (cold), ${met(warmMs < GOAL_TOTAL_MS)} (warm), ${met(responsesMs < GOAL_TOTAL_MS)} (full responses); ` +
    `goal p99 < ${GOAL_P99_MS} ms: ${met(p99(cold) < GOAL_P99_MS)} (cold), ${met(p99(warm) < GOAL_P99_MS)} (warm), ${met(p99(responses) < GOAL_P99_MS)} (full responses)`,
);
