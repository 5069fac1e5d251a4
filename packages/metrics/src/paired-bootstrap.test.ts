import { describe, expect, it } from 'vitest';
import { bootstrapCounts, bootstrapCountStream, bootstrapIndices, pairedBootstrap, percentileInterval } from './paired-bootstrap.js';
import { createRandom } from './seeded-random.js';
import { referenceValues } from './testing/reference-values.js';

describe('bootstrapIndices and bootstrapCounts', () => {
  it('draws entry j as floor(u_j · n) from createRandom(seed)', () => {
    const random = createRandom(3);
    const indices = bootstrapIndices(5, 4, 3);
    expect(indices).toHaveLength(20);
    for (const index of indices) expect(index).toBe(Math.floor(random() * 5));
  });

  it('matches the reference resample (Python re-implementation of the stream)', () => {
    const { values, resamples, seed, firstResample } = referenceValues.bootstrap;
    expect(Array.from(bootstrapIndices(values.length, resamples, seed).subarray(0, values.length))).toEqual(
      firstResample,
    );
  });

  it('counts describe the same resamples as the indices', () => {
    const n = 7;
    const indices = bootstrapIndices(n, 50, 11);
    const counts = bootstrapCounts(n, 50, 11);
    for (let resample = 0; resample < 50; resample++) {
      const expected = new Array<number>(n).fill(0);
      for (const index of indices.subarray(resample * n, (resample + 1) * n)) expected[index]!++;
      expect(Array.from(counts.subarray(resample * n, (resample + 1) * n))).toEqual(expected);
    }
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => bootstrapIndices(0, 10, 0)).toThrow(/n/);
    expect(() => bootstrapIndices(10, 1.5, 0)).toThrow(/resamples/);
    expect(() => bootstrapCountStream(10, 0, 0).next()).toThrow(/resamples/);
  });

  it('streams the same resamples one at a time in one reused buffer, past 65,535 problems', () => {
    const n = 100_001;
    const random = createRandom(5);
    let resamples = 0;
    let buffer: Uint32Array | undefined;
    for (const counts of bootstrapCountStream(n, 2, 5)) {
      const expected = new Uint32Array(n);
      for (let draw = 0; draw < n; draw++) expected[Math.floor(random() * n)]!++;
      expect(counts).toEqual(expected);
      buffer ??= counts;
      expect(counts).toBe(buffer);
      resamples++;
    }
    expect(resamples).toBe(2);
  });
});

describe('percentileInterval', () => {
  it('interpolates linearly between order statistics, by hand', () => {
    // 11 samples 0..10: the 2.5% quantile sits at position 10·0.025 = 0.25 → 0.25; 97.5% at 9.75 → 9.75.
    const samples = Float64Array.from([5, 3, 9, 0, 1, 10, 2, 8, 4, 7, 6]);
    const ninetyFive = percentileInterval(samples, 0.95);
    expect(ninetyFive.lower).toBeCloseTo(0.25, 12);
    expect(ninetyFive.upper).toBeCloseTo(9.75, 12);
    // 80%: positions 1 and 9.
    const eighty = percentileInterval(samples, 0.8);
    expect(eighty.lower).toBeCloseTo(1, 12);
    expect(eighty.upper).toBeCloseTo(9, 12);
  });

  it('leaves NaN samples out and does not reorder the input', () => {
    const samples = Float64Array.from([Number.NaN, 2, 0, Number.NaN, 1]);
    const half = percentileInterval(samples, 0.5);
    expect(half.lower).toBeCloseTo(0.5, 12);
    expect(half.upper).toBeCloseTo(1.5, 12);
    expect(Number.isNaN(samples[0]!)).toBe(true);
    expect(percentileInterval([Number.NaN], 0.9).lower).toBeNaN();
  });

  it('rejects a confidence outside (0, 1)', () => {
    expect(() => percentileInterval([1, 2], 1)).toThrow(/confidence/);
  });
});

describe('pairedBootstrap', () => {
  const mean = (values: readonly number[]) => (indices: Uint32Array) => {
    let sum = 0;
    for (const index of indices) sum += values[index]!;
    return sum / indices.length;
  };

  // Reference: numpy.percentile over the means of the same resamples (fixtures/make-reference-fixtures.py).
  it('matches numpy on the mean of 30 values', () => {
    const { values, resamples, seed, estimate, lower95, upper95, lower90, upper90 } = referenceValues.bootstrap;
    const result = pairedBootstrap({ n: values.length, statistic: mean(values), resamples, seed });
    expect(result.estimate).toBeCloseTo(estimate, 14);
    expect(result.lower).toBeCloseTo(lower95, 14);
    expect(result.upper).toBeCloseTo(upper95, 14);
    expect(result.samples).toHaveLength(resamples);
    const ninety = pairedBootstrap({ n: values.length, statistic: mean(values), resamples, seed, confidence: 0.9 });
    expect(ninety.lower).toBeCloseTo(lower90, 14);
    expect(ninety.upper).toBeCloseTo(upper90, 14);
  });

  it('pairs: a difference of two routers on the same draws has a narrower interval than unpaired draws', () => {
    // Router B is right exactly where A is, plus 5 more problems of 100: the paired difference is always ≥ 0.
    const a = Array.from({ length: 100 }, (_, index) => (index < 60 ? 1 : 0));
    const b = Array.from({ length: 100 }, (_, index) => (index < 65 ? 1 : 0));
    const difference = (indices: Uint32Array) => mean(b)(indices) - mean(a)(indices);
    const result = pairedBootstrap({ n: 100, statistic: difference, seed: 1 });
    expect(result.estimate).toBeCloseTo(0.05, 14);
    expect(result.lower).toBeGreaterThan(0);
    expect(result.upper).toBeLessThan(0.1);
    expect(result).toMatchObject({ confidence: 0.95, resamples: 1000, seed: 1 });
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const values = Array.from({ length: 40 }, (_, index) => (index * 7) % 11);
    const first = pairedBootstrap({ n: 40, statistic: mean(values), resamples: 100, seed: 4 });
    const again = pairedBootstrap({ n: 40, statistic: mean(values), resamples: 100, seed: 4 });
    const other = pairedBootstrap({ n: 40, statistic: mean(values), resamples: 100, seed: 5 });
    expect(again.samples).toEqual(first.samples);
    expect(other.samples).not.toEqual(first.samples);
  });

  it('covers the true mean about 95% of the time (400 simulated data sets)', () => {
    // Bernoulli(0.7) samples of 60; a percentile interval should cover 0.7 in roughly 90–98% of data sets.
    const random = createRandom(77);
    let covered = 0;
    for (let trial = 0; trial < 400; trial++) {
      const values = Array.from({ length: 60 }, () => (random() < 0.7 ? 1 : 0));
      const { lower, upper } = pairedBootstrap({ n: 60, statistic: mean(values), resamples: 300, seed: trial });
      if (lower <= 0.7 && 0.7 <= upper) covered++;
    }
    expect(covered / 400).toBeGreaterThan(0.9);
    expect(covered / 400).toBeLessThan(0.98);
  });
});
