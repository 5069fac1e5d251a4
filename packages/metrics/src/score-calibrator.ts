import { CALIBRATION_METHODS, InvalidInputError, predictCalibrated, type CalibrationMethod, type ScoreCalibrator } from '@confide/core';
import { fitIsotonicRegression, type IsotonicInterpolation } from './isotonic-regression.js';
import { fitPlattScaling, type PlattTargets } from './platt-scaling.js';
import { fitTemperatureScaling, type TemperatureInput } from './temperature-scaling.js';

/**
 * The methods (`CALIBRATION_METHODS`), a fitted calibrator as data (`ScoreCalibrator`: what a summary or a routing
 * policy carries) and its reading (`predictCalibrated`) live in core, where a router applies a policy's calibrator;
 * re-exported here beside the fits.
 */
export { CALIBRATION_METHODS, predictCalibrated };
export type { CalibrationMethod, ScoreCalibrator };

/** Each method's settings; scores are on the keep-high scale (higher = more likely right) for every method. */
export interface CalibratorSettings {
  /** Isotonic: how a score between fitted blocks is read (default `step`). */
  interpolation?: IsotonicInterpolation;
  /** Platt: Platt's smoothed targets (default) or the plain verdicts. */
  targets?: PlattTargets;
  /** Temperature: the score is a logit (default) or a probability whose logit is taken. */
  input?: TemperatureInput;
}

/**
 * Fits `method` on scores and verdicts (weights default to 1; a zero weight takes no part). `order`, an ascending order
 * of all the scores, saves isotonic regression a sort when the same scores are fitted many times.
 */
export function fitScoreCalibrator(
  method: CalibrationMethod,
  scores: ArrayLike<number>,
  labels: Uint8Array,
  options: CalibratorSettings & { weights?: ArrayLike<number>; order?: ArrayLike<number> } = {},
): ScoreCalibrator {
  switch (method) {
    case 'isotonic':
      return { method, fit: fitIsotonicRegression(scores, labels, { weights: options.weights, order: options.order, interpolation: options.interpolation }) };
    case 'platt':
      return { method, fit: fitPlattScaling(scores, labels, { weights: options.weights, targets: options.targets }) };
    case 'temperature':
      return { method, fit: fitTemperatureScaling(scores, labels, { weights: options.weights, input: options.input }) };
    default:
      throw new InvalidInputError({ field: 'method', problem: `must be one of ${CALIBRATION_METHODS.join(', ')}, got ${String(method)}` });
  }
}
