import { InvalidInputError, SeededDraws } from '@confide/core';
import { createRandom } from './seeded-random.js';

function checkPositiveInteger(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidInputError({ field, problem: `must be a positive integer, got ${value}` });
  }
}

/**
 * The resamples of a seeded paired bootstrap, drawn once so many statistics can share them: `resamples` samples of n
 * problem indices drawn uniformly with replacement, flat — resample r is `indices.subarray(r * n, (r + 1) * n)`.
 *
 * The stream is fixed: draw j of the generator `createRandom(seed)` gives entry j, as ⌊u · n⌋. `bootstrapCounts` and
 * `pairedBootstrap` read the same stream, so with the same (n, resamples, seed) all three describe the same resamples.
 */
export function bootstrapIndices(n: number, resamples: number, seed: number): Uint32Array {
  checkPositiveInteger(n, 'n');
  checkPositiveInteger(resamples, 'resamples');
  const random = createRandom(seed);
  const indices = new Uint32Array(n * resamples);
  for (let entry = 0; entry < indices.length; entry++) indices[entry] = Math.floor(random() * n);
  return indices;
}

/**
 * The same resamples as `bootstrapIndices(n, resamples, seed)`, as multiplicities, one resample at a time:
 * `counts[i]` is how many times problem i was drawn in the current resample (the counts sum to n). The buffer is
 * reused for the next resample, so memory is O(n) whatever the number of resamples: read each before the next.
 * This is the one resampling scheme of every interval (ablations, `compare`, the viewer); sorting problems once
 * (e.g. by score) then gives every threshold's statistic per resample by a prefix sum of count-weighted values.
 */
export function* bootstrapCountStream(n: number, resamples: number, seed: number): Generator<Uint32Array, void, void> {
  checkPositiveInteger(n, 'n');
  checkPositiveInteger(resamples, 'resamples');
  const draws = new SeededDraws(seed);
  const counts = new Uint32Array(n);
  for (let resample = 0; resample < resamples; resample++) {
    counts.fill(0);
    draws.countDraws(counts, n, n);
    yield counts;
  }
}

/**
 * Every resample of `bootstrapCountStream` at once, flat: `counts[r * n + i]` (n × resamples × 4 bytes; for small data
 * and tests — the engine consumes the stream).
 */
export function bootstrapCounts(n: number, resamples: number, seed: number): Uint32Array {
  const all = new Uint32Array(n * resamples);
  let resample = 0;
  for (const counts of bootstrapCountStream(n, resamples, seed)) all.set(counts, resample++ * n);
  return all;
}

/**
 * The percentile interval of bootstrap samples: the (1 − confidence)/2 and (1 + confidence)/2 quantiles, each by
 * linear interpolation between order statistics (numpy's default, "type 7": position (m − 1)·q in the m sorted
 * samples). NaN samples (a statistic undefined on some resample) are left out; with none left both ends are NaN.
 */
export function percentileInterval(samples: ArrayLike<number>, confidence = 0.95): { lower: number; upper: number } {
  if (!(confidence > 0 && confidence < 1)) {
    throw new InvalidInputError({ field: 'confidence', problem: `must be in (0, 1), got ${confidence}` });
  }
  const sorted = Float64Array.from(samples).sort();
  let valid = sorted.length;
  while (valid > 0 && Number.isNaN(sorted[valid - 1]!)) valid--;
  const quantile = (q: number): number => {
    if (valid === 0) return Number.NaN;
    const position = (valid - 1) * q;
    const below = Math.floor(position);
    const above = Math.min(below + 1, valid - 1);
    return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
  };
  const tail = (1 - confidence) / 2;
  return { lower: quantile(tail), upper: quantile(1 - tail) };
}

export interface BootstrapInterval {
  /** The statistic on the original sample (indices 0..n−1). */
  estimate: number;
  lower: number;
  upper: number;
  confidence: number;
  resamples: number;
  seed: number;
  /** The statistic on each resample, in resample order. */
  samples: Float64Array;
}

/**
 * A seeded paired bootstrap with a percentile interval. "Paired": each resample draws problem indices, and the
 * statistic evaluates everything it compares (two routers, a router and a baseline) on the same drawn problems, so
 * the interval of a difference accounts for their correlation.
 *
 * `statistic` receives the n drawn indices of one resample (a view into a shared buffer: read it, don't keep it) and
 * returns a number, e.g. accuracy of router A minus accuracy of router B on those problems. Defaults: 1,000 resamples,
 * seed 0, 95% confidence. Resamples are those of `bootstrapIndices(n, resamples, seed)`.
 */
export function pairedBootstrap(options: {
  n: number;
  statistic: (indices: Uint32Array) => number;
  resamples?: number;
  seed?: number;
  confidence?: number;
}): BootstrapInterval {
  const { n, statistic } = options;
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 0;
  const confidence = options.confidence ?? 0.95;
  const indices = bootstrapIndices(n, resamples, seed);
  const identity = new Uint32Array(n);
  for (let index = 0; index < n; index++) identity[index] = index;
  const samples = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample++) {
    samples[resample] = statistic(indices.subarray(resample * n, (resample + 1) * n));
  }
  const { lower, upper } = percentileInterval(samples, confidence);
  return { estimate: statistic(identity), lower, upper, confidence, resamples, seed, samples };
}
