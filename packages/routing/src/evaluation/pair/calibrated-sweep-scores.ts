import { ConfideError, InvalidConfigError, orientedScore, type CrossFittedCalibrators, type ScoreCalibrationSettings, type ScoreDirection } from '@confide/core';
import { CrossFitCalibration, fitScoreCalibrator, predictCalibrated, type CalibratorSettings, type ScoreCalibrator } from '@confide/metrics';

/**
 * A threshold router's calibrated score in an ablation: the raw score of every problem (±Infinity where it has none)
 * read on its keep-high scale and mapped to a calibrated probability that the small answer is right. The sweep's values
 * are cross-fitted (each problem scored by a calibrator fitted on the other folds only); a policy's calibrator is
 * fitted on a set of problems the caller picks (`fitSweepCalibrator`).
 */
export interface CalibratedSweepScores {
  /** Per problem, keep-high: its cross-fitted calibrated probability; -Infinity where the raw score is undefined. */
  values: Float64Array;
  /** The settings as fitted (temperature's `input` resolved). */
  settings: ScoreCalibrationSettings;
  /** The fold calibrators by problem id: what the router is handed to reproduce `values` through the engine. */
  crossFitted: CrossFittedCalibrators;
  /** How many problems had a score (the calibrators were fitted on them). */
  scored: number;
}

/** The indices of problems with a (finite) raw score. */
function scoredIndices(raw: ArrayLike<number>, among: ArrayLike<number> = Uint32Array.from({ length: raw.length }, (_, index) => index)): number[] {
  return Array.from(among).filter((index) => Number.isFinite(raw[index]!));
}

/**
 * The settings with temperature's `input` resolved: as declared, else `logit` — unless every score is in [0, 1]: a
 * probability read as a logit would be miscalibrated without a word, so that is a config error naming the entry.
 */
function resolvedSettings(settings: ScoreCalibrationSettings, oriented: ArrayLike<number>, entry: string): ScoreCalibrationSettings {
  if (settings.method !== 'temperature' || settings.input !== undefined) return settings;
  let probability = oriented.length > 0;
  for (let index = 0; index < oriented.length && probability; index++) probability = oriented[index]! >= 0 && oriented[index]! <= 1;
  if (probability) {
    throw new InvalidConfigError(
      `router entry "${entry}": temperature scaling reads a logit, and every score is in [0, 1], as a probability's: declare calibration.input "probability" (its logit is taken) or "logit"`,
    );
  }
  return { ...settings, input: 'logit' };
}

/** What metrics' fits take of the settings. */
function calibratorSettings(settings: ScoreCalibrationSettings): CalibratorSettings {
  return {
    ...(settings.interpolation === undefined ? {} : { interpolation: settings.interpolation }),
    ...(settings.targets === undefined ? {} : { targets: settings.targets }),
    ...(settings.input === undefined ? {} : { input: settings.input }),
  };
}

/** A fit's bad input (a score out of a probability's range) as a config error naming the entry. */
function fitting<T>(entry: string, fit: () => T): T {
  try {
    return fit();
  } catch (error) {
    if (ConfideError.isInstance(error) && error.code === 'INVALID_INPUT') throw new InvalidConfigError(`router entry "${entry}": calibration cannot be fitted: ${error.message}`);
    throw error;
  }
}

/**
 * Every problem's calibrated score, cross-fitted on the scored problems: k folds by problem id (`settings.folds`,
 * `settings.seed`: the assignment is a seeded shuffle of the sorted ids, so the input order does not matter), each
 * problem scored by the calibrator fitted on the other folds. Deterministic by seed.
 */
export function crossFittedSweepScores(
  problemIds: readonly string[],
  raw: ArrayLike<number>,
  direction: ScoreDirection,
  correct: Uint8Array,
  settings: ScoreCalibrationSettings,
  entry: string,
): CalibratedSweepScores {
  const scored = scoredIndices(raw);
  if (scored.length < settings.folds) {
    throw new InvalidConfigError(`router entry "${entry}": ${scored.length} problems have the score, too few for ${settings.folds}-fold cross-fitted calibration`);
  }
  const oriented = Float64Array.from(scored, (index) => orientedScore(raw[index]!, direction));
  const resolved = resolvedSettings(settings, oriented, entry);
  const ids = scored.map((index) => problemIds[index]!);
  const crossFit = new CrossFitCalibration(ids, oriented, Uint8Array.from(scored, (index) => correct[index]!), {
    method: resolved.method,
    folds: resolved.folds,
    seed: resolved.seed,
    ...calibratorSettings(resolved),
  });
  const fitted = fitting(entry, () => crossFit.fit());
  const values = new Float64Array(raw.length).fill(Number.NEGATIVE_INFINITY);
  scored.forEach((index, position) => (values[index] = fitted.probabilities[position]!));
  return {
    values,
    settings: resolved,
    crossFitted: { assignment: Object.fromEntries(ids.map((id, position) => [id, crossFit.foldOf[position]!])), calibrators: fitted.calibrators },
    scored: scored.length,
  };
}

/** One calibrator fitted on the scored problems among `indices` (a policy's, on problems its threshold is not chosen on). */
export function fitSweepCalibrator(
  raw: ArrayLike<number>,
  direction: ScoreDirection,
  correct: Uint8Array,
  indices: ArrayLike<number>,
  settings: ScoreCalibrationSettings,
  entry: string,
): { calibrator: ScoreCalibrator; settings: ScoreCalibrationSettings; fittedOn: number[] } {
  const fittedOn = scoredIndices(raw, indices);
  if (fittedOn.length === 0) throw new InvalidConfigError(`router entry "${entry}": no problem of the calibrator's split has the score: nothing to fit a calibrator on`);
  const oriented = Float64Array.from(fittedOn, (index) => orientedScore(raw[index]!, direction));
  const resolved = resolvedSettings(settings, oriented, entry);
  const calibrator = fitting(entry, () =>
    fitScoreCalibrator(resolved.method, oriented, Uint8Array.from(fittedOn, (index) => correct[index]!), calibratorSettings(resolved)),
  );
  return { calibrator, settings: resolved, fittedOn };
}

/** Every problem's score through one calibrator (keep-high), -Infinity where the raw score is undefined: what the router computes. */
export function scoresThroughCalibrator(raw: ArrayLike<number>, direction: ScoreDirection, calibrator: ScoreCalibrator): Float64Array {
  return Float64Array.from({ length: raw.length }, (_, index) =>
    Number.isFinite(raw[index]!) ? predictCalibrated(calibrator, orientedScore(raw[index]!, direction)) : Number.NEGATIVE_INFINITY,
  );
}
