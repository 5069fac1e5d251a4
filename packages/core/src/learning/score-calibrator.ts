import { z } from 'zod';

/**
 * A fitted score calibrator as data — what a routing policy carries and a router applies — and the one reading of it
 * (`predictCalibrated`). The fits themselves (isotonic regression, Platt scaling, temperature scaling, cross-fitting)
 * live in @confide/metrics; a router plugin, which depends on core only, applies what they fitted.
 */

/** The ways a score is mapped to a calibrated probability of the answer being right. */
export const CALIBRATION_METHODS = ['isotonic', 'platt', 'temperature'] as const;
export const CalibrationMethod = z.enum(CALIBRATION_METHODS);
export type CalibrationMethod = z.infer<typeof CalibrationMethod>;

/**
 * How a fitted isotonic function is read at a score that no block holds:
 * - `step` (Confide's default): the value of the last block whose lowest score is at or below it — the step holds
 *   until the next block's lowest score; below the first block, the first block's value. Every prediction is one of the
 *   fitted values, so a calibrated score has as many distinct values as blocks.
 * - `linear` (scikit-learn's `IsotonicRegression.predict`): linear between one block's highest score and the next
 *   block's lowest; constant inside a block; clipped to the first and last values outside the fitted range.
 */
export const IsotonicInterpolation = z.enum(['step', 'linear']);
export type IsotonicInterpolation = z.infer<typeof IsotonicInterpolation>;

/** A run of scores that PAV pooled: every score in [lower, upper] gets `value`. */
export const IsotonicBlock = z.strictObject({
  /** The lowest and highest score in the block (equal for a block of one distinct score). */
  lower: z.number(),
  upper: z.number(),
  /** The weighted mean target of the block. */
  value: z.number(),
  /** The block's total weight. */
  weight: z.number().min(0),
});
export type IsotonicBlock = z.infer<typeof IsotonicBlock>;

export const IsotonicFit = z.strictObject({
  /** Strictly increasing in value (adjacent blocks of equal value are pooled) and in score. Empty with no weight. */
  blocks: z.array(IsotonicBlock),
  interpolation: IsotonicInterpolation,
});
export type IsotonicFit = z.infer<typeof IsotonicFit>;

/**
 * What a Platt fit regresses on:
 * - `platt` (default; Platt, 1999, §2.2, as scikit-learn's `CalibratedClassifierCV(method="sigmoid")`): a right answer
 *   counts as (N₊ + 1)/(N₊ + 2) and a wrong one as 1/(N₋ + 2), N₊ and N₋ the (weighted) numbers of right and wrong
 *   answers. The fit is finite even when the score separates right from wrong answers.
 * - `labels`: the plain 1/0 verdicts (unpenalised logistic regression); refused when the score separates them, as the
 *   maximum-likelihood slope is then infinite.
 */
export const PlattTargets = z.enum(['platt', 'labels']);
export type PlattTargets = z.infer<typeof PlattTargets>;

export const PlattFit = z.strictObject({
  slope: z.number(),
  intercept: z.number(),
  targets: PlattTargets,
  /** Newton iterations taken. */
  iterations: z.number().int().nonnegative(),
});
export type PlattFit = z.infer<typeof PlattFit>;

/**
 * How a score becomes the logit z of temperature scaling: `logit` takes the score as it is (a logit, a
 * log-probability margin, or any real score such as a negated length); `probability` takes log(p / (1 − p)) of a score
 * in [0, 1], with p clamped to [PROBABILITY_CLAMP, 1 − PROBABILITY_CLAMP] so that 0 and 1 stay finite (±20.7).
 */
export const TemperatureInput = z.enum(['logit', 'probability']);
export type TemperatureInput = z.infer<typeof TemperatureInput>;

export const PROBABILITY_CLAMP = 1e-9;

