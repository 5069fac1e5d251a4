import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SEED_PRICES_2025_11 } from '../prices/seed-prices.js';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../schemas/run-record.js';
import type { RouteDecision } from '../schemas/route-decision.js';
import { definePlugin } from './plugin.js';
import { PluginRegistry } from './registry.js';

const context = { priceTable: SEED_PRICES_2025_11 };
const problem = { id: 'p1', problem: 'x', answer: '1' };

function answer(model: string, correct: boolean, answerText: string | null): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'r',
    problemId: 'p1',
    gold: '1',
    generation: { model, text: '', answer: answerText, confidenceToken: null, usage: { input: 1, output: 1, thinking: 0 }, latencyMs: null, finishReason: null },
    grade: { correct, evaluator: 'recorded' },
  };
}

/** Written as a v1 plugin author wrote it: `specificationVersion: 'v1'`, `needs*` capabilities, `target` out. */
const v1Oracle = definePlugin({
  id: 'test/v1-oracle',
  kind: 'router',
  description: 'a v1 router that reads both answers and a peer',
  optionsSchema: z.strictObject({ peer: z.string().default('second') }),
  create: (options) => ({
    specificationVersion: 'v1',
    capabilities: { needsSmallAnswer: true, needsLargeAnswer: true, peers: [options.peer] },
    async decide({ problem, small, large, peers, recordedRoute }): Promise<RouteDecision> {
      if (!small || !large || !peers?.[options.peer]) throw new Error(`needs every answer for ${problem.id}`);
      const delegated = !small.grade.correct && large.grade.correct;
      return { router: 'test/v1-oracle', target: delegated ? 'large' : 'small', reason: `${peers[options.peer]!.generation.answer} ${recordedRoute?.reason ?? '-'}`, score: 1 };
    },
  }),
});

describe('a v1 router through the adapter', () => {
  const registry = new PluginRegistry().register(v1Oracle);
  const router = registry.create('router', 'test/v1-oracle', {}, context).instance;

  it('is created as a v2 router whose capabilities read what v1 declared, in the engine order', () => {
    expect(router.specificationVersion).toBe('v2');
    expect(router.capabilities).toEqual({ decides: 'after-first-answer', reads: ['small', 'large', 'second'] });
  });

  it('gets its v1 input from the answers and its target becomes the label', async () => {
    const answers = { small: answer('s', false, '2'), large: answer('l', true, '1'), second: answer('p', false, '7') };
    const recordedRoute = { router: 'x', target: 'small' as const, reason: 'recorded' };
    expect(await router.decide({ problem, models: ['small', 'large'], answers, recordedRoute })).toEqual({ router: 'test/v1-oracle', model: 'large', reason: '7 recorded', score: 1 });
    expect((await router.decide({ problem, models: ['qwen', 'flash'], answers: { ...answers, small: answer('s', true, '1') } })).model).toBe('small');
  });

  it('refuses to choose among more than two models', async () => {
    await expect(router.decide({ problem, models: ['a', 'b', 'c'], answers: {} })).rejects.toThrow(/"test\/v1-oracle" is a v1 plugin: it chooses between two models, and this routing lists 3/);
  });

  it('keeps sweep hooks and before-generation routers as declared', () => {
    const sweepable = definePlugin({
      id: 'test/v1-sweep',
      kind: 'router',
      description: 'v1, decides before generation, a sweepable score and fitted options',
      optionsSchema: z.strictObject({}),
      create: () => ({
        specificationVersion: 'v1',
        capabilities: {
          needsSmallAnswer: false,
          sweepableScore: { option: 'threshold', score: 'p-confident', direction: 'keep-high' },
          fittedOptions: () => ({ fitted: true }),
        },
        decide: async () => ({ router: 'test/v1-sweep', target: 'small', reason: 'always' }),
      }),
    });
    const created = new PluginRegistry().register(sweepable).create('router', 'test/v1-sweep', {}, context).instance;
    expect(created.capabilities.decides).toBe('before-generation');
    expect(created.capabilities.reads).toEqual([]);
    expect(created.capabilities.sweepableScore).toEqual({ option: 'threshold', score: 'p-confident', direction: 'keep-high' });
    expect(created.capabilities.fittedOptions!()).toEqual({ fitted: true });
  });
});
