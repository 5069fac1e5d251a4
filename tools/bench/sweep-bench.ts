/**
 * Benchmark: a threshold sweep of 1,001 thresholds × 500 problems with 1,000 bootstrap resamples (accuracy, cost,
 * delegation rate at every threshold, and AIQ, per resample), on the bundled fine-tuned SLM and Gemini 2.5 Flash runs.
 * Run: node --conditions=@confide/source --import tsx tools/bench/sweep-bench.ts
 * Prints wall times; the goal is under 1 s for the whole sweep with its resamples.
 */
import { routingScore, SEED_PRICES_2025_11 } from '@confide/core';
import { loadBundledRun, loadDataset } from '@confide/data';
import { aiq, bootstrapCounts } from '@confide/metrics';
import { outcomeTable, ThresholdSweep } from '@confide/routing';

const problems = loadDataset('math500');
const small = loadBundledRun('qwen-1.5b-lora-confidence').records;
const large = loadBundledRun('gemini-flash').records;
const table = outcomeTable(problems, { label: 'small', records: small }, { label: 'large', records: large }, SEED_PRICES_2025_11);
const byId = new Map(small.map((record) => [record.problemId, record]));
const scores = Float64Array.from(problems, (problem) => routingScore(byId.get(problem.id)!, 'generation.usage.output')!);
const low = Math.min(...scores);
const high = Math.max(...scores);
const thresholds = Array.from({ length: 1001 }, (_, index) => low + ((high - low + 1) * index) / 1000);

function run(): { prepareMs: number; resampleMs: number; totalMs: number; checksum: number } {
  const start = performance.now();
  const sweep = new ThresholdSweep(table, scores, { direction: 'keep-low', thresholds });
  const counts = bootstrapCounts(problems.length, 1000, 0);
  const prepared = performance.now();
  let checksum = 0;
  for (let resample = 0; resample < 1000; resample++) {
    const points = sweep.pointsWithWeights(counts.subarray(resample * problems.length, (resample + 1) * problems.length));
    checksum += aiq(points.map((point) => ({ cost: point.costUsd, accuracy: point.accuracy })));
  }
  const end = performance.now();
  return { prepareMs: prepared - start, resampleMs: end - prepared, totalMs: end - start, checksum };
}

run(); // warm-up (JIT)
const runs = [run(), run(), run()];
const best = runs.reduce((left, right) => (left.totalMs < right.totalMs ? left : right));
console.log(`sweep: ${thresholds.length} thresholds x ${problems.length} problems x 1000 bootstrap resamples (with AIQ per resample)`);
console.log(`runs (ms): ${runs.map((entry) => entry.totalMs.toFixed(0)).join(', ')}; best ${best.totalMs.toFixed(0)} ms (prepare ${best.prepareMs.toFixed(0)} ms, resamples ${best.resampleMs.toFixed(0)} ms)`);
console.log(`goal < 1000 ms: ${best.totalMs < 1000 ? 'met' : 'missed'}; mean AIQ over resamples ${(best.checksum / 1000).toFixed(4)}`);
