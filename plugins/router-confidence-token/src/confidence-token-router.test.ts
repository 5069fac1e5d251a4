import { PluginRegistry, RUN_RECORD_SCHEMA_VERSION, SEED_PRICES_2025_11, type ConfidenceToken, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { confidenceTokenRouter } from './confidence-token-router.js';
import { tokenAndLengthRouter } from './token-and-length-router.js';

const registry = new PluginRegistry().register(confidenceTokenRouter);
const context = { priceTable: SEED_PRICES_2025_11 };
const problem = { id: 'p', problem: 'x', answer: '1' };

function small(token: ConfidenceToken | null): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'r',
    problemId: 'p',
    gold: '1',
    generation: { model: 'm', text: '', answer: '1', confidenceToken: token, usage: { input: 0, output: 0, thinking: 0 }, latencyMs: null, finishReason: null },
    grade: { correct: true, evaluator: 'recorded' },
  };
}

describe('core/confidence-token', () => {
  describe.each([
    ['<|c_math|>' as const, 'small'],
    ['<|u_math|>' as const, 'large'],
    [null, 'large'],
  ])('by default, token %s', (token, target) => {
    it(`goes to the ${target} model`, async () => {
      const router = registry.create('router', 'core/confidence-token', {}, context).instance;
      expect((await router.decide({ problem, models: ['small', 'large'], answers: { small: small(token) } })).model).toBe(target);
    });
  });

  it('keeps answers with no token when told only <|u_math|> delegates', async () => {
    const router = registry.create('router', 'core/confidence-token', { delegate: ['<|u_math|>'] }, context).instance;
    expect((await router.decide({ problem, models: ['small', 'large'], answers: { small: small(null) } })).model).toBe('small');
    expect((await router.decide({ problem, models: ['small', 'large'], answers: { small: small('<|u_math|>') } })).model).toBe('large');
  });

  it.each([[['<|u_math|>', 'none']], [['<|u_math|>']], [['<|c_math|>']]])('chooses on columns what decide chooses (delegate %j)', async (delegate) => {
    const router = registry.create('router', 'core/confidence-token', { delegate }, context).instance;
    const choice = router.capabilities.columnChoice;
    expect(choice?.from).toBe('answers');
    for (const token of ['<|c_math|>', '<|u_math|>', null] as const) {
      const record = small(token);
      const decided = (await router.decide({ problem, models: ['small', 'large'], answers: { small: record } })).model;
      expect(choice?.from === 'answers' && choice.choose({ small: record }, ['small', 'large'])).toBe(decided);
    }
  });

  it('rejects an unknown token in the options', () => {
    expect(() => registry.create('router', 'core/confidence-token', { delegate: ['<|x|>'] }, context)).toThrow(/key "delegate.0"/);
  });
});

describe('core/token-and-length (the README example)', () => {
  it.each([
    ['<|c_math|>' as const, 500, 'small'],
    ['<|c_math|>' as const, 900, 'large'],
    ['<|u_math|>' as const, 100, 'large'],
    [null, 100, 'large'],
  ])('token %s with %i output tokens -> %s', async (token, output, target) => {
    const local = new PluginRegistry().register(tokenAndLengthRouter);
    const router = local.create('router', 'core/token-and-length', { maxOutputTokens: 800 }, context).instance;
    const record = small(token);
    record.generation.usage.output = output;
    expect((await router.decide({ problem, models: ['small', 'large'], answers: { small: record } })).model).toBe(target);
  });
});
