/**
 * Benchmark: regrade the 5,000 recorded (gold, extracted answer) pairs of the 10 bundled MATH-500 runs with the
 * core/math grader in its default mode (the answer found on both sides), in one process; then the 5,000 (gold, full
 * response) pairs, warm in the same process and cold in a process of their own.
 * Run: node --conditions=@confide/source --import tsx tools/bench/grade-bench.ts (pin to one core with `taskset -c 0 …`).
 * Prints total wall time (cold: includes starting the worker thread; warm: a second pass), median and p99 per pair.
 * Goals: the extracted answers under 1 s cold, the full responses under 1.5 s cold, p99 under 20 ms.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundledRunIds, loadBundledRun } from '@confide/data';
import { createMathGrader, gradePairs, type AnswerPair, type TimedVerdict } from '@confide/evaluator-math';

/** Passed to the child process that grades the full responses cold. */
const COLD_RESPONSES_FLAG = '--cold-responses';

const pairs: (AnswerPair & { recorded: boolean })[] = [];
const responsePairs: AnswerPair[] = [];
for (const runId of bundledRunIds()) {
  for (const record of loadBundledRun(runId).records) {
    pairs.push({ gold: record.gold ?? '', pred: record.generation.answer, recorded: record.grade.correct });
    responsePairs.push({ gold: record.gold ?? '', pred: record.generation.text });
  }
}
const GOAL_ANSWERS_MS = 1000;
const GOAL_RESPONSES_MS = 1500;
const GOAL_P99_MS = 20;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** What a pass measured: wall time and the per-pair figures the summary line prints. */
interface PassFigures {
  pairs: number;
  wallMs: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  worker: number;
  workerMedianMs: number | null;
  workerP99Ms: number | null;
}

function figures(verdicts: TimedVerdict[], wallMs: number): PassFigures {
  const times = verdicts.map((verdict) => verdict.ms).sort((a, b) => a - b);
  const workerTimes = verdicts.filter((verdict) => verdict.path === 'worker').map((verdict) => verdict.ms).sort((a, b) => a - b);
  return {
    pairs: verdicts.length,
    wallMs,
    medianMs: quantile(times, 0.5),
    p99Ms: quantile(times, 0.99),
    maxMs: times.at(-1)!,
    worker: workerTimes.length,
    workerMedianMs: workerTimes.length > 0 ? quantile(workerTimes, 0.5) : null,
    workerP99Ms: workerTimes.length > 0 ? quantile(workerTimes, 0.99) : null,
  };
}

function describe(label: string, pass: PassFigures): void {
  console.log(
    `${label}: ${pass.pairs} pairs in ${pass.wallMs.toFixed(0)} ms; per pair median ${pass.medianMs.toFixed(3)} ms, ` +
      `p99 ${pass.p99Ms.toFixed(2)} ms, max ${pass.maxMs.toFixed(1)} ms; ` +
      `${pass.pairs - pass.worker} decided in-thread, ${pass.worker} in the worker` +
      (pass.workerMedianMs !== null ? ` (median ${pass.workerMedianMs.toFixed(2)} ms, p99 ${pass.workerP99Ms!.toFixed(1)} ms)` : ''),
  );
}

async function timedPass(input: readonly AnswerPair[], grader: ReturnType<typeof createMathGrader>): Promise<{ verdicts: TimedVerdict[]; pass: PassFigures }> {
  const started = performance.now();
  const verdicts = await gradePairs(input, grader);
  return { verdicts, pass: figures(verdicts, performance.now() - started) };
}

if (process.argv.includes(COLD_RESPONSES_FLAG)) {
  // the full responses in a fresh process: no parse cache, no compiled code, the worker started with the grader
  const started = performance.now();
  const grader = createMathGrader();
  grader.warmUp();
  const verdicts = await gradePairs(responsePairs, grader);
  const wallMs = performance.now() - started;
  await grader.close();
  process.stdout.write(`${JSON.stringify(figures(verdicts, wallMs))}\n`);
} else {
  const coldStart = performance.now();
  const grader = createMathGrader();
  grader.warmUp();
  const cold = await gradePairs(pairs, grader);
  const coldPass = figures(cold, performance.now() - coldStart);
  const warm = await timedPass(pairs, grader);
  const responses = await timedPass(responsePairs, grader);
  await grader.close();

  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), COLD_RESPONSES_FLAG], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`the cold full-response pass failed: ${child.stderr}`);
  const coldResponses = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as PassFigures;

  describe('cold (worker start included)', coldPass);
  describe('warm', warm.pass);
  describe('full responses (warm)', responses.pass);
  describe('full responses, cold (a process of their own, worker start included)', coldResponses);
  const correct = warm.verdicts.filter((verdict) => verdict.equivalent).length;
  const recorded = pairs.filter((pair) => pair.recorded).length;
  const flips = warm.verdicts.filter((verdict, index) => verdict.equivalent !== pairs[index]!.recorded).length;
  const timeouts = [...warm.verdicts, ...cold].filter((verdict) => verdict.reason === 'timeout').length;
  console.log(`verdicts: ${correct} equivalent (recorded grader: ${recorded}); ${flips} differ from the recorded grades; ${timeouts} timeouts`);
  const met = (ok: boolean) => (ok ? 'met' : 'missed');
  console.log(
    `goal extracted answers < ${GOAL_ANSWERS_MS} ms cold: ${met(coldPass.wallMs < GOAL_ANSWERS_MS)}; ` +
      `goal full responses < ${GOAL_RESPONSES_MS} ms cold: ${met(coldResponses.wallMs < GOAL_RESPONSES_MS)}; ` +
      `goal p99 < ${GOAL_P99_MS} ms: ${met(coldPass.p99Ms < GOAL_P99_MS)} (cold), ${met(warm.pass.p99Ms < GOAL_P99_MS)} (warm), ` +
      `${met(responses.pass.p99Ms < GOAL_P99_MS)} (full responses, warm), ${met(coldResponses.p99Ms < GOAL_P99_MS)} (full responses, cold)`,
  );
}
