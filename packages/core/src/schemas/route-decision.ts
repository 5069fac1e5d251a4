import { z } from 'zod';
import { TokenUsage } from './generation.js';

/** Which model answers a problem in a delegated run. */
export const RouteTarget = z.enum(['small', 'large']);
export type RouteTarget = z.infer<typeof RouteTarget>;

/**
 * A router's decision for one problem. When the router itself calls a model (an orchestrator), its model and usage
 * are kept here so the ledger can bill them separately.
 */
export const RouteDecision = z.strictObject({
  router: z.string().min(1),
  target: RouteTarget,
  /** The label of the model that answered (`small`/`large` for a pair, a model's label among K); absent in v1 records. */
  model: z.string().min(1).optional(),
  reason: z.string(),
  score: z.number().optional(),
  routerModel: z.string().optional(),
  routerUsage: TokenUsage.optional(),
});
export type RouteDecision = z.infer<typeof RouteDecision>;
