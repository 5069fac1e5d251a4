import {
  CONFIDENT_TOKEN,
  InvalidConfigError,
  InvalidInputError,
  UNCERTAIN_TOKEN,
  RUN_RECORD_SCHEMA_VERSION,
  type RunRecord,
} from '@confide/core';
import { describe, expect, it } from 'vitest';
import {
  annotateAnswer,
  balanceExamples,
  parseSftDatasetConfig,
  stripConfidenceToken,
} from './build-sft-dataset.js';

describe('annotation and balancing', () => {
  const problem = { id: 'p', problem: '1+1', answer: '2' };
  const graded: RunRecord = {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'r',
    problemId: 'p',
    gold: '2',
    generation: { model: 'm', text: 'so \\boxed{2} <|u_math|>  \n', answer: '2', confidenceToken: null, usage: { input: 1, output: 1, thinking: 0 }, latencyMs: null, finishReason: 'stop' },
    grade: { correct: true, evaluator: 'e' },
  };

  it.each([
    ['so \\boxed{2} <|c_math|>', 'so \\boxed{2}'],
    ['so \\boxed{2}<|u_math|> <|c_math|>\n', 'so \\boxed{2}'],
    ['no token  ', 'no token'],
    ['<|c_math|> in the middle is kept', '<|c_math|> in the middle is kept'],
  ])('strips a trailing token from %j', (text, expected) => {
    expect(stripConfidenceToken(text)).toBe(expected);
  });

  it('writes <|c_math|> after a correct answer, <|u_math|> after a wrong one', () => {
    expect(annotateAnswer(problem, graded)).toMatchObject({ response: 'so \\boxed{2}', confidenceToken: CONFIDENT_TOKEN, annotatedResponse: 'so \\boxed{2} <|c_math|>' });
    expect(annotateAnswer(problem, { ...graded, grade: { ...graded.grade, correct: false } })).toMatchObject({ confidenceToken: UNCERTAIN_TOKEN, annotatedResponse: 'so \\boxed{2} <|u_math|>' });
  });

  it('refuses to balance when a class is empty', () => {
    let error: unknown;
    try {
      balanceExamples([{ correct: false }, { correct: false }], 42, 'tiny.jsonl');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe('tiny.jsonl, field "correct": cannot balance 0 correct and 2 incorrect examples: both classes are needed (set "balance": false)');
  });

  it('keeps all of the smaller class and a sample of the larger', () => {
    const examples = Array.from({ length: 20 }, (_, index) => ({ index, correct: index < 15 }));
    const balanced = balanceExamples(examples, 42);
    expect(balanced).toHaveLength(10);
    expect(balanced.filter((example) => !example.correct).map((example) => example.index).sort((a, b) => a - b)).toEqual([15, 16, 17, 18, 19]);
    expect(new Set(balanced.map((example) => example.index)).size).toBe(10);
  });
});

describe('parseSftDatasetConfig', () => {
  it.each([
    [{ splt: 'x' }, 'cfg.json: key "splt": unknown key'],
    [{ prompt: { user: 'no placeholder' } }, 'cfg.json: key "prompt.user": the user template must contain {problem}'],
    [{ priceTable: 'nope' }, 'cfg.json: key "priceTable": a bundled price table (seed-math500) or a path to a price table .json file'],
  ])('rejects %j naming the key', (change, message) => {
    const input = { split: 'math500', client: { id: 'test/gold-or-not' }, prompt: { user: '{problem}' }, maxOutputTokens: 8, ...change };
    expect(() => parseSftDatasetConfig(input, 'cfg.json')).toThrow(InvalidConfigError);
    expect(() => parseSftDatasetConfig(input, 'cfg.json')).toThrow(message);
  });

  it('grades with core/math unless told otherwise', () => {
    expect(parseSftDatasetConfig({ split: 'math-train-sft', client: { id: 'core/transformers' }, prompt: { user: '{problem}' }, maxOutputTokens: 8 }, 'c')).toMatchObject({
      evaluator: { id: 'core/math', options: {} },
      balance: false,
      seed: 42,
    });
  });
});
