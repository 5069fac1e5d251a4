import { describe, expect, it } from 'vitest';
import { RunRecord } from './run-record.js';

const valid = {
  schemaVersion: 1,
  runId: 'r',
  problemId: 'test/algebra/1.json',
  gold: '3',
  generation: {
    model: 'gemini-2.5-flash',
    text: '\\boxed{3}',
    answer: '3',
    confidenceToken: null,
    usage: { input: 1, output: 2, thinking: 0 },
    latencyMs: 10,
    finishReason: 'STOP',
  },
  grade: { correct: true, evaluator: 'recorded' },
};

describe('RunRecord', () => {
  it('round-trips through JSON', () => {
    expect(RunRecord.parse(JSON.parse(JSON.stringify(RunRecord.parse(valid))))).toEqual(valid);
  });

  it('rejects unknown keys and negative token counts', () => {
    expect(RunRecord.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    const negative = { ...valid, generation: { ...valid.generation, usage: { input: -1, output: 2, thinking: 0 } } };
    expect(RunRecord.safeParse(negative).success).toBe(false);
  });

  it('rejects confidence probabilities that sum past one', () => {
    const bad = { ...valid, generation: { ...valid.generation, confidenceProbabilities: { confident: 0.7, uncertain: 0.6 } } };
    expect(RunRecord.safeParse(bad).success).toBe(false);
  });
});
