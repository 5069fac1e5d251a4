import { definePlugin, PLUGIN_SPECIFICATION_VERSION, PluginRegistry, SEED_PRICES_2025_11 } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { firstOfEvaluator } from './first-of.js';

/** Two stand-in evaluators: "rules" accepts when the response equals the gold; "judge" accepts everything and counts its calls. */
function registry(counts: { rules: number; judge: number; closed: number }): PluginRegistry {
  const fake = (id: string, decide: (gold: string, response: string) => boolean, key: 'rules' | 'judge') =>
    definePlugin({
      id,
      kind: 'evaluator',
      description: id,
      optionsSchema: z.strictObject({}),
      create: () => ({
        specificationVersion: PLUGIN_SPECIFICATION_VERSION,
        async grade(input) {
          counts[key]++;
          const correct = decide(input.gold, input.response);
          return { correct, evaluator: id, reason: `${id} says ${correct}`, answer: key === 'rules' ? input.response : null };
        },
        close: async () => void counts.closed++,
      }),
    });
  return new PluginRegistry()
    .register(firstOfEvaluator)
    .register(fake('test/rules', (gold, response) => gold === response, 'rules'))
    .register(fake('test/judge', () => true, 'judge'));
}

const context = { priceTable: SEED_PRICES_2025_11 };
const chain = { evaluators: [{ id: 'test/rules' }, { id: 'test/judge' }] };

describe('core/first-of', () => {
  it('asks the next evaluator only where the rules reject, and names the one that decided', async () => {
    const counts = { rules: 0, judge: 0, closed: 0 };
    const { instance } = registry(counts).create('evaluator', 'core/first-of', chain, context);
    const pairs: [string, string][] = [['1', '1'], ['2', '3'], ['4', '4'], ['5', '6'], ['7', '8']];
    const verdicts = await Promise.all(pairs.map(([gold, response]) => instance.grade({ gold, response })));
    expect(counts).toMatchObject({ rules: 5, judge: 3 });
    expect(verdicts.map((verdict) => verdict.evaluator)).toEqual(['test/rules', 'test/judge', 'test/rules', 'test/judge', 'test/judge']);
    expect(verdicts.every((verdict) => verdict.correct)).toBe(true);
    expect(verdicts[1]!.steps).toEqual([
      { evaluator: 'test/rules', correct: false, reason: 'test/rules says false' },
      { evaluator: 'test/judge', correct: true, reason: 'test/judge says true' },
    ]);
    expect(verdicts[1]!.reason).toMatch(/^decided by test\/judge \(step 2 of 2\): test\/rules: incorrect/);
    // the answer is the one the first evaluator that reads one found
    expect(verdicts[1]!.answer).toBe('3');
    await instance.close();
    expect(counts.closed).toBe(2);
  });

  it('with decisive "any", the first verdict decides', async () => {
    const counts = { rules: 0, judge: 0, closed: 0 };
    const { instance } = registry(counts).create('evaluator', 'core/first-of', { ...chain, decisive: 'any' }, context);
    const verdict = await instance.grade({ gold: '2', response: '3' });
    expect(verdict).toMatchObject({ correct: false, evaluator: 'test/rules' });
    expect(counts.judge).toBe(0);
  });

  it('names an unknown part and needs two evaluators at least', () => {
    const counts = { rules: 0, judge: 0, closed: 0 };
    expect(() => registry(counts).create('evaluator', 'core/first-of', { evaluators: [{ id: 'test/rules' }, { id: 'test/nope' }] }, context)).toThrow(/test\/nope/);
    expect(() => registry(counts).create('evaluator', 'core/first-of', { evaluators: [{ id: 'test/rules' }] }, context)).toThrow(/evaluators/);
  });
});
