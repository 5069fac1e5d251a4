import {
  DEFAULT_MIN_TOKEN_MASS,
  definePlugin,
  delegatesScore,
  isProbabilityScore,
  MinTokenMass,
  orientedScore,
  PLUGIN_SPECIFICATION_VERSION,
  RoutingScore,
  scoreOfRecord,
  ScoreDirection,
  type RouterDecision,
  type RunRecord,
} from '@confide/core';
import { z } from 'zod';
import { stableUniform } from './stable-uniform.js';

/**
 * How the router explores around its threshold: `epsilon-greedy` takes the threshold's route with probability
 * 1 − ε/2 and the other with ε/2; `softmax` is a softmax over the two routes' utilities, the oriented score for
 * keeping and the oriented threshold for delegating, at `temperature` (in the score's units):
 * P(large) = σ((threshold − score) / temperature) on the keep-high scale, kept within [floor, 1 − floor] so every
 * route keeps a chance (an off-policy estimate needs it).
 */
export const Exploration = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('epsilon-greedy'), epsilon: z.number().gt(0).max(1) }),
  z.strictObject({ rule: z.literal('softmax'), temperature: z.number().positive(), floor: z.number().gt(0).lt(0.5).default(0.05) }),
]);
export type Exploration = z.infer<typeof Exploration>;

export const ExploreRouterOptions = z.strictObject({
  score: RoutingScore.default('p-confident'),
  /** Delegate below the threshold (`keep-high`, confidences) or above it (`keep-low`, lengths), as core/threshold does. */
  direction: ScoreDirection.default('keep-high'),
  threshold: z.number().finite(),
  exploration: Exploration,
  /** The draw of a problem is stableUniform(seed, problem id): a replay makes the same choices, whatever the order. */
  seed: z.number().int().nonnegative().default(0),
  /** `p-confident` only: P(c) is defined where P(c) + P(u) reaches this mass; under it the answer has no score. */
  minTokenMass: MinTokenMass.default(DEFAULT_MIN_TOKEN_MASS),
});
export type ExploreRouterOptions = z.infer<typeof ExploreRouterOptions>;

/** The probability of delegating a score (null: no score, treated as the threshold rule treats it: delegated greedily). */
export function exploreDelegateProbability(score: number | null, options: Pick<ExploreRouterOptions, 'direction' | 'threshold' | 'exploration'>): number {
  const { exploration } = options;
  if (exploration.rule === 'epsilon-greedy') {
    const greedy = score === null || delegatesScore(score, options);
    return greedy ? 1 - exploration.epsilon / 2 : exploration.epsilon / 2;
  }
  if (score === null) return 1 - exploration.floor;
  const margin = (orientedScore(options.threshold, options.direction) - orientedScore(score, options.direction)) / exploration.temperature;
  const probability = 1 / (1 + Math.exp(-margin));
  return Math.min(1 - exploration.floor, Math.max(exploration.floor, probability));
}

/**
 * An exploring router for off-policy evaluation: a threshold on one score of the small answer (as core/threshold),
 * taken at random by ε-greedy or a softmax with a temperature, seeded per problem. Its decision logs the probability
 * of the route it took (`propensity`) and of both routes (`propensities`), which an ablation's `offPolicy` reads.
 */
export const exploreRouter = definePlugin({
  id: 'core/explore',
  kind: 'router',
  description: 'exploring baseline: a threshold on a score, taken ε-greedily or by softmax; logs each decision\'s propensities',
  optionsSchema: ExploreRouterOptions.superRefine((options, context) => {
    if (isProbabilityScore(options.score) && (options.threshold < 0 || options.threshold > 1)) {
      context.addIssue({ code: 'custom', path: ['threshold'], message: `a ${options.score} threshold must be in [0, 1], got ${options.threshold}` });
    }
  }),
  create: (options) => {
    const decisionOf = (problemId: string, small: RunRecord): RouterDecision => {
      const { value: score, reason } = scoreOfRecord(small, options.score, options);
      const delegateProbability = exploreDelegateProbability(score, options);
      const draw = stableUniform(options.seed, problemId);
      const model = draw < delegateProbability ? 'large' : 'small';
      const propensities = { small: 1 - delegateProbability, large: delegateProbability };
      const scored = score === null ? `${reason} (delegated greedily)` : `${options.score} = ${score}`;
      return {
        router: 'core/explore',
        model,
        reason: `${scored}; P(large) = ${delegateProbability.toFixed(4)} (${options.exploration.rule}), draw ${draw.toFixed(4)}`,
        ...(score === null ? {} : { score }),
        propensity: propensities[model],
        propensities,
      };
    };
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: {
        decides: 'after-first-answer',
        reads: ['small'],
        // the draw follows from the seed, the problem id and the recorded small answer: ablations evaluate it on columns
        columnChoice: { from: 'answers', choose: (answers) => decisionOf(answers['small']!.problemId, answers['small']!).model },
      },
      async decide({ problem, answers: { small } }): Promise<RouterDecision> {
        if (small === undefined) throw new Error(`core/explore needs the small model's answer for ${problem.id}`);
        return decisionOf(problem.id, small);
      },
    };
  },
});
