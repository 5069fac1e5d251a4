import {
  calibrationSettingsOf,
  DEFAULT_MIN_TOKEN_MASS,
  definePlugin,
  delegatesScore,
  InvalidConfigError,
  MinTokenMass,
  orientedScore,
  PLUGIN_SPECIFICATION_VERSION,
  predictCalibrated,
  RoutingScore,
  scoreOfRecord,
  ScoreCalibrationOption,
  ScoreDirection,
  type RouterDecision,
} from '@confide/core';
import { z } from 'zod';

export const ThresholdRouterOptions = z.strictObject({
  score: RoutingScore.default('p-confident'),
  /** Delegate when the score is below the threshold (`keep-high`, for confidences) or above it (`keep-low`, for lengths). */
  direction: ScoreDirection.default('keep-high'),
  threshold: z.number().finite(),
  /** `p-confident` only: P(c) is defined where P(c) + P(u) reaches this mass; under it the answer is delegated. */
  minTokenMass: MinTokenMass.default(DEFAULT_MIN_TOKEN_MASS),
  /**
   * Map the score (on its keep-high scale: a keep-low score negated) to a calibrated probability that the answer is
   * right, and put the threshold on that probability (keep-high). An ablation fits the calibrator by cross-fitting;
   * a routing policy carries the one it certified with (`calibrator`).
   */
  calibration: ScoreCalibrationOption.optional(),
});
export type ThresholdRouterOptions = z.infer<typeof ThresholdRouterOptions>;

/** Scores that are probabilities whatever the run: temperature scaling reads them through their logit only when told. */
const PROBABILITY_SCORES: ReadonlySet<string> = new Set(['p-confident', 'confidence-token', 'token-margin']);

function checkOptions(options: ThresholdRouterOptions, context: z.RefinementCtx): void {
  const { calibration } = options;
  // a threshold on a probability: P(c), the token, or any calibrated score
  const probability = calibration !== undefined ? 'a calibrated' : PROBABILITY_SCORES.has(options.score) ? `a ${options.score}` : null;
  if (probability !== null && (options.threshold < 0 || options.threshold > 1)) {
    context.addIssue({ code: 'custom', path: ['threshold'], message: `${probability} threshold must be in [0, 1], got ${options.threshold}` });
  }
  if (calibration?.method !== 'temperature') return;
  if (PROBABILITY_SCORES.has(options.score) && calibration.input !== 'probability') {
    context.addIssue({
      code: 'custom',
      path: ['calibration', 'input'],
      message: `temperature scaling reads a logit, and ${options.score} is a probability in [0, 1]: declare "input": "probability" (its logit is taken), or use isotonic or platt`,
    });
  }
  if (options.direction === 'keep-low' && calibration.input === 'probability') {
    context.addIssue({
      code: 'custom',
      path: ['calibration', 'input'],
      message: 'a keep-low score is calibrated on its negation, which is no probability: temperature scaling can read it as a logit ("input": "logit") only',
    });
  }
}

/** Delegate when a per-problem score of the small answer (or its calibrated probability) is on the wrong side of a threshold. */
export const thresholdRouter = definePlugin({
  id: 'core/threshold',
  kind: 'router',
  description: 'delegate when P(<|c_math|>) (or any numeric score of the answer, or its calibrated probability) is under a threshold',
  optionsSchema: ThresholdRouterOptions.superRefine(checkOptions),
  create: (options, context) => {
    const { calibration } = options;
    /** The calibrated probability of a problem's keep-high score: by a policy's calibrator, or by its fold's (an ablation's). */
    let calibrate: ((problemId: string, score: number) => number) | null = null;
    if (calibration?.calibrator !== undefined) {
      const calibrator = calibration.calibrator;
      calibrate = (_problemId, score) => predictCalibrated(calibrator, score);
    } else if (calibration?.crossFitted !== undefined) {
      const { assignment, calibrators } = calibration.crossFitted;
      calibrate = (problemId, score) => {
        const fold = assignment[problemId];
        const calibrator = fold === undefined ? undefined : calibrators[fold];
        if (calibrator === undefined) throw new InvalidConfigError(`core/threshold: problem ${problemId} is not among the problems its calibrators were cross-fitted on`);
        if (calibrator === null) throw new InvalidConfigError(`core/threshold: problem ${problemId}'s fold ${fold} has no calibrator (its other folds held no scored problem)`);
        return predictCalibrated(calibrator, score);
      };
    } else if (calibration !== undefined && context.fitData === undefined) {
      throw new InvalidConfigError(
        `core/threshold: calibration "${calibration.method}" needs a fitted calibrator: use it in an ablation (which cross-fits one on its problems), or apply the routing policy confide ablate wrote for it (which carries one as calibration.calibrator)`,
      );
    }
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      // A threshold on one score: the ablation sweeps `threshold` over it with the fast prefix-sum path.
      capabilities: {
        decides: 'after-first-answer',
        reads: ['small'],
        sweepableScore: {
          option: 'threshold',
          score: options.score,
          direction: options.direction,
          ...(calibration === undefined ? {} : { calibration: { settings: calibrationSettingsOf(calibration), fitted: calibrate !== null } }),
        },
      },
      async decide({ problem, answers: { small } }): Promise<RouterDecision> {
        if (small === undefined) throw new Error(`core/threshold needs the small model's answer for ${problem.id}`);
        const { value: score, reason } = scoreOfRecord(small, options.score, options);
        if (score === null) {
          // no score (P(c) where the tokens hold too little mass, a DeepConf signal of an answer of no tokens): delegated,
          // as Delegation II delegates an answer with no token
          return { router: 'core/threshold', model: 'large', reason: `${reason}: delegated, as a missing confidence token is` };
        }
        if (calibration !== undefined) {
          if (calibrate === null) {
            throw new InvalidConfigError(`core/threshold: calibration "${calibration.method}" is not fitted yet: the ablation hands the router its fold calibrators (crossFitted) before it decides`);
          }
          const calibrated = calibrate(problem.id, orientedScore(score, options.direction));
          const delegated = delegatesScore(calibrated, { direction: 'keep-high', threshold: options.threshold });
          return {
            router: 'core/threshold',
            model: delegated ? 'large' : 'small',
            reason: `${options.score} = ${score}, ${calibration.method}-calibrated ${calibrated} ${delegated ? '<' : '>='} ${options.threshold}`,
            score: calibrated,
          };
        }
        const delegated = delegatesScore(score, options);
        return {
          router: 'core/threshold',
          model: delegated ? 'large' : 'small',
          reason: `${options.score} = ${score} ${delegated ? (options.direction === 'keep-high' ? '<' : '>') : options.direction === 'keep-high' ? '>=' : '<='} ${options.threshold}`,
          score,
        };
      },
    };
  },
});
