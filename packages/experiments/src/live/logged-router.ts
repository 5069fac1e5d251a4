import { decisionOfRoute, RouteDecision, routeOf, withDecide, type Router } from '@confide/core';
import { z } from 'zod';
import type { StageLog } from '../run-folder/stage-log.js';

/** A logged decision, as the route its record keeps (so a log written before v2 routers resumes as it was). */
export const LoggedDecision = z.strictObject({ problemId: z.string().min(1), decision: RouteDecision });
export type LoggedDecision = z.infer<typeof LoggedDecision>;

/**
 * Keeps a router's decisions in a stage log as they are made, and gives back logged ones on resume: an orchestrator
 * that asked a model is not asked (and billed) again.
 */
export function loggedRouter(
  router: Router,
  log: StageLog<typeof LoggedDecision>,
  resumed: ReadonlyMap<string, RouteDecision>,
): Router {
  return withDecide(router, async (input) => {
    const known = resumed.get(input.problem.id);
    if (known !== undefined) return decisionOfRoute(known);
    const decision = await router.decide(input);
    log.append({ problemId: input.problem.id, decision: routeOf(decision, input.models) });
    return decision;
  });
}
