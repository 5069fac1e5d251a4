import { DEFAULT_MIN_TOKEN_MASS, definePlugin, delegatesScore, MinTokenMass, PLUGIN_SPECIFICATION_VERSION, pConfident, RoutingScore, routingScore, ScoreDirection, type RouterDecision } from '@confide/core';
import { z } from 'zod';

export const ThresholdRouterOptions = z.strictObject({
  score: RoutingScore.default('p-confident'),
  /** Delegate when the score is below the threshold (`keep-high`, for confidences) or above it (`keep-low`, for lengths). */
  direction: ScoreDirection.default('keep-high'),
  threshold: z.number().finite(),
  /** `p-confident` only: P(c) is defined where P(c) + P(u) reaches this mass; under it the answer is delegated. */
  minTokenMass: MinTokenMass.default(DEFAULT_MIN_TOKEN_MASS),
});
export type ThresholdRouterOptions = z.infer<typeof ThresholdRouterOptions>;

/** Delegate when a per-problem score of the small model's answer is on the wrong side of a threshold. */
export const thresholdRouter = definePlugin({
  id: 'core/threshold',
  kind: 'router',
  description: 'delegate when P(<|c_math|>) (or any numeric score of the answer) is under a threshold',
  optionsSchema: ThresholdRouterOptions.superRefine((options, context) => {
    if ((options.score === 'p-confident' || options.score === 'confidence-token') && (options.threshold < 0 || options.threshold > 1)) {
      context.addIssue({ code: 'custom', path: ['threshold'], message: `a ${options.score} threshold must be in [0, 1], got ${options.threshold}` });
    }
  }),
  create: (options) => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    // A threshold on one score: the ablation sweeps `threshold` over it with the fast prefix-sum path.
    capabilities: { decides: 'after-first-answer', reads: ['small'], sweepableScore: { option: 'threshold', score: options.score, direction: options.direction } },
    async decide({ problem, answers: { small } }): Promise<RouterDecision> {
      if (small === undefined) throw new Error(`core/threshold needs the small model's answer for ${problem.id}`);
      const score = routingScore(small, options.score, options);
      if (score === null) {
        // no P(c) (the tokens hold too little mass): delegated, as Delegation II delegates an answer with no token
        const { reason } = pConfident(small.generation.confidenceProbabilities!, options.minTokenMass);
        return { router: 'core/threshold', model: 'large', reason: `${reason}: delegated, as a missing confidence token is` };
      }
      const delegated = delegatesScore(score, options);
      return {
        router: 'core/threshold',
        model: delegated ? 'large' : 'small',
        reason: `${options.score} = ${score} ${delegated ? (options.direction === 'keep-high' ? '<' : '>') : options.direction === 'keep-high' ? '>=' : '<='} ${options.threshold}`,
        score,
      };
    },
  }),
});
