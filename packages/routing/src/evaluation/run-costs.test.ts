import { CostUnknownError, PriceTable, ZERO_USAGE, type Problem, type RunRecord } from '@confide/core';
import { testProblem, testRunRecord } from '@confide/core/testing';
import { describe, expect, it } from 'vitest';
import { CostLedger } from '../cost-ledger.js';
import { outcomeTable } from '../sweep/outcome-table.js';
import { buildOutcomeTable } from './outcome-table.js';
import { pairOutcomeTable } from './pair/pair-outcome-table.js';
import { accuracyByProblemSlice } from './pair/problem-slices.js';
import { recordedCalls } from './run-comparison.js';
import { costUnknownSentence, recordedCostSentence, runCosts } from './run-costs.js';

/** $1 per million output tokens for `small`, $10 for `large`; `logged` has no price (its log records its costs). */
const prices = PriceTable.parse({
  id: 'test',
  version: '2025-01-01',
  currency: 'USD',
  source: 'hand-made',
  thinkingBilledAs: 'output',
  models: { small: { inputPerMillion: 0, outputPerMillion: 1 }, large: { inputPerMillion: 0, outputPerMillion: 10 } },
});

const problems: Problem[] = ['p1', 'p2', 'p3'].map((id, index) => testProblem({ id, ...(index < 2 ? { slice: 'gsm8k' } : { slice: 'arc' }) }));

/** A record of `model` with 100 output tokens, or (no token counts) the given recorded cost or none. */
function answer(problem: Problem, model: string, cost: { recordedUsd?: number; noTokens?: boolean } = {}, correct = true): RunRecord {
  return testRunRecord({
    problem,
    generation: {
      model,
      usage: cost.noTokens ? ZERO_USAGE : { input: 0, output: 100, thinking: 0 },
      ...(cost.noTokens ? { usageUnknown: true as const } : {}),
      ...(cost.recordedUsd !== undefined ? { recordedCostUsd: cost.recordedUsd } : {}),
    },
    grade: { correct },
  });
}

const small = problems.map((problem) => answer(problem, 'small'));
const recordedLarge = problems.map((problem, index) => answer(problem, 'large', { noTokens: true, recordedUsd: 0.001 * (index + 1) }));
const unpricedLarge = problems.map((problem) => answer(problem, 'logged', { recordedUsd: 0.002 }));
const unknownLarge = problems.map((problem, index) => answer(problem, 'large', index === 1 ? { noTokens: true } : {}));

describe('a run on a cost axis', () => {
  it('counts how each record is costed, and says which costs are the recorded cost', () => {
    const tokens = runCosts('small-model', small, prices);
    expect([tokens.tokens, tokens.unknown, recordedCostSentence(tokens, prices), costUnknownSentence(tokens)]).toEqual([3, 0, null, null]);
    const recorded = runCosts('large-model', recordedLarge, prices);
    expect(recorded).toMatchObject({ tokens: 0, recordedWithoutTokens: 3, unknown: 0 });
    expect(recordedCostSentence(recorded, prices)).toBe('large-model: the costs of all 3 of its records are the recorded cost (the cost its source recorded, as given), not token counts priced by test@2025-01-01: 3 record no token counts.');
    expect(recordedCostSentence(runCosts('logged', unpricedLarge, prices), prices)).toMatch(/3 are of a model test@2025-01-01 has no price for \(logged\)\.$/);
  });

  it('a record with neither token counts nor a recorded cost leaves the run off the cost axis, saying why', () => {
    const costs = runCosts('large-model', unknownLarge, prices);
    expect(costs).toMatchObject({ tokens: 2, unknown: 1, firstUnknown: 'p2' });
    expect(costUnknownSentence(costs)).toBe('large-model is not placed on a cost axis: 1 of its 3 records (the first: problem p2) carry neither token counts nor a recorded cost, so what they cost is unknown, not $0.');
  });

  it('the pair table, the K-model table, the ledger and a record\'s calls cost a recorded cost as given, and refuse an unknown one', () => {
    const pair = pairOutcomeTable(problems, { label: 's', records: small }, { label: 'l', records: recordedLarge }, prices);
    expect([...pair.smallCost]).toEqual([10_000, 10_000, 10_000]);
    expect([...pair.largeCost]).toEqual([100_000, 200_000, 300_000]);
    // priced token counts alone: exactly routing's outcomeTable
    expect(pairOutcomeTable(problems, { label: 's', records: small }, { label: 'l', records: small }, prices)).toEqual(outcomeTable(problems, { label: 's', records: small }, { label: 'l', records: small }, prices));
    expect([...pairOutcomeTable(problems, { label: 's', records: small }, { label: 'l', records: unpricedLarge }, prices).largeCost]).toEqual([200_000, 200_000, 200_000]);
    expect(() => pairOutcomeTable(problems, { label: 's', records: small }, { label: 'l', records: unknownLarge }, prices)).toThrow(CostUnknownError);

    const table = buildOutcomeTable([{ label: 'small', records: small }, { label: 'large', records: recordedLarge }], prices);
    expect([...table.models[1]!.costHundredMillionths]).toEqual([100_000, 200_000, 300_000]);
    expect(() => buildOutcomeTable([{ label: 'small', records: small }, { label: 'large', records: unknownLarge }], prices)).toThrow(/unknown: its source recorded neither token counts nor a cost/);

    const ledger = new CostLedger(prices);
    ledger.addGeneration('p1', 'answer', recordedLarge[0]!.generation);
    ledger.addGeneration('p2', 'answer', small[1]!.generation);
    expect(ledger.totals().costUsd).toBeCloseTo(0.0011, 12);
    expect(() => ledger.addGeneration('p2', 'answer', unknownLarge[1]!.generation)).toThrow(CostUnknownError);
    expect(recordedCalls(recordedLarge[2]!, prices).map((call) => call.costHundredMillionths)).toEqual([300_000]);
  });
});

describe('accuracy by the problems\' slice', () => {
  it('groups a routed run\'s verdicts by each problem\'s task or benchmark, sorted by name; none without slices', () => {
    expect(accuracyByProblemSlice({ correct: Uint8Array.from([1, 0, 1]) }, problems)).toEqual([
      { slice: 'arc', correct: 1, total: 1, percent: 100 },
      { slice: 'gsm8k', correct: 1, total: 2, percent: 50 },
    ]);
    expect(accuracyByProblemSlice({ correct: Uint8Array.from([1]) }, [testProblem()])).toEqual([]);
  });
});
