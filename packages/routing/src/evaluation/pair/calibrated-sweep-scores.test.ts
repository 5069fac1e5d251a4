import { assignFolds, ScoreCalibrationSettings } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { crossFittedSweepScores, fitSweepCalibrator, scoresThroughCalibrator } from './calibrated-sweep-scores.js';

/**
 * Ten answers scored by output length (keep-low: calibrated on −length), isotonic, 2 folds, seed 0, and an eleventh
 * with no score. The folds (assignFolds over the scored ids): fold 0 = p0 p3 p5 p6 p7, fold 1 = p1 p2 p4 p8 p9.
 *
 *   problem   p0   p1   p2   p3   p4   p5   p6   p7   p8   p9
 *   length   100  200  300  400  500  600  700  800  900 1000
 *   right      1    1    0    1    1    0    1    0    0    0
 *
 * Fold 0 is scored by isotonic regression on fold 1: −1000:0 −900:0 −500:1 −300:0 −200:1 → PAV pools −500 and −300
 * (0.5) and the two zeros: blocks [−1000, −900] 0, [−500, −300] 0.5, [−200] 1. Read as steps: p0 (−100) 1, p3 (−400)
 * 0.5, p5 (−600) 0, p6 (−700) 0, p7 (−800) 0.
 * Fold 1 is scored by the fit on fold 0: −800:0 −700:1 −600:0 −400:1 −100:1 → blocks [−800] 0, [−700, −600] 0.5,
 * [−400, −100] 1. p1 (−200) 1, p2 (−300) 1, p4 (−500) 0.5, p8 (−900, below every block) 0, p9 (−1000) 0.
 */
const ids = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'unscored'];
const lengths = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, Number.POSITIVE_INFINITY];
const right = Uint8Array.from([1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1]);
const isotonic = ScoreCalibrationSettings.parse({ method: 'isotonic', folds: 2, seed: 0 });

describe('a calibrated sweep score, cross-fitted', () => {
  it('deals the scored problems into the folds the hand computation uses', () => {
    expect(Object.fromEntries(assignFolds(ids.slice(0, 10), 2, 0))).toEqual({ p0: 0, p1: 1, p2: 1, p3: 0, p4: 1, p5: 0, p6: 0, p7: 0, p8: 1, p9: 1 });
  });

  it('scores each problem by the isotonic fit on the other fold (by hand), and leaves the unscored one delegated at every threshold', () => {
    const calibrated = crossFittedSweepScores(ids, lengths, 'keep-low', right, isotonic, 'length-isotonic');
    expect(Array.from(calibrated.values)).toEqual([1, 1, 1, 0.5, 0.5, 0, 0, 0, 0, 0, Number.NEGATIVE_INFINITY]);
    expect(calibrated.scored).toBe(10);
    expect(calibrated.crossFitted.assignment).toEqual({ p0: 0, p1: 1, p2: 1, p3: 0, p4: 1, p5: 0, p6: 0, p7: 0, p8: 1, p9: 1 });
    // calibrators[0] scores fold 0: fitted on fold 1
    expect(calibrated.crossFitted.calibrators[0]).toEqual({
      method: 'isotonic',
      fit: {
        blocks: [
          { lower: -1000, upper: -900, value: 0, weight: 2 },
          { lower: -500, upper: -300, value: 0.5, weight: 2 },
          { lower: -200, upper: -200, value: 1, weight: 1 },
        ],
        interpolation: 'step',
      },
    });
  });

  it('never scores a problem with a calibrator that saw its verdict, and gives the same values for the same seed', () => {
    const before = crossFittedSweepScores(ids, lengths, 'keep-low', right, isotonic, 'length-isotonic');
    // p0 (fold 0) right → wrong: its own value stays; fold 1's values, fitted on fold 0, move
    const flipped = Uint8Array.from(right, (value, index) => (index === 0 ? 0 : value));
    const after = crossFittedSweepScores(ids, lengths, 'keep-low', flipped, isotonic, 'length-isotonic');
    expect(after.values[0]).toBe(before.values[0]);
    expect(Array.from(after.values)).not.toEqual(Array.from(before.values));
    expect(crossFittedSweepScores(ids, lengths, 'keep-low', right, isotonic, 'length-isotonic')).toEqual(before);
    // another seed deals other folds
    const reseeded = crossFittedSweepScores(ids, lengths, 'keep-low', right, { ...isotonic, seed: 1 }, 'length-isotonic');
    expect(reseeded.crossFitted.assignment).not.toEqual(before.crossFitted.assignment);
  });

  it('fits one calibrator on the scored problems it is given, and reads every score through it as the router does', () => {
    // fold 1's problems and the unscored one: the fit is fold 1's, on the five scored
    const fitted = fitSweepCalibrator(lengths, 'keep-low', right, [1, 2, 4, 8, 9, 10], isotonic, 'length-isotonic');
    expect(fitted.fittedOn).toEqual([1, 2, 4, 8, 9]);
    expect(fitted.calibrator).toEqual(crossFittedSweepScores(ids, lengths, 'keep-low', right, isotonic, 'length-isotonic').crossFitted.calibrators[0]);
    expect(Array.from(scoresThroughCalibrator(lengths, 'keep-low', fitted.calibrator))).toEqual([1, 1, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, Number.NEGATIVE_INFINITY]);
  });

  it('refuses temperature scaling of a score whose every value is in [0, 1] unless the input is declared, naming the entry', () => {
    const probabilities = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, Number.NEGATIVE_INFINITY];
    const temperature = ScoreCalibrationSettings.parse({ method: 'temperature', folds: 2 });
    expect(() => crossFittedSweepScores(ids, probabilities, 'keep-high', right, temperature, 'share')).toThrow(
      /router entry "share": temperature scaling reads a logit, and every score is in \[0, 1\].*declare calibration\.input "probability"/,
    );
    const declared = crossFittedSweepScores(ids, probabilities, 'keep-high', right, { ...temperature, input: 'probability' }, 'share');
    expect(declared.settings.input).toBe('probability');
    // a length is no probability: read as a logit (its negation), said in the settings
    expect(crossFittedSweepScores(ids, lengths, 'keep-low', right, temperature, 'length').settings.input).toBe('logit');
  });

  it('refuses fewer scored problems than folds', () => {
    expect(() => crossFittedSweepScores(ids, lengths, 'keep-low', right, { ...isotonic, folds: 11 }, 'length-isotonic')).toThrow(/10 problems have the score, too few for 11-fold/);
  });
});
