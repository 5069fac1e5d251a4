import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type RouteDecision } from '@confide/core';
import { z } from 'zod';

export const OrchestratorRouterOptions = z.strictObject({
  /** `replay`: take the decision a recorded Delegation I run made for each problem (its `hand_off_model`). */
  mode: z.literal('replay').default('replay'),
});

/**
 * Delegation I: an orchestrator model picks the SLM or the LLM for each problem before either answers. Offline it
 * replays the recorded choice, with the orchestrator's own token usage, so the ledger bills it separately.
 */
export const orchestratorRouter = definePlugin({
  id: 'core/orchestrator',
  kind: 'router',
  description: "Delegation I: the orchestrator's per-problem choice of SLM or LLM (offline: replays the recorded choice)",
  optionsSchema: OrchestratorRouterOptions,
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    needsSmallAnswer: false,
    async decide({ problem, recordedRoute }): Promise<RouteDecision> {
      if (recordedRoute === undefined) {
        throw new Error(`core/orchestrator in replay mode has no recorded decision for ${problem.id}`);
      }
      return { ...recordedRoute, router: 'core/orchestrator' };
    },
  }),
});
