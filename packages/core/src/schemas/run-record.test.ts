import { describe, expect, it } from 'vitest';
import { gradeScore } from './grade.js';
import { RunRecord } from './run-record.js';

const valid = {
  schemaVersion: 2,
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

  it('reads a v1 line as v2 (what v2 added is optional), and refuses a v1 line that holds a v2 field', () => {
    expect(RunRecord.parse({ ...valid, schemaVersion: 1 })).toEqual(valid);
    expect(RunRecord.safeParse({ ...valid, schemaVersion: 1, grade: { ...valid.grade, score: 0.5 } }).success).toBe(false);
  });

  it('carries a graded score in [0, 1] and the label of the model a route chose', () => {
    const graded = { ...valid, grade: { correct: false, score: 0.4, evaluator: 'f1' }, route: { router: 'r', target: 'large', model: 'gemini-pro', reason: 'x' } };
    expect(RunRecord.parse(graded)).toEqual(graded);
    expect(gradeScore(graded.grade)).toBe(0.4);
    expect(gradeScore({ correct: true })).toBe(1);
    expect(RunRecord.safeParse({ ...valid, grade: { ...valid.grade, score: 1.5 } }).success).toBe(false);
  });

  it('carries a slice, a recorded cost as given and a mark that the source recorded no token counts (all optional)', () => {
    const imported = { ...valid, slice: 'gsm8k', generation: { ...valid.generation, usage: { input: 0, output: 0, thinking: 0 }, recordedCostUsd: 0.0000375, usageUnknown: true } };
    expect(RunRecord.parse(imported)).toEqual(imported);
    expect(RunRecord.safeParse({ ...imported, generation: { ...imported.generation, usageUnknown: false } }).success).toBe(false);
    expect(RunRecord.safeParse({ ...imported, generation: { ...imported.generation, recordedCostUsd: -1 } }).success).toBe(false);
  });

  it('rejects unknown keys and negative token counts', () => {
    expect(RunRecord.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    const negative = { ...valid, generation: { ...valid.generation, usage: { input: -1, output: 2, thinking: 0 } } };
    expect(RunRecord.safeParse(negative).success).toBe(false);
  });

  it("carries an exploring router's propensities (optional), which must sum to one", () => {
    const explored = { ...valid, route: { router: 'core/explore', target: 'large', reason: 'x', score: 0, propensity: 0.8, propensities: { small: 0.2, large: 0.8 } } };
    expect(RunRecord.parse(explored)).toEqual(explored);
    expect(RunRecord.safeParse({ ...explored, route: { ...explored.route, propensities: { small: 0.3, large: 0.8 } } }).success).toBe(false);
    expect(RunRecord.safeParse({ ...explored, route: { ...explored.route, propensity: 1.2 } }).success).toBe(false);
    // a v2 field: a v1 line holding one is refused
    expect(RunRecord.safeParse({ ...explored, schemaVersion: 1 }).success).toBe(false);
  });

  it('rejects confidence probabilities that sum past one', () => {
    const bad = { ...valid, generation: { ...valid.generation, confidenceProbabilities: { confident: 0.7, uncertain: 0.6 } } };
    expect(RunRecord.safeParse(bad).success).toBe(false);
  });
});
