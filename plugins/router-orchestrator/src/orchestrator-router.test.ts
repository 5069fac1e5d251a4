import {
  ConfideError,
  PLUGIN_SPECIFICATION_VERSION,
  PluginRegistry,
  SEED_PRICES_2025_11,
  type GenerationRequest,
  type ModelClient,
} from '@confide/core';
import { describe, expect, it } from 'vitest';
import { HAND_OFF_SCHEMA, orchestratorRouter } from './orchestrator-router.js';

const registry = new PluginRegistry().register(orchestratorRouter);
const problem = { id: 'p', problem: 'What is 2 + 2?', answer: '4' };

describe('core/orchestrator (replay)', () => {
  const router = registry.create('router', 'core/orchestrator', {}, { priceTable: SEED_PRICES_2025_11 }).instance;

  it('decides before the small model answers', () => {
    expect(router.capabilities).toEqual({ decides: 'before-generation', reads: [] });
  });

  it("replays the recorded choice with the orchestrator's usage", async () => {
    const recordedRoute = {
      router: 'recorded',
      target: 'large' as const,
      reason: 'recorded hand_off_model "LLM Math Experts"',
      routerModel: 'gemini-2.5-flash-lite',
      routerUsage: { input: 203, output: 335, thinking: 318 },
    };
    expect(await router.decide({ problem, models: ['small', 'large'], answers: {}, recordedRoute })).toEqual({
      router: 'core/orchestrator',
      model: 'large',
      reason: recordedRoute.reason,
      routerModel: recordedRoute.routerModel,
      routerUsage: recordedRoute.routerUsage,
    });
  });

  it('fails clearly without a recorded decision', async () => {
    await expect(router.decide({ problem, models: ['small', 'large'], answers: {} })).rejects.toThrow(/no recorded decision for p/);
  });

  it('keeps its options as they were (the paper report records them)', () => {
    expect(registry.create('router', 'core/orchestrator', { mode: 'replay' }, { priceTable: SEED_PRICES_2025_11 }).use.options).toEqual({ mode: 'replay' });
  });
});

/** An orchestrator model that answers with a fixed text, and keeps the requests it got. */
function orchestratorModel(answer: string | Error) {
  const requests: Array<GenerationRequest & { responseSchema?: unknown }> = [];
  const client: ModelClient = {
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    model: 'gemini-2.5-flash-lite',
    async generate(request) {
      requests.push(request);
      if (answer instanceof Error) throw answer;
      return { model: 'gemini-2.5-flash-lite', text: answer, answer: null, confidenceToken: null, usage: { input: 90, output: 12, thinking: 30 }, latencyMs: 5, finishReason: 'STOP' };
    },
  };
  return { client, requests };
}

function live(answer: string | Error, options: Record<string, unknown> = {}) {
  const model = orchestratorModel(answer);
  const context = { priceTable: SEED_PRICES_2025_11, modelClients: { orchestrator: model.client } };
  const router = registry.create('router', 'core/orchestrator', { mode: 'live', ...options }, context).instance;
  return { router, requests: model.requests };
}

describe('core/orchestrator (live)', () => {
  it.each([
    ['slm', 'small'],
    ['llm', 'large'],
  ])('routes a hand_off to %s to the %s model, with its own tokens on the decision', async (agent, target) => {
    const { router, requests } = live(JSON.stringify({ agent, reason: 'routine arithmetic' }));
    const decision = await router.decide({ problem, models: ['small', 'large'], answers: {} });
    expect(decision).toEqual({
      router: 'core/orchestrator',
      model: target,
      reason: `orchestrator chose ${agent}: routine arithmetic`,
      routerModel: 'gemini-2.5-flash-lite',
      routerUsage: { input: 90, output: 12, thinking: 30 },
    });
    expect(requests[0]!.responseSchema).toEqual({ name: 'hand_off', schema: HAND_OFF_SCHEMA });
    expect(requests[0]!.messages.at(-1)!.content).toBe('What is 2 + 2?');
  });

  it.each([
    ['text that is not JSON', 'I would pick the small one'],
    ['JSON off the schema', JSON.stringify({ agent: 'both', reason: '?' })],
  ])('sends the problem to the large model when the orchestrator answers %s, still billing it', async (_name, text) => {
    const decision = await live(text).router.decide({ problem, models: ['small', 'large'], answers: {} });
    expect(decision.model).toBe('large');
    expect(decision.routerUsage).toEqual({ input: 90, output: 12, thinking: 30 });
  });

  it('sends the problem to the large model when the request fails, or stops when told to', async () => {
    const failure = new ConfideError('API_ERROR', 'HTTP 400: bad request');
    expect((await live(failure).router.decide({ problem, models: ['small', 'large'], answers: {} })).reason).toMatch(/request failed \(HTTP 400: bad request\)/);
    await expect(live(failure, { onFailure: 'error' }).router.decide({ problem, models: ['small', 'large'], answers: {} })).rejects.toThrow(/core\/orchestrator on p/);
  });

  it('lets a budget stop through', async () => {
    const stop = new ConfideError('BUDGET_EXCEEDED', 'budget reached');
    await expect(live(stop).router.decide({ problem, models: ['small', 'large'], answers: {} })).rejects.toBe(stop);
  });

  it('needs the run to provide its model client', () => {
    expect(() => registry.create('router', 'core/orchestrator', { mode: 'live' }, { priceTable: SEED_PRICES_2025_11 })).toThrow(
      /needs a model client named "orchestrator"/,
    );
  });
});