/** T ≥ 0, or +Infinity; JSON has no Infinity (JSON.stringify writes null), so a file's null reads as +Infinity. */
const Temperature = z.union([
  z.number().min(0),
  z.null().transform(() => Number.POSITIVE_INFINITY),
  z.custom<number>((value) => value === Number.POSITIVE_INFINITY, 'must be a number ≥ 0, or null for +Infinity'),
]);

export const TemperatureFit = z.strictObject({
  /**
   * T; +Infinity when the score does not rise with correctness (every prediction is then 1/2); 0 when the logit's sign
   * separates right from wrong answers (predictions 1 above 0, 0 below, 1/2 at 0).
   */
  temperature: Temperature,
  input: TemperatureInput,
  /**
   * `interior`: the log loss has its minimum at this T; `no-signal`: at T = ∞ (the score is uninformative or points
   * the wrong way); `separated`: it falls all the way to T = 0 (every right answer has a logit ≥ 0, every wrong one ≤ 0).
   */
  optimum: z.enum(['interior', 'no-signal', 'separated']),
});
export type TemperatureFit = z.infer<typeof TemperatureFit>;

/** A fitted calibrator, as data (what a summary or a routing policy carries) — `predictCalibrated` reads it. */
export const ScoreCalibrator = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('isotonic'), fit: IsotonicFit }),
  z.strictObject({ method: z.literal('platt'), fit: PlattFit }),
  z.strictObject({ method: z.literal('temperature'), fit: TemperatureFit }),
]);
export type ScoreCalibrator = z.infer<typeof ScoreCalibrator>;

/** The logistic function 1 / (1 + e^−u), without overflow. */
export function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** The fitted isotonic function at `score` (see `IsotonicInterpolation`); NaN for a fit with no blocks. */
export function predictIsotonic(fit: IsotonicFit, score: number): number {
  const { blocks } = fit;
  if (blocks.length === 0) return Number.NaN;
  // the last block whose lowest score is at or below `score` (−1: below every block)
  let low = 0;
  let high = blocks.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (blocks[middle]!.lower <= score) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (found === -1) return blocks[0]!.value;
  const block = blocks[found]!;
  if (fit.interpolation === 'step' || score <= block.upper || found === blocks.length - 1) return block.value;
  const next = blocks[found + 1]!;
  return block.value + ((score - block.upper) / (next.lower - block.upper)) * (next.value - block.value);
}

/** P(right) that a Platt fit gives a score: σ(slope · score + intercept). */
export function predictPlatt(fit: PlattFit, score: number): number {
  return sigmoid(fit.slope * score + fit.intercept);
}

/** The logit a temperature fit reads from a score. */
export function temperatureLogit(score: number, input: TemperatureInput): number {
  if (input === 'logit') return score;
  const p = Math.min(1 - PROBABILITY_CLAMP, Math.max(PROBABILITY_CLAMP, score));
  return Math.log(p / (1 - p));
}

/** P(right) that a temperature fit gives a score: σ(z / T), 1/2 at T = ∞; at T = 0 the limit (1, 0, or 1/2 at z = 0). */
export function predictTemperature(fit: TemperatureFit, score: number): number {
  const logit = temperatureLogit(score, fit.input);
  if (fit.temperature === 0) return logit > 0 ? 1 : logit < 0 ? 0 : 0.5;
  return sigmoid(logit / fit.temperature);
}

/** The calibrated probability of a score (on the keep-high scale the calibrator was fitted on). */
export function predictCalibrated(calibrator: ScoreCalibrator, score: number): number {
  switch (calibrator.method) {
    case 'isotonic':
      return predictIsotonic(calibrator.fit, score);
    case 'platt':
      return predictPlatt(calibrator.fit, score);
    case 'temperature':
      return predictTemperature(calibrator.fit, score);
  }
}

