import {
  ConfideError,
  definePlugin,
  InvalidConfigError,
  PLUGIN_SPECIFICATION_VERSION,
  type GenerationRequest,
  type ModelClient,
  type PluginContext,
  type Problem,
  decisionOfRoute,
  type RouterDecision,
  type Router,
} from '@confide/core';
import { z } from 'zod';

export const DEFAULT_ORCHESTRATOR_INSTRUCTIONS =
  'You are the orchestrator of two agents that solve math problems. "slm" is a small model fine-tuned for math: ' +
  'fast and cheap, reliable on routine problems. "llm" is a large general model: slower and far more costly, ' +
  'stronger on hard, multi-step problems. Pick the agent that should solve the problem below. Answer only with JSON: ' +
  'the agent ("slm" or "llm") and a one-sentence reason.';

const ReplayOptions = z.strictObject({
  /** `replay`: take the decision a recorded Delegation I run made for each problem (its `hand_off_model`). */
  mode: z.literal('replay').default('replay'),
});

const LiveOptions = z.strictObject({
  /** `live`: ask an orchestrator model, which answers a structured-output schema naming the agent. */
  mode: z.literal('live'),
  /** The model client the run provides under this name (an experiment's `orchestrator`). */
  client: z.string().min(1).default('orchestrator'),
  instructions: z.string().min(1).default(DEFAULT_ORCHESTRATOR_INSTRUCTIONS),
  maxOutputTokens: z.number().int().positive().default(256),
  temperature: z.number().min(0).max(2).default(0),
  /** When the orchestrator's request fails or its answer does not follow the schema: send to `large`, or stop the run. */
  onFailure: z.enum(['large', 'error']).default('large'),
});

export const OrchestratorRouterOptions = z.union([ReplayOptions, LiveOptions]);
export type OrchestratorRouterOptions = z.infer<typeof OrchestratorRouterOptions>;

/** The structured output the orchestrator must give: function-calling style arguments of a `hand_off` call. */
export const HAND_OFF_SCHEMA = {
  type: 'object',
  properties: {
    agent: { type: 'string', enum: ['slm', 'llm'], description: 'the agent that solves the problem' },
    reason: { type: 'string', description: 'why, in one sentence' },
  },
  required: ['agent', 'reason'],
  additionalProperties: false,
} as const;

const HandOff = z.object({ agent: z.enum(['slm', 'llm']), reason: z.string() });

/** The model client a run lends to the orchestrator under `name` (the live path's plugin context). */
function modelClientOf(context: PluginContext, name: string): ModelClient | undefined {
  return context.modelClients?.[name];
}

function replayRouter(): Router {
  return {
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'before-generation', reads: [] },
    async decide({ problem, recordedRoute }): Promise<RouterDecision> {
      if (recordedRoute === undefined) {
        throw new Error(`core/orchestrator in replay mode has no recorded decision for ${problem.id}`);
      }
      return { ...decisionOfRoute(recordedRoute), router: 'core/orchestrator' };
    },
  };
}

function liveRouter(options: z.infer<typeof LiveOptions>, client: ModelClient): Router {
  const fallback = (problem: Problem, why: string, spent?: Pick<RouterDecision, 'routerModel' | 'routerUsage'>): RouterDecision => {
    if (options.onFailure === 'error') throw new ConfideError('ROUTING_FAILED', `core/orchestrator on ${problem.id}: ${why}`);
    return { router: 'core/orchestrator', model: 'large', reason: `orchestrator ${why}; sent to the large model`, ...spent };
  };
  return {
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'before-generation', reads: [] },
    async decide({ problem }): Promise<RouterDecision> {
      // The live clients read `responseSchema` (structured output / function-calling arguments); others ignore it.
      const request: GenerationRequest & { responseSchema: { name: string; schema: Record<string, unknown> } } = {
        problem,
        messages: [
          { role: 'system', content: options.instructions },
          { role: 'user', content: problem.problem },
        ],
        maxOutputTokens: options.maxOutputTokens,
        temperature: options.temperature,
        responseSchema: { name: 'hand_off', schema: HAND_OFF_SCHEMA },
      };
      let generation;
      try {
        generation = await client.generate(request);
      } catch (error) {
        // A failed request is data; a stop (budget, Ctrl-C) is not ours to swallow.
        if (ConfideError.isInstance(error) && error.code === 'API_ERROR') return fallback(problem, `request failed (${error.message})`);
        throw error;
      }
      const spent = { routerModel: generation.model, routerUsage: generation.usage };
      let parsed;
      try {
        parsed = HandOff.safeParse(JSON.parse(generation.text));
      } catch {
        return fallback(problem, 'answered with text that is not JSON', spent);
      }
      if (!parsed.success) return fallback(problem, 'answered JSON that does not follow the hand_off schema', spent);
      return {
        router: 'core/orchestrator',
        model: parsed.data.agent === 'slm' ? 'small' : 'large',
        reason: `orchestrator chose ${parsed.data.agent}: ${parsed.data.reason}`,
        ...spent,
      };
    },
  };
}

/**
 * Delegation I: an orchestrator model picks the SLM or the LLM for each problem before either answers. Offline it
 * replays the recorded choice; live it asks the orchestrator model for a `hand_off` (structured output naming the
 * agent). Either way the orchestrator's own tokens go on the decision, so the ledger bills them separately.
 */
export const orchestratorRouter = definePlugin({
  id: 'core/orchestrator',
  kind: 'router',
  description: "Delegation I: an orchestrator model's per-problem choice of SLM or LLM (replay: the recorded choice; live: asks the model)",
  optionsSchema: OrchestratorRouterOptions,
  create: (options, context) => {
    if (options.mode === 'replay') return replayRouter();
    const client = modelClientOf(context, options.client);
    if (client === undefined) {
      throw new InvalidConfigError(
        `core/orchestrator in live mode needs a model client named "${options.client}" (the experiment's "orchestrator")`,
      );
    }
    return liveRouter(options, client);
  },
});
