import { PriceTable, type Generation } from '@confide/core';
import type { OutcomeRecord } from '../../outcome-table.js';

/** A hand-made price table for tests: each model's output tokens at the given dollars per million, input free. */
export function outputPrices(dollarsPerMillion: Readonly<Record<string, number>>): PriceTable {
  return PriceTable.parse({
    id: 'test',
    version: '2025-01-01',
    currency: 'USD',
    source: 'hand-made',
    thinkingBilledAs: 'output',
    models: Object.fromEntries(Object.entries(dollarsPerMillion).map(([model, price]) => [model, { inputPerMillion: 0, outputPerMillion: price }])),
  });
}

/**
 * One model's record of one problem for a hand-made outcome table: its graded score (the verdict is score ≥ 0.5), 100
 * output tokens and no confidence token unless `generation` says otherwise.
 */
export function gradedRecord(model: string, problemId: string, score: number, generation: Partial<Generation> = {}): OutcomeRecord {
  return {
    problemId,
    grade: { correct: score >= 0.5, score },
    generation: { model, text: '', answer: null, confidenceToken: null, usage: { input: 0, output: 100, thinking: 0 }, latencyMs: null, finishReason: 'stop', ...generation },
  };
}
