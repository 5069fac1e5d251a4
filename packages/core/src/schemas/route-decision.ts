import { z } from 'zod';
import { TokenUsage } from './generation.js';

/**
 * In a run record: whether the answer came from the first model of the routing (`small`: the pair's small model, a
 * cascade's kept stage, the first of K listed models) or from another (`large`). `route.model` names which one.
 */
export const RouteTarget = z.enum(['small', 'large']);
export type RouteTarget = z.infer<typeof RouteTarget>;

/** A probability in [0, 1]: how likely a router was to take a route. */
const Probability = z.number().min(0).max(1);

/**
 * What a router that explores (draws its route at random, e.g. core/explore) logs beside its choice, for off-policy
 * evaluation: `propensity`, the probability it gave the route it took, and `propensities`, the probability of every
 * route it could take, keyed by the names its decision uses (`small`/`large` for a pair), summing to one. Optional:
 * a deterministic router logs neither (its propensity is 1).
 */
const PropensityFields = {
  propensity: Probability.optional(),
  propensities: z.record(z.string().min(1), Probability).optional(),
};

/** Within this of one, a decision's propensities sum to one (floating-point rounding of p and 1 − p). */
export const PROPENSITY_SUM_TOLERANCE = 1e-9;

function checkPropensities(decision: { propensities?: Record<string, number> | undefined }, context: z.RefinementCtx): void {
  if (decision.propensities === undefined) return;
  const total = Object.values(decision.propensities).reduce((sum, value) => sum + value, 0);
  if (Math.abs(total - 1) > PROPENSITY_SUM_TOLERANCE) {
    context.addIssue({ code: 'custom', path: ['propensities'], message: `the probabilities of every route must sum to one, got ${total}` });
  }
}

/**
 * A routed problem's route as a run record keeps it. When the router itself calls a model (an orchestrator), its model
 * and usage are kept here so the ledger can bill them separately.
 */
export const RouteDecision = z.strictObject({
  router: z.string().min(1),
  target: RouteTarget,
  /** The label of the model that answered where it is not the target's name (a model's label among K); absent in v1 records. */
  model: z.string().min(1).optional(),
  reason: z.string(),
  score: z.number().optional(),
  routerModel: z.string().optional(),
  routerUsage: TokenUsage.optional(),
  ...PropensityFields,
}).superRefine(checkPropensities);
export type RouteDecision = z.infer<typeof RouteDecision>;

/**
 * What a router's `decide()` returns (plugin specification v2): the label of the model that answers. For a pair the
 * labels `small` and `large` name its two models, whatever the experiment calls them.
 */
export const RouterDecision = z.strictObject({
  router: z.string().min(1),
  model: z.string().min(1),
  reason: z.string(),
  score: z.number().optional(),
  routerModel: z.string().optional(),
  routerUsage: TokenUsage.optional(),
  ...PropensityFields,
}).superRefine(checkPropensities);
export type RouterDecision = z.infer<typeof RouterDecision>;

/**
 * The model a router's name stands for among `models`: a label among them, or, among two, `small`/`large` for the
 * first and the second (a pair router works on a pair of any labels). Undefined for any other name (a peer's).
 */
export function resolveModelLabel(name: string, models: readonly string[]): string | undefined {
  if (models.includes(name)) return name;
  if (models.length === 2 && name === 'small') return models[0];
  if (models.length === 2 && name === 'large') return models[1];
  return undefined;
}

/**
 * The route a record keeps for a decision among `models`: `target` is `small` for the first model and `large` for any
 * other; `model`, the chosen label, is written only where it says more than `target` does (a pair whose labels are
 * `small`/`large` keeps exactly the v1 route). The decision's keys keep their order, `target` where `model` was.
 */
export function routeOf(decision: RouterDecision, models: readonly string[]): RouteDecision {
  const label = resolveModelLabel(decision.model, models) ?? decision.model;
  const target: RouteTarget = label === models[0] ? 'small' : 'large';
  const route: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(decision)) {
    if (key !== 'model') route[key] = value;
    else {
      route['target'] = target;
      if (label !== target) route['model'] = label;
    }
  }
  return route as RouteDecision;
}

/** The decision a recorded route stands for: the model it names, else its target (`small`/`large`, a pair's labels). */
export function decisionOfRoute(route: RouteDecision): RouterDecision {
  const decision: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(route)) {
    if (key === 'target') decision['model'] = route.model ?? value;
    else if (key !== 'model') decision[key] = value;
  }
  return decision as RouterDecision;
}
