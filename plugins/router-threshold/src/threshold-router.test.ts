import { PluginRegistry, RUN_RECORD_SCHEMA_VERSION, routingScore, SEED_PRICES_2025_11, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { thresholdRouter } from './threshold-router.js';

const registry = new PluginRegistry().register(thresholdRouter);
const context = { priceTable: SEED_PRICES_2025_11 };
const problem = { id: 'p', problem: 'x', answer: '1' };

function record(fields: { output?: number; probabilities?: { confident: number; uncertain: number }; token?: '<|c_math|>' | '<|u_math|>' | null }): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'slm',
    problemId: 'p',
    gold: '1',
    generation: {
      model: 'm',
      text: '',
      answer: '1',
      confidenceToken: fields.token ?? null,
      ...(fields.probabilities ? { confidenceProbabilities: fields.probabilities } : {}),
      usage: { input: 10, output: fields.output ?? 100, thinking: 0 },
      latencyMs: null,
      finishReason: null,
    },
    grade: { correct: true, evaluator: 'recorded' },
  };
}

async function target(options: object, small: RunRecord) {
  return (await registry.create('router', 'core/threshold', options, context).instance.decide({ problem, models: ['small', 'large'], answers: { small } })).model;
}

describe('core/threshold', () => {
  it.each([
    // P(c) / (P(c) + P(u)) = 0.375 / 0.5 = 0.75
    [{ threshold: 0.7 }, 'small'],
    [{ threshold: 0.75 }, 'small'],
    [{ threshold: 0.8 }, 'large'],
  ])('normalises P(c) and delegates under the threshold: %j -> %s', async (options, expected) => {
    expect(await target(options, record({ probabilities: { confident: 0.375, uncertain: 0.125 } }))).toBe(expected);
  });

  it.each([
    [500, 'small'],
    [601, 'large'],
  ])('delegates long answers with keep-low on output length: %i tokens -> %s', async (output, expected) => {
    expect(await target({ score: 'generation.usage.output', direction: 'keep-low', threshold: 600 }, record({ output }))).toBe(expected);
  });

  it('reproduces Delegation II as a threshold on the confidence token', async () => {
    const options = { score: 'confidence-token', threshold: 0.5 };
    expect(await target(options, record({ token: '<|c_math|>' }))).toBe('small');
    expect(await target(options, record({ token: '<|u_math|>' }))).toBe('large');
    expect(await target(options, record({ token: null }))).toBe('large');
  });

  it('rejects a probability threshold out of range in one clear line', () => {
    expect(() => registry.create('router', 'core/threshold', { threshold: 1.5 }, context)).toThrow(
      /router plugin "core\/threshold": key "threshold": a p-confident threshold must be in \[0, 1\], got 1.5/,
    );
  });

  it('names the run, problem and field when a score is missing', () => {
    expect(() => routingScore(record({}), 'p-confident')).toThrow(/run "slm" has no confidence-token probabilities \(problem p\)/);
    expect(() => routingScore(record({}), 'generation.usage.reasoning')).toThrow(/score field "generation.usage.reasoning" is missing/);
  });
});

describe('core/threshold: P(c) needs the confidence tokens to hold enough mass', () => {
  // a tiny random model: ~3e-27 on each token; renormalised it would read P(c) = 0.6
  const tiny = record({ probabilities: { confident: 3e-27, uncertain: 2e-27 } });

  it('delegates an answer whose tokens hold less than the floor (default 0.5), at every threshold, and says why', async () => {
    for (const threshold of [0, 0.3, 1]) {
      const decision = await registry.create('router', 'core/threshold', { threshold }, context).instance.decide({ problem, models: ['small', 'large'], answers: { small: tiny } });
      expect(decision.model).toBe('large');
      expect(decision.score).toBeUndefined();
      expect(decision.reason).toMatch(/no P\(c\): the confidence tokens hold 5\.0e-27 of the probability, under the floor 0\.5/);
    }
  });

  it('scores P(c) once the mass reaches the floor, and the floor is an option', async () => {
    const light = record({ probabilities: { confident: 0.3, uncertain: 0.1 } }); // mass 0.4, P(c) 0.75
    expect(routingScore(light, 'p-confident')).toBeNull();
    expect(routingScore(light, 'p-confident', { minTokenMass: 0.4 })).toBeCloseTo(0.75);
    expect(await target({ threshold: 0.7, minTokenMass: 0.4 }, light)).toBe('small');
    expect(await target({ threshold: 0.7 }, light)).toBe('large');
  });

  it('records the floor in the validated options', () => {
    expect(registry.create('router', 'core/threshold', { threshold: 0.5 }, context).use.options).toMatchObject({ minTokenMass: 0.5 });
  });
});
