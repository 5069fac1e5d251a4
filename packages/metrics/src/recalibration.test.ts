import { describe, expect, it } from 'vitest';
import { expectedCalibrationError } from './calibration.js';
import { bootstrapCounts } from './paired-bootstrap.js';
import { recalibrate, recalibrateByMethods } from './recalibration.js';
import { fitTemperatureScaling } from './temperature-scaling.js';
import { createRandom } from './seeded-random.js';
import { recalibrationValues } from './testing/recalibration-values.js';

const reference = recalibrationValues.crossFit;

describe('recalibrate', () => {
  const result = recalibrate(reference.ids, reference.scores, reference.labels, {
    method: 'isotonic',
    resamples: reference.resamples,
    bootstrapSeed: reference.bootstrapSeed,
  });

  it('states its defaults: 5 folds, seed 0, 15 bins, step interpolation', () => {
    expect(result.settings).toMatchObject({ method: 'isotonic', folds: 5, seed: 0, bins: 15, refit: true, interpolation: 'step', targets: null, input: null });
  });

  it('matches the reference before and after (ECE equal-width and equal-mass at 15 bins, Brier, AUROC)', () => {
    for (const figure of ['eceEqualWidth', 'eceEqualMass', 'brier', 'auroc'] as const) {
      expect(result.before[figure]!.estimate).toBeCloseTo(reference.before[figure], 12);
      expect(result.after[figure]!.estimate).toBeCloseTo(reference.after[figure], 12);
    }
  });

  it('matches the reference bootstrap: every fold refitted on each resample of bootstrapIndices, percentile intervals', () => {
    for (const side of ['before', 'after', 'change'] as const) {
      for (const figure of ['eceEqualWidth', 'eceEqualMass', 'brier', 'auroc'] as const) {
        const interval = result[side][figure]!;
        expect(interval.lower, `${side} ${figure} lower`).toBeCloseTo(reference.intervals[side][figure].lower, 10);
        expect(interval.upper, `${side} ${figure} upper`).toBeCloseTo(reference.intervals[side][figure].upper, 10);
      }
    }
  });

  it('holds the fitted probabilities fixed with refit: false: the same estimates, the problems alone resampled', () => {
    const fixed = recalibrate(reference.ids, reference.scores, reference.labels, { method: 'isotonic', resamples: 200, refit: false });
    expect(fixed.settings.refit).toBe(false);
    expect(fixed.after.brier!.estimate).toBe(result.after.brier!.estimate);
    // the Brier of fixed probabilities is a mean over problems: its resamples centre on the estimate
    expect(fixed.after.brier!.lower).toBeLessThan(fixed.after.brier!.estimate);
    expect(fixed.after.brier!.upper).toBeGreaterThan(fixed.after.brier!.estimate);
  });

  it('gives reliability bins of both binnings, before and after', () => {
    expect(result.after.reliability!.equalMass).toEqual(expectedCalibrationError(result.calibrated, reference.labels, { bins: 15, binning: 'equal-mass' }).bins);
    expect(result.before.reliability!.equalWidth.reduce((sum, bin) => sum + bin.count, 0)).toBe(reference.ids.length);
  });

  it('brings a miscalibrated score close to calibration on a large sample (P(right) = s², the score says s)', () => {
    const random = createRandom(11);
    const n = 3000;
    const ids = Array.from({ length: n }, (_value, index) => `q${index}`);
    const scores = Float64Array.from({ length: n }, () => random());
    const labels = Uint8Array.from(scores, (score) => (random() < score * score ? 1 : 0));
    for (const method of ['isotonic', 'platt'] as const) {
      const recalibrated = recalibrate(ids, scores, labels, { method, resamples: 50 });
      expect(recalibrated.before.eceEqualWidth!.estimate).toBeGreaterThan(0.1);
      expect(recalibrated.after.eceEqualWidth!.estimate, method).toBeLessThan(0.05);
      expect(recalibrated.change.eceEqualWidth!.upper, method).toBeLessThan(0);
    }
  }, 30_000);

  it('reads a score outside [0, 1] as a logit for temperature scaling, with no ECE or Brier before', () => {
    const random = createRandom(5);
    const n = 400;
    const ids = Array.from({ length: n }, (_value, index) => `q${index}`);
    const logits = Float64Array.from({ length: n }, () => 6 * (random() - 0.5));
    const labels = Uint8Array.from(logits, (z) => (random() < 1 / (1 + Math.exp(-z / 3)) ? 1 : 0));
    const recalibrated = recalibrate(ids, logits, labels, { method: 'temperature', resamples: 20 });
    expect(recalibrated.settings.input).toBe('logit');
    expect(recalibrated.before.eceEqualWidth).toBeNull();
    expect(recalibrated.before.brier).toBeNull();
    expect(recalibrated.change.brier).toBeNull();
    expect(recalibrated.calibratorOnAll).toEqual({ method: 'temperature', fit: fitTemperatureScaling(logits, labels, { input: 'logit' }) });
    expect(recalibrated.after.eceEqualWidth!.estimate).toBeLessThan(0.1);
  });

  it.each([true, false])('gives by several methods at once what a call per method gives (refit: %s), the resamples drawn here or handed in', (refit) => {
    const settings = { resamples: 40, bootstrapSeed: 3, refit };
    const methods = ['isotonic', 'platt', 'temperature'] as const;
    const separately = methods.map((method) => recalibrate(reference.ids, reference.scores, reference.labels, { ...settings, method }));
    expect(recalibrateByMethods(reference.ids, reference.scores, reference.labels, { ...settings, methods })).toEqual(separately);
    const resampleCounts = bootstrapCounts(reference.ids.length, 40, 3);
    expect(recalibrateByMethods(reference.ids, reference.scores, reference.labels, { ...settings, methods, resampleCounts })).toEqual(separately);
    expect(() => recalibrateByMethods(reference.ids, reference.scores, reference.labels, { ...settings, methods, resampleCounts: resampleCounts.subarray(1) })).toThrow(/resampleCounts/);
  });
});
