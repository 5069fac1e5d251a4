import { CONFIDENT_TOKEN, PriceTable, UNCERTAIN_TOKEN, type ConfidenceToken } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { buildOutcomeTable, CONFIDENCE_TOKEN_CONFIDENT, CONFIDENCE_TOKEN_NONE, CONFIDENCE_TOKEN_UNCERTAIN, type OutcomeRecord } from './outcome-table.js';

/**
 * Three runs of a hand-made set of problems, prices $1, $2 and $10 per million output tokens:
 *   run a: p1 p2 x1        run b: p1 p2 x2 x3        run c: x1 p2 p1 (another order)
 * Every run answers p1 and p2; x1 is missing from b, x2 and x3 from a and c. So the table holds [p1, p2] in a's order,
 * a loses 1 (x1), b loses 2 (x2, x3), c loses 1 (x1).
 */
const prices = PriceTable.parse({
  id: 'test',
  version: '2025-01-01',
  currency: 'USD',
  source: 'hand-made',
  thinkingBilledAs: 'output',
  models: { a: { inputPerMillion: 0, outputPerMillion: 1 }, b: { inputPerMillion: 0, outputPerMillion: 2 }, c: { inputPerMillion: 0.5, outputPerMillion: 10 } },
});

interface RecordSpec {
  score?: number;
  correct: boolean;
  output?: number;
  thinking?: number;
  input?: number;
  latencyMs?: number | null;
  token?: ConfidenceToken | null;
  probabilities?: { confident: number; uncertain: number };
}

function record(problemId: string, model: string, spec: RecordSpec): OutcomeRecord {
  return {
    problemId,
    grade: spec.score === undefined ? { correct: spec.correct } : { correct: spec.correct, score: spec.score },
    generation: {
      model,
      text: '',
      answer: null,
      confidenceToken: spec.token ?? null,
      ...(spec.probabilities === undefined ? {} : { confidenceProbabilities: spec.probabilities }),
      usage: { input: spec.input ?? 0, output: spec.output ?? 100, thinking: spec.thinking ?? 0 },
      latencyMs: spec.latencyMs === undefined ? 1000 : spec.latencyMs,
      finishReason: 'stop',
    },
  };
}

const runA = [
  record('p1', 'a', { score: 0.25, correct: false, output: 100, token: CONFIDENT_TOKEN, probabilities: { confident: 0.6, uncertain: 0.2 } }),
  record('p2', 'a', { correct: true, output: 300, latencyMs: null, token: UNCERTAIN_TOKEN, probabilities: { confident: 0.1, uncertain: 0.1 } }),
  record('x1', 'a', { correct: true }),
];
const runB = [
  record('p1', 'b', { score: 0.5, correct: true, output: 100, thinking: 50 }),
  record('p2', 'b', { score: 0, correct: false }),
  record('x2', 'b', { correct: true }),
  record('x3', 'b', { correct: true }),
];
const runC = [record('x1', 'c', { correct: false }), record('p2', 'c', { score: 1, correct: true, input: 1000 }), record('p1', 'c', { score: 0.75, correct: true })];
const models = [
  { label: 'A', records: runA },
  { label: 'B', records: runB },
  { label: 'C', records: runC },
];

