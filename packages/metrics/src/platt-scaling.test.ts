import { describe, expect, it } from 'vitest';
import { fitPlattScaling, predictPlatt } from './platt-scaling.js';
import { recalibrationValues } from './testing/recalibration-values.js';

// A binary score: at 0, 1 right of 4; at 1, 3 right of 4. With two score values a logistic fit reproduces each
// value's mean target exactly, so the fit is known by hand.
const scores = [0, 0, 0, 0, 1, 1, 1, 1];
const labels = [1, 0, 0, 0, 1, 1, 1, 0];

describe('fitPlattScaling', () => {
  it('plain labels by hand: σ(b) = 1/4, σ(a + b) = 3/4 → b = −ln 3, a = 2 ln 3', () => {
    const fit = fitPlattScaling(scores, labels, { targets: 'labels' });
    expect(fit.intercept).toBeCloseTo(-Math.log(3), 10);
    expect(fit.slope).toBeCloseTo(2 * Math.log(3), 10);
  });

  it("Platt's targets by hand: N₊ = N₋ = 4 → right 5/6, wrong 1/6; mean targets 1/3 and 2/3 → b = −ln 2, a = 2 ln 2", () => {
    const fit = fitPlattScaling(scores, labels);
    expect(fit.targets).toBe('platt');
    expect(fit.intercept).toBeCloseTo(-Math.log(2), 10);
    expect(fit.slope).toBeCloseTo(2 * Math.log(2), 10);
    expect(predictPlatt(fit, 1)).toBeCloseTo(2 / 3, 10);
  });

  it.each(recalibrationValues.platt.map((reference) => [reference.name, reference] as const))('matches the references on %s scores', (_name, reference) => {
    const weights = reference.weights ?? undefined;
    const platt = fitPlattScaling(reference.scores, reference.labels, { weights });
    // scipy trust-exact to gtol 1e-13
    expect(platt.slope).toBeCloseTo(reference.plattTargets.slope, 9);
    expect(platt.intercept).toBeCloseTo(reference.plattTargets.intercept, 8);
    // scikit-learn's _sigmoid_calibration (L-BFGS): the same optimum to its tolerance
    expect(Math.abs(platt.slope - reference.sklearnSigmoidCalibration.slope)).toBeLessThan(1e-6 * Math.max(1, Math.abs(platt.slope)));
    expect(Math.abs(platt.intercept - reference.sklearnSigmoidCalibration.intercept)).toBeLessThan(1e-6);
    // scikit-learn LogisticRegression(C=inf, newton-cholesky)
    const plain = fitPlattScaling(reference.scores, reference.labels, { weights, targets: 'labels' });
    expect(plain.slope).toBeCloseTo(reference.plainLabels.slope, 8);
    expect(plain.intercept).toBeCloseTo(reference.plainLabels.intercept, 7);
  });

  it('refuses plain labels that the score separates, and fits them with Platt\'s targets', () => {
    expect(() => fitPlattScaling([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], { targets: 'labels' })).toThrow(/separates right from wrong/);
    expect(() => fitPlattScaling([0.1, 0.2, 0.5, 0.5, 0.9], [0, 0, 0, 1, 1], { targets: 'labels' })).toThrow(/separates/);
    const fit = fitPlattScaling([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    expect(Number.isFinite(fit.slope) && fit.slope > 0).toBe(true);
  });

  it('gives slope 0 and the logit of the mean target when every score is equal', () => {
    const fit = fitPlattScaling([0.4, 0.4, 0.4], [1, 1, 0]);
    // N₊ = 2, N₋ = 1: targets 3/4, 3/4, 1/3 → mean 11/18
    expect(fit.slope).toBe(0);
    expect(fit.intercept).toBeCloseTo(Math.log(11 / 7), 12);
  });

  it('counts a weight as that many copies', () => {
    const weighted = fitPlattScaling([0.1, 0.5, 0.9], [0, 1, 1], { weights: [2, 1, 3] });
    const copied = fitPlattScaling([0.1, 0.1, 0.5, 0.9, 0.9, 0.9], [0, 0, 1, 1, 1, 1]);
    expect(weighted.slope).toBeCloseTo(copied.slope, 10);
    expect(weighted.intercept).toBeCloseTo(copied.intercept, 10);
  });
});
