import { z } from 'zod';
import { Figure, Interval } from './summary-figures.js';

/** One estimator's estimate and its percentile bootstrap interval. */
const OffPolicyEstimate = z.strictObject({ estimate: Figure, interval: Interval });
/** IPS, SNIPS and doubly robust estimates of one figure. */
const OffPolicyEstimators = z.strictObject({ ips: OffPolicyEstimate, snips: OffPolicyEstimate, doublyRobust: OffPolicyEstimate });

/**
 * The off-policy section of summary.json (issue 28): the pair's routers named by `offPolicy` estimated at their
 * reported points from an exploration log, each beside what it actually scores and costs on the logged problems.
 */
export const OffPolicySummary = z.strictObject({
  /** The log as the experiment names it, and the router that made it (e.g. core/explore). */
  log: z.string(),
  logRouter: z.string(),
  /** Logged problems evaluated, and the ablation's problems the log holds no decision for. */
  problems: z.number().int(),
  missing: z.number().int(),
  /** The logging router's own delegation rate, mean score and mean cost per problem on those problems. */
  logged: z.strictObject({ delegationRate: Figure, accuracy: Figure, meanCostUsd: Figure }),
  /** The doubly robust reward model: equal-mass strata of the logged score, folds of the cross-fit. */
  strata: z.number().int(),
  folds: z.number().int(),
  routers: z.array(
    z.strictObject({
      id: z.string(),
      label: z.string(),
      /** What the router pays when it delegates: the small answer too, or the large one alone. */
      kind: z.enum(['after-small-answer', 'before-generation']),
      actual: z.strictObject({ accuracy: Figure, meanCostUsd: Figure }),
      accuracy: OffPolicyEstimators,
      meanCostUsd: OffPolicyEstimators,
      /** Kish's effective sample size of the importance weights, and the logged decisions that took the router's route. */
      effectiveSampleSize: Figure,
      matched: z.number().int(),
    }),
  ),
});
export type OffPolicySummary = z.infer<typeof OffPolicySummary>;