describe('buildOutcomeTable, against a hand-made set of three runs', () => {
  const table = buildOutcomeTable(models, prices);

  it('intersects the problem ids in the first run order and counts what each run lost', () => {
    expect(table.problemCount).toBe(2);
    expect(table.problemIds).toEqual(['p1', 'p2']);
    expect(table.labels).toEqual(['A', 'B', 'C']);
    expect(table.lost).toEqual([
      { label: 'A', count: 1, firstIds: ['x1'] },
      { label: 'B', count: 2, firstIds: ['x2', 'x3'] },
      { label: 'C', count: 1, firstIds: ['x1'] },
    ]);
    expect(buildOutcomeTable(models, prices, { lostIdsShown: 1 }).lost[1]).toEqual({ label: 'B', count: 2, firstIds: ['x2'] });
  });

  it('takes grade.score where given, else correct ? 1 : 0, and keeps the binary verdict beside it', () => {
    // A: p1 score 0.25 (not correct), p2 no score and correct -> 1; B: 0.5 (correct), 0; C: 0.75 (row of p1), 1 (p2)
    expect(Array.from(table.models[0]!.score)).toEqual([0.25, 1]);
    expect(Array.from(table.models[0]!.correct)).toEqual([0, 1]);
    expect(Array.from(table.models[1]!.score)).toEqual([0.5, 0]);
    expect(Array.from(table.models[1]!.correct)).toEqual([1, 0]);
    expect(Array.from(table.models[2]!.score)).toEqual([0.75, 1]);
  });

  it('costs each call in 1e-8 dollars and keeps the token counts', () => {
    // A: 100 and 300 output tokens at $1/M = 1e-4 and 3e-4 dollars = 10,000 and 30,000 units
    // B, p1: (100 output + 50 thinking) at $2/M = 3e-4 dollars = 30,000 units; p2: 100 at $2/M = 20,000 units
    // C, p2: 1,000 input at $0.5/M + 100 output at $10/M = 5e-4 + 1e-3 = 1.5e-3 dollars = 150,000 units
    expect(Array.from(table.models[0]!.costHundredMillionths)).toEqual([10_000, 30_000]);
    expect(Array.from(table.models[1]!.costHundredMillionths)).toEqual([30_000, 20_000]);
    expect(Array.from(table.models[2]!.costHundredMillionths)).toEqual([100_000, 150_000]);
    expect(Array.from(table.models[1]!.outputTokens)).toEqual([100, 100]);
    expect(Array.from(table.models[1]!.thinkingTokens)).toEqual([50, 0]);
    expect(Array.from(table.models[2]!.inputTokens)).toEqual([0, 1000]);
  });

  it('marks missing latencies and P(c) in presence masks, never as NaN, and dictionary-codes the token', () => {
    const a = table.models[0]!;
    expect(Array.from(a.latencyMs)).toEqual([1000, 0]);
    expect(Array.from(a.latencyPresent)).toEqual([1, 0]);
    // p1: 0.6 / (0.6 + 0.2) = 0.75; p2: mass 0.2 is under the default floor 0.5 -> absent
    expect(a.pConfident[0]).toBeCloseTo(0.75, 12);
    expect(Array.from(a.pConfidentPresent)).toEqual([1, 0]);
    expect(Array.from(table.models[1]!.pConfidentPresent)).toEqual([0, 0]);
    expect(Array.from(a.confidenceToken)).toEqual([CONFIDENCE_TOKEN_CONFIDENT, CONFIDENCE_TOKEN_UNCERTAIN]);
    expect(Array.from(table.models[1]!.confidenceToken)).toEqual([CONFIDENCE_TOKEN_NONE, CONFIDENCE_TOKEN_NONE]);
    // a lower floor gives p2 its P(c): 0.1 / 0.2 = 0.5
    const lowFloor = buildOutcomeTable(models, prices, { minTokenMass: 0.1 });
    expect(lowFloor.models[0]!.pConfident[1]).toBeCloseTo(0.5, 12);
    expect(lowFloor.models[0]!.pConfidentPresent[1]).toBe(1);
  });

  it('accepts one price table per model', () => {
    const cheapC = PriceTable.parse({ ...prices, models: { ...prices.models, c: { inputPerMillion: 0, outputPerMillion: 1 } } });
    // C with $1/M output and free input: 100 output tokens each = 10,000 units
    expect(Array.from(buildOutcomeTable(models, [prices, prices, cheapC]).models[2]!.costHundredMillionths)).toEqual([10_000, 10_000]);
  });

  it('refuses a duplicate label, a problem answered twice and a score outside [0, 1]', () => {
    expect(() => buildOutcomeTable([models[0]!, { ...models[1]!, label: 'A' }], prices)).toThrow(/label "A" is given twice/);
    expect(() => buildOutcomeTable([models[0]!, { label: 'B', records: [...runB, runB[0]!] }], prices)).toThrow(/problem "p1" is answered twice/);
    expect(() => buildOutcomeTable([{ label: 'A', records: [runA[0]!, runA[0]!] }], prices)).toThrow(/answered twice/);
    expect(() => buildOutcomeTable([{ label: 'A', records: [record('p1', 'a', { score: 1.5, correct: true })] }], prices)).toThrow(/\[0, 1\]/);
  });

  it('gives an empty table when the runs share no problem', () => {
    const disjoint = buildOutcomeTable([{ label: 'A', records: [runA[2]!] }, { label: 'B', records: [runB[2]!] }], prices);
    expect(disjoint.problemCount).toBe(0);
    expect(disjoint.lost.map((entry) => entry.count)).toEqual([1, 1]);
  });
});
