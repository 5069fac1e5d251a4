import { describe, expect, it } from 'vitest';
import { predictCalibrated, ScoreCalibrationSettings, ScoreCalibrator } from './score-calibrator.js';

/** A calibrator through a JSON file and back (what a policy file does to it). */
const throughJson = (calibrator: ScoreCalibrator) => ScoreCalibrator.parse(JSON.parse(JSON.stringify(calibrator)));

describe('ScoreCalibrator as data', () => {
  it('reads an isotonic fit back from JSON and predicts the same step values', () => {
    const calibrator: ScoreCalibrator = {
      method: 'isotonic',
      fit: {
        blocks: [
          { lower: 0.1, upper: 0.3, value: 0.25, weight: 4 },
          { lower: 0.5, upper: 0.9, value: 0.8, weight: 5 },
        ],
        interpolation: 'step',
      },
    };
    const read = throughJson(calibrator);
    expect(read).toEqual(calibrator);
    // below the first block: its value; between blocks: the block below; inside: its value
    expect([0, 0.2, 0.4, 0.5, 1].map((score) => predictCalibrated(read, score))).toEqual([0.25, 0.25, 0.25, 0.8, 0.8]);
  });

  it('keeps a temperature of +Infinity (written as null) and of 0 through JSON', () => {
    const flat: ScoreCalibrator = { method: 'temperature', fit: { temperature: Number.POSITIVE_INFINITY, input: 'logit', optimum: 'no-signal' } };
    expect(JSON.stringify(flat)).toContain('"temperature":null');
    const read = throughJson(flat);
    expect(read).toEqual(flat);
    expect(predictCalibrated(read, 3)).toBe(0.5);
    const sharp: ScoreCalibrator = { method: 'temperature', fit: { temperature: 0, input: 'probability', optimum: 'separated' } };
    expect([0.2, 0.5, 0.7].map((score) => predictCalibrated(throughJson(sharp), score))).toEqual([0, 0.5, 1]);
  });

  it('predicts σ(slope · score + intercept) for Platt', () => {
    const platt: ScoreCalibrator = { method: 'platt', fit: { slope: 2, intercept: -1, targets: 'platt', iterations: 5 } };
    expect(predictCalibrated(throughJson(platt), 0.5)).toBe(0.5);
    expect(predictCalibrated(platt, 1)).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
  });

  it('refuses a negative temperature and a method it does not know, by key', () => {
    expect(() => ScoreCalibrator.parse({ method: 'temperature', fit: { temperature: -1, input: 'logit', optimum: 'interior' } })).toThrow(/temperature/);
    expect(ScoreCalibrator.safeParse({ method: 'beta', fit: {} }).success).toBe(false);
  });
});

describe('ScoreCalibrationSettings', () => {
  it('defaults to 5 folds and seed 0', () => {
    expect(ScoreCalibrationSettings.parse({ method: 'isotonic' })).toEqual({ method: 'isotonic', folds: 5, seed: 0 });
  });

  it("refuses a method's setting on another method", () => {
    const result = ScoreCalibrationSettings.safeParse({ method: 'platt', input: 'probability' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['input'], message: 'applies to method "temperature" only, not "platt"' });
  });
});
