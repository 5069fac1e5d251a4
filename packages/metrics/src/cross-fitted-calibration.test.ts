import { assignFolds } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { CrossFitCalibration, crossFitCalibration } from './cross-fitted-calibration.js';
import { fitScoreCalibrator, predictCalibrated } from './score-calibrator.js';
import { recalibrationValues } from './testing/recalibration-values.js';

const reference = recalibrationValues.crossFit;

describe('crossFitCalibration', () => {
  it("matches scikit-learn isotonic fits on the other folds (folds re-implemented from assignFolds' description)", () => {
    const result = crossFitCalibration(reference.ids, reference.scores, reference.labels, { method: 'isotonic', folds: reference.folds, seed: reference.seed });
    const folds = assignFolds(reference.ids, reference.folds, reference.seed);
    expect(reference.ids.map((id) => folds.get(id))).toEqual(reference.foldOf);
    result.probabilities.forEach((value, index) => expect(value).toBeCloseTo(reference.calibrated[index]!, 12));
  });

  it('never scores a problem with a calibrator that saw it: changing one verdict changes only the other folds', () => {
    const labels = [...reference.labels];
    const before = crossFitCalibration(reference.ids, reference.scores, labels, { method: 'platt' });
    labels[7] = 1 - labels[7]!;
    const after = crossFitCalibration(reference.ids, reference.scores, labels, { method: 'platt' });
    const fold = new CrossFitCalibration(reference.ids, reference.scores, labels, { method: 'platt' }).foldOf[7];
    expect(after.probabilities[7]).toBe(before.probabilities[7]);
    reference.ids.forEach((_id, index) => {
      const sameFold = new CrossFitCalibration(reference.ids, reference.scores, labels, { method: 'platt' }).foldOf[index] === fold;
      if (sameFold) expect(after.probabilities[index]).toBe(before.probabilities[index]);
      else expect(after.probabilities[index]).not.toBe(before.probabilities[index]);
    });
  });

  it('does not depend on the order the problems are given in', () => {
    const order = reference.ids.map((_id, index) => index).reverse();
    const forward = crossFitCalibration(reference.ids, reference.scores, reference.labels, { method: 'isotonic', seed: 4 });
    const backward = crossFitCalibration(
      order.map((index) => reference.ids[index]!),
      order.map((index) => reference.scores[index]!),
      order.map((index) => reference.labels[index]!),
      { method: 'isotonic', seed: 4 },
    );
    order.forEach((index, position) => expect(backward.probabilities[position]).toBe(forward.probabilities[index]));
  });

  it('fits each fold on the other folds: fold f predicts with a calibrator fitted on their problems alone', () => {
    const setup = new CrossFitCalibration(reference.ids, reference.scores, reference.labels, { method: 'platt', folds: 3, seed: 1 });
    const result = setup.fit();
    for (let fold = 0; fold < 3; fold++) {
      const others = reference.ids.map((_id, index) => index).filter((index) => setup.foldOf[index] !== fold);
      const direct = fitScoreCalibrator(
        'platt',
        others.map((index) => reference.scores[index]!),
        Uint8Array.from(others, (index) => reference.labels[index]!),
      );
      reference.ids.forEach((_id, index) => {
        if (setup.foldOf[index] === fold) expect(result.probabilities[index]).toBeCloseTo(predictCalibrated(direct, reference.scores[index]!), 12);
      });
    }
  });

  it('refuses fewer than two folds, more folds than problems, and repeated ids', () => {
    expect(() => crossFitCalibration(['a', 'b'], [0.1, 0.2], [0, 1], { method: 'isotonic', folds: 1 })).toThrow(/folds/);
    expect(() => crossFitCalibration(['a', 'b'], [0.1, 0.2], [0, 1], { method: 'isotonic', folds: 3 })).toThrow(/3 folds need at least 3 problems/);
    expect(() => crossFitCalibration(['a', 'a'], [0.1, 0.2], [0, 1], { method: 'isotonic', folds: 2 })).toThrow(/unique/);
  });
});
