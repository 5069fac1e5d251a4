import { describe, expect, it } from 'vitest';
import { fitIsotonicRegression, poolAdjacentViolators, predictIsotonic } from './isotonic-regression.js';
import { recalibrationValues } from './testing/recalibration-values.js';

describe('poolAdjacentViolators', () => {
  it('pools violators by hand: 1 0 0 | 1 0 | 1 1 → 1/3 1/3 1/3 | 1/2 1/2 | 1 1', () => {
    // [1] [0]: 1 ≥ 0, pool → 1/2; [1/2] [0]: pool → 1/3; [1] > 1/3 stays; [1] [0]: pool → 1/2 > 1/3;
    // [1] > 1/2 stays; [1] [1]: equal, pooled → 1
    expect(Array.from(poolAdjacentViolators([1, 0, 0, 1, 0, 1, 1]))).toEqual([1 / 3, 1 / 3, 1 / 3, 0.5, 0.5, 1, 1]);
  });

  it('weights a pooled block by hand: (1·3 + 3·1) / 4 = 1.5', () => {
    expect(Array.from(poolAdjacentViolators([3, 1], [1, 3]))).toEqual([1.5, 1.5]);
  });

  it('leaves a non-decreasing sequence as it is, and a zero weight takes its neighbours\' value', () => {
    expect(Array.from(poolAdjacentViolators([0.1, 0.2, 0.2, 0.9]))).toEqual([0.1, 0.2, 0.2, 0.9]);
    // the 5 weighs nothing: the 1 and 0 pool to 1/2 and the 5 between them takes 1/2
    expect(Array.from(poolAdjacentViolators([1, 5, 0], [1, 0, 1]))).toEqual([0.5, 0.5, 0.5]);
  });
});

describe('fitIsotonicRegression', () => {
  // scores 1..7, verdicts 1 0 0 1 0 1 1: blocks {1,2,3} 1/3, {4,5} 1/2, {6,7} 1 (by hand, as above)
  const scores = [4, 1, 7, 2, 5, 3, 6];
  const targets = [1, 1, 1, 0, 0, 0, 1];

  it('fits blocks by hand, whatever the input order', () => {
    const fit = fitIsotonicRegression(scores, targets);
    expect(fit.blocks).toEqual([
      { lower: 1, upper: 3, value: 1 / 3, weight: 3 },
      { lower: 4, upper: 5, value: 0.5, weight: 2 },
      { lower: 6, upper: 7, value: 1, weight: 2 },
    ]);
  });

  it('reads between blocks by its convention: step holds the block below, linear joins the ends', () => {
    const step = fitIsotonicRegression(scores, targets);
    expect([0, 1, 3, 3.5, 4, 5.5, 6, 9].map((score) => predictIsotonic(step, score))).toEqual([1 / 3, 1 / 3, 1 / 3, 1 / 3, 0.5, 0.5, 1, 1]);
    const linear = fitIsotonicRegression(scores, targets, { interpolation: 'linear' });
    // 3.5 is halfway from (3, 1/3) to (4, 1/2); 5.5 halfway from (5, 1/2) to (6, 1)
    expect(predictIsotonic(linear, 3.5)).toBeCloseTo(5 / 12, 15);
    expect(predictIsotonic(linear, 5.5)).toBeCloseTo(0.75, 15);
    expect([0, 9].map((score) => predictIsotonic(linear, score))).toEqual([1 / 3, 1]);
  });

  it('treats tied scores as one point (their mean verdict), so their order does not matter', () => {
    // scores 1 1 2: (1, 1/2 of weight 2), (2, 0) → pooled 1/3
    const first = fitIsotonicRegression([1, 1, 2], [1, 0, 0]);
    const second = fitIsotonicRegression([1, 1, 2], [0, 1, 0]);
    expect(first).toEqual(second);
    expect(first.blocks).toEqual([{ lower: 1, upper: 2, value: 1 / 3, weight: 3 }]);
  });

  it('matches scikit-learn IsotonicRegression with ties and weights (fitted values, linear and step predictions)', () => {
    const reference = recalibrationValues.isotonic;
    const step = fitIsotonicRegression(reference.scores, reference.targets, { weights: reference.weights });
    const linear = { ...step, interpolation: 'linear' as const };
    // scikit-learn's predict at the training scores (linear; zero-weight scores fall between its points)
    reference.scores.forEach((score, index) => expect(predictIsotonic(linear, score)).toBeCloseTo(reference.fittedAtScores[index]!, 12));
    reference.queries.forEach((score, index) => {
      expect(predictIsotonic(linear, score)).toBeCloseTo(reference.linear[index]!, 12);
      expect(predictIsotonic(step, score)).toBeCloseTo(reference.step[index]!, 12);
    });
    // every block starts at one of scikit-learn's thresholds, with its value
    for (const block of step.blocks) {
      const at = reference.thresholds.indexOf(block.lower);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(block.value).toBeCloseTo(reference.values[at]!, 12);
    }
  });

  it('refuses an order that is not ascending and weights of the wrong length', () => {
    expect(() => fitIsotonicRegression([1, 2], [0, 1], { order: [1, 0] })).toThrow(/not an ascending order/);
    expect(() => fitIsotonicRegression([1, 2], [0, 1], { weights: [1] })).toThrow(/weights/);
    expect(() => fitIsotonicRegression([1, Number.NaN], [0, 1])).toThrow(/scores\[1\]/);
  });

  it('has no blocks, and predicts NaN, with no weight', () => {
    const fit = fitIsotonicRegression([1, 2], [0, 1], { weights: [0, 0] });
    expect(fit.blocks).toEqual([]);
    expect(predictIsotonic(fit, 1)).toBeNaN();
  });
});
