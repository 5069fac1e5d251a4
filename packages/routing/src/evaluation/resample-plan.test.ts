import { createRandom } from '@confide/core';
import { bootstrapCountStream } from '@confide/metrics';
import { describe, expect, it } from 'vitest';
import { ResamplePlan, weightedSum } from './resample-plan.js';

describe('ResamplePlan', () => {
  it('gives a weighted statistic, summed over the drawn problems only, the sum over every problem bit for bit (a non-finite value: over every problem)', async () => {
    const n = 300;
    const settings = { resamples: 200, seed: 4, confidence: 0.95 };
    const random = createRandom(2);
    // graded values of both signs with exact zeros (0 · negative is −0), costs in 1e-8 $, and a column with an infinity
    const graded = Float64Array.from({ length: n }, () => (random() < 0.2 ? 0 : random() - 0.6));
    const costs = Float64Array.from({ length: n }, () => Math.round(random() * 1e6));
    const infinite = Float64Array.from(graded, (value, index) => (index === 7 ? Number.POSITIVE_INFINITY : value));
    const plan = new ResamplePlan(n, settings);
    const columns = [graded, costs, infinite];
    const samples = columns.map((values) => plan.weighted(values, (sum) => sum / n));
    const seen: Uint32Array[] = [];
    plan.each((counts) => seen.push(counts.slice()));
    await plan.run();
    let resample = 0;
    for (const counts of bootstrapCountStream(n, settings.resamples, settings.seed)) {
      expect(seen[resample]).toEqual(counts);
      columns.forEach((values, column) => expect(Object.is(samples[column]![resample], weightedSum(values, counts) / n)).toBe(true));
      resample++;
    }
    expect(resample).toBe(settings.resamples);
    // the infinite column is NaN where problem 7 was not drawn (0 · ∞), as the sum over every problem says
    expect(samples[2]!.some((value) => Number.isNaN(value))).toBe(true);
  });
});