/** The settings of a router's calibration, before what was fitted (see `ScoreCalibrationSettings`). */
const settingsShape = {
  method: CalibrationMethod,
  /** Cross-fitting: folds (≥ 2, default 5) and the seed of their assignment by problem id (default 0). */
  folds: z.number().int().min(2).max(20).default(5),
  seed: z.number().int().nonnegative().default(0),
  /** Isotonic only: how a score between fitted blocks is read (default `step`). */
  interpolation: IsotonicInterpolation.optional(),
  /** Platt only: Platt's smoothed targets (default) or the plain verdicts. */
  targets: PlattTargets.optional(),
  /** Temperature only: the score is a logit, or a probability whose logit is taken. */
  input: TemperatureInput.optional(),
};

/** Each method's own setting is refused on another method, so a config says only what applies. */
function refuseOtherMethodsSettings(settings: { method: CalibrationMethod; interpolation?: unknown; targets?: unknown; input?: unknown }, context: z.RefinementCtx): void {
  const only = { interpolation: 'isotonic', targets: 'platt', input: 'temperature' } as const;
  for (const [key, method] of Object.entries(only)) {
    if (settings[key as keyof typeof only] !== undefined && settings.method !== method) {
      context.addIssue({ code: 'custom', path: [key], message: `applies to method "${method}" only, not "${settings.method}"` });
    }
  }
}

/**
 * How a router calibrates its score: the method, its own setting, and the cross-fitting an ablation fits it by (k
 * folds by problem id, seeded).
 */
export const ScoreCalibrationSettings = z.strictObject(settingsShape).superRefine(refuseOtherMethodsSettings);
export type ScoreCalibrationSettings = z.infer<typeof ScoreCalibrationSettings>;

/**
 * The fold calibrators of a cross-fit, as an ablation hands them to the router it checks: each problem's fold by id,
 * and per fold the calibrator fitted on every other fold (null where those had no weight), which scores that fold.
 */
export const CrossFittedCalibrators = z.strictObject({
  assignment: z.record(z.string(), z.number().int().nonnegative()),
  calibrators: z.array(ScoreCalibrator.nullable()).min(2),
});
export type CrossFittedCalibrators = z.infer<typeof CrossFittedCalibrators>;

/**
 * A threshold router's `calibration` option: the settings and what was fitted — `calibrator`, one calibrator for
 * every problem (what a routing policy carries), or `crossFitted`, an ablation's fold calibrators for its own
 * problems — or neither, where an ablation fits them.
 */
export const ScoreCalibrationOption = z
  .strictObject({ ...settingsShape, calibrator: ScoreCalibrator.optional(), crossFitted: CrossFittedCalibrators.optional() })
  .superRefine((option, context) => {
    refuseOtherMethodsSettings(option, context);
    if (option.calibrator !== undefined && option.crossFitted !== undefined) {
      context.addIssue({ code: 'custom', path: ['crossFitted'], message: 'give calibrator (one for every problem) or crossFitted (fold calibrators), not both' });
    }
    if (option.calibrator !== undefined && option.calibrator.method !== option.method) {
      context.addIssue({ code: 'custom', path: ['calibrator', 'method'], message: `is "${option.calibrator.method}" but method is "${option.method}"` });
    }
    const folds = option.crossFitted?.calibrators ?? [];
    folds.forEach((calibrator, fold) => {
      if (calibrator !== null && calibrator.method !== option.method) {
        context.addIssue({ code: 'custom', path: ['crossFitted', 'calibrators', fold, 'method'], message: `is "${calibrator.method}" but method is "${option.method}"` });
      }
    });
    for (const [problemId, fold] of Object.entries(option.crossFitted?.assignment ?? {})) {
      if (fold >= folds.length) {
        context.addIssue({ code: 'custom', path: ['crossFitted', 'assignment', problemId], message: `fold ${fold}, but there are ${folds.length} fold calibrators` });
        return;
      }
    }
  });
export type ScoreCalibrationOption = z.infer<typeof ScoreCalibrationOption>;

/** The settings of a calibration option, without what was fitted. */
export function calibrationSettingsOf(option: ScoreCalibrationOption): ScoreCalibrationSettings {
  const { calibrator: _calibrator, crossFitted: _crossFitted, ...settings } = option;
  return settings;
}
