import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UNCERTAIN_TOKEN } from '../confidence-token.js';
import { definePlugin, type RouteInput } from '../plugins/plugin.js';
import { RunRecord } from '../schemas/run-record.js';
import { createForTest, routeInput, routePair, testGeneration, testPair, testProblem, testRunRecord } from './index.js';

/** Keeps the small answer when it is short; reads what `reads` says (to see what routePair lends). */
const shortAnswers = (reads: string[]) =>
  definePlugin({
    id: 'me/short',
    kind: 'router',
    description: 'keep short small answers',
    optionsSchema: z.strictObject({ maxOutputTokens: z.number().int().positive().default(350) }),
    create: (options) => ({
      specificationVersion: 'v2',
      capabilities: { decides: 'after-first-answer', reads },
      async decide({ answers }: RouteInput) {
        const length = answers['small']!.generation.usage.output;
        return { router: 'me/short', model: length <= options.maxOutputTokens ? 'small' : 'large', reason: `${length} tokens; read ${Object.keys(answers).join(',')}` };
      },
    }),
  });

describe('records', () => {
  it('are valid schema-v2 run records, with overrides merged into the generation and grade', () => {
    const record = testRunRecord({ generation: { confidenceToken: UNCERTAIN_TOKEN, usage: { output: 900 } }, grade: { correct: false } });
    expect(RunRecord.parse(record)).toEqual(record);
    expect(record).toMatchObject({ schemaVersion: 2, problemId: 'test/1', gold: '2', grade: { correct: false, evaluator: 'recorded' } });
    expect(record.generation.usage).toEqual({ input: 40, output: 900, thinking: 0 });
    expect(testRunRecord({ problem: testProblem({ id: 'p/7', answer: '7', level: 3 }) })).toMatchObject({ problemId: 'p/7', gold: '7', level: 3 });
  });

  it('refuse a bad override naming the helper and the key', () => {
    expect(() => testGeneration({ usage: { output: -1 } })).toThrow(/testGeneration, field "usage.output"/);
    expect(() => testProblem({ level: 9 })).toThrow(/testProblem, field "level"/);
  });
});

describe('testPair', () => {
  it('gives eight problems answered by both models, in the same order', () => {
    const pair = testPair();
    expect(pair.problems.map((problem) => problem.id)).toEqual(['test/1', 'test/2', 'test/3', 'test/4', 'test/5', 'test/6', 'test/7', 'test/8']);
    expect(pair.small.map((record) => record.problemId)).toEqual(pair.problems.map((problem) => problem.id));
    expect(pair.large.map((record) => record.problemId)).toEqual(pair.problems.map((problem) => problem.id));
    expect(pair.small.map((record) => record.grade.correct)).toEqual([true, true, true, true, false, false, false, false]);
    expect(pair.small.map((record) => record.generation.confidenceToken === '<|c_math|>')).toEqual([true, true, true, false, true, false, false, false]);
    expect(pair.large.filter((record) => !record.grade.correct).map((record) => record.problemId)).toEqual(['test/8']);
    for (const record of [...pair.small, ...pair.large]) expect(RunRecord.parse(record)).toEqual(record);
  });
});

describe('plugins', () => {
  it('createForTest fills the defaults and refuses a bad option naming the key', async () => {
    const router = createForTest(shortAnswers(['small']));
    expect((await router.decide(routeInput(testRunRecord({ generation: { usage: { output: 300 } } })))).model).toBe('small');
    expect((await router.decide(routeInput(testRunRecord({ generation: { usage: { output: 400 } } })))).model).toBe('large');
    expect(() => createForTest(shortAnswers(['small']), { maxOutputTokens: 'long' })).toThrow(/key "maxOutputTokens"/);
  });

  it('routePair asks the router every problem with only the answers it reads', async () => {
    const pair = testPair();
    const decisions = await routePair(createForTest(shortAnswers(['small'])), pair);
    expect(decisions.map((decision) => decision.model)).toEqual(['small', 'small', 'small', 'large', 'large', 'large', 'large', 'large']);
    expect(decisions[0]!.reason).toBe('100 tokens; read small');
    expect((await routePair(createForTest(shortAnswers(['small', 'large'])), pair))[0]!.reason).toBe('100 tokens; read small,large');
    await expect(routePair(createForTest(shortAnswers(['small', 'peer'])), pair)).rejects.toThrow(/reads "peer"/);
  });
});
