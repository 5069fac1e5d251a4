import { PluginRegistry, RUN_RECORD_SCHEMA_VERSION, SEED_PRICES_2025_11, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { alwaysLargeRouter, alwaysModelRouter, alwaysSmallRouter, oracleRouter, randomRouter } from './baseline-routers.js';

const registry = new PluginRegistry().register(oracleRouter).register(randomRouter).register(alwaysSmallRouter).register(alwaysLargeRouter).register(alwaysModelRouter);
const context = { priceTable: SEED_PRICES_2025_11 };

function graded(correct: boolean): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'r',
    problemId: 'p',
    gold: '1',
    generation: { model: 'm', text: '', answer: '1', confidenceToken: null, usage: { input: 0, output: 0, thinking: 0 }, latencyMs: null, finishReason: null },
    grade: { correct, evaluator: 'recorded' },
  };
}

const problem = { id: 'p', problem: 'x', answer: '1' };

describe('core/oracle', () => {
  it.each([
    [false, true, 'large'],
    [true, true, 'small'],
    [false, false, 'small'],
    [true, false, 'small'],
  ])('small %s, large %s -> %s', async (smallCorrect, largeCorrect, expected) => {
    const router = registry.create('router', 'core/oracle', {}, context).instance;
    expect(router.capabilities).toMatchObject({ decides: 'after-first-answer', reads: ['small', 'large'] });
    expect((await router.decide({ problem, models: ['small', 'large'], answers: { small: graded(smallCorrect), large: graded(largeCorrect) } })).model).toBe(expected);
  });
});

describe('core/random', () => {
  const problems = Array.from({ length: 2000 }, (_, index) => ({ id: `test/x/${index}.json`, problem: '', answer: '1' }));

  async function delegatedShare(rate: number, seed: number): Promise<number> {
    const router = registry.create('router', 'core/random', { rate, seed }, context).instance;
    let delegated = 0;
    for (const item of problems) if ((await router.decide({ problem: item, models: ['small', 'large'], answers: {} })).model === 'large') delegated++;
    return delegated / problems.length;
  }

  it('delegates close to the asked rate', async () => {
    expect(Math.abs((await delegatedShare(0.3, 1)) - 0.3)).toBeLessThan(0.04);
    expect(await delegatedShare(0, 1)).toBe(0);
    expect(await delegatedShare(1, 1)).toBe(1);
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const router = (seed: number) => registry.create('router', 'core/random', { rate: 0.5, seed }, context).instance;
    const picks = async (seed: number) => Promise.all(problems.slice(0, 50).map(async (item) => (await router(seed).decide({ problem: item, models: ['small', 'large'], answers: {} })).model));
    expect(await picks(3)).toEqual(await picks(3));
    expect(await picks(3)).not.toEqual(await picks(4));
  });

  it('rejects a rate outside [0, 1]', () => {
    expect(() => registry.create('router', 'core/random', { rate: 1.2 }, context)).toThrow(/key "rate"/);
  });
});

describe('always-small / always-large', () => {
  it('never and always delegate', async () => {
    expect((await registry.create('router', 'core/always-small', {}, context).instance.decide({ problem, models: ['small', 'large'], answers: {} })).model).toBe('small');
    expect((await registry.create('router', 'core/always-large', {}, context).instance.decide({ problem, models: ['small', 'large'], answers: {} })).model).toBe('large');
  });
});

describe('core/always-model', () => {
  it('answers with the model its option names, among any number of models, before generation', async () => {
    const router = registry.create('router', 'core/always-model', { model: 'mid' }, context).instance;
    expect(router.capabilities).toMatchObject({ decides: 'before-generation', reads: [] });
    expect((await router.decide({ problem, models: ['small', 'mid', 'large'], answers: {} })).model).toBe('mid');
  });

  it('refuses a model that is not among the candidates, naming them', async () => {
    const router = registry.create('router', 'core/always-model', { model: 'huge' }, context).instance;
    await expect(router.decide({ problem, models: ['small', 'mid'], answers: {} })).rejects.toThrow(/"huge" is not one of small, mid/);
  });
});
