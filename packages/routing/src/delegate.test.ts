import {
  PLUGIN_SPECIFICATION_VERSION,
  RUN_RECORD_SCHEMA_VERSION,
  SEED_PRICES_2025_11,
  type Problem,
  type RouteDecision,
  type Router,
  type RunRecord,
} from '@confide/core';
import { describe, expect, it } from 'vitest';
import { delegate } from './delegate.js';
import { replaySource } from './generation-source.js';

const problems: Problem[] = ['p1', 'p2', 'p3'].map((id) => ({ id, problem: id, answer: '1' }));

function record(problemId: string, model: string, correct: boolean, usage = { input: 100, output: 1000, thinking: 0 }): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'source',
    problemId,
    gold: '1',
    generation: { model, text: '', answer: '1', confidenceToken: null, usage, latencyMs: null, finishReason: null },
    grade: { correct, evaluator: 'recorded' },
  };
}

const SMALL = 'qwen2.5-math-1.5b-instruct';
const LARGE = 'gemini-2.5-flash';
const smallRecords = [record('p1', SMALL, true), record('p2', SMALL, false), record('p3', SMALL, false)];
const largeRecords = [record('p1', LARGE, true), record('p2', LARGE, true), record('p3', LARGE, false)];

/** Delegates the problems whose small answer is wrong (an oracle), to exercise the engine. */
const oracle: Router = {
  specificationVersion: PLUGIN_SPECIFICATION_VERSION,
  capabilities: { needsSmallAnswer: true },
  async decide({ small }) {
    return { router: 'test/oracle', target: small!.grade.correct ? 'small' : 'large', reason: 'oracle' };
  },
};

describe('delegate', () => {
  it('takes each answer from the routed model and bills every call', async () => {
    const result = await delegate({
      runId: 'delegated',
      problems,
      router: oracle,
      small: replaySource('small', smallRecords),
      large: replaySource('large', largeRecords),
      prices: SEED_PRICES_2025_11,
    });
    expect(result.records.map((r) => [r.problemId, r.generation.model, r.grade.correct, r.runId])).toEqual([
      ['p1', SMALL, true, 'delegated'],
      ['p2', LARGE, true, 'delegated'],
      ['p3', LARGE, false, 'delegated'],
    ]);
    // answers: 1 small (100 in + 1000 out at 0.10) + 2 large (100 at 0.30 + 1000 at 2.50 each)
    expect(result.ledger.totals((entry) => entry.role === 'answer').costUsd).toBe(0.00011 + 2 * 0.00253);
    // the two small answers that were delegated away were still paid for
    expect(result.ledger.totals((entry) => entry.role === 'superseded')).toMatchObject({ calls: 2, costUsd: 0.00022 });
  });

  it('asks a pre-generation router first and calls only the chosen model, billing the router', async () => {
    const recordedRoutes = new Map<string, RouteDecision>([
      ['p1', { router: 'x', target: 'large', reason: 'r', routerModel: 'gemini-2.5-flash-lite', routerUsage: { input: 10, output: 10, thinking: 0 } }],
      ['p2', { router: 'x', target: 'small', reason: 'r' }],
      ['p3', { router: 'x', target: 'small', reason: 'r' }],
    ]);
    const replay: Router = {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: { needsSmallAnswer: false },
      async decide({ recordedRoute }) {
        return recordedRoute!;
      },
    };
    const asked: string[] = [];
    const countingSmall = replaySource('small', smallRecords);
    const result = await delegate({
      runId: 'd1',
      problems,
      router: replay,
      small: { label: 'small', generationFor: (problem) => (asked.push(problem.id), countingSmall.generationFor(problem)) },
      large: replaySource('large', largeRecords),
      prices: SEED_PRICES_2025_11,
      recordedRoutes,
    });
    expect(asked).toEqual(['p2', 'p3']);
    expect(result.ledger.totals((entry) => entry.role === 'superseded').calls).toBe(0);
    expect(result.ledger.totals((entry) => entry.role === 'router')).toMatchObject({ calls: 1, costUsd: 0.000005 });
  });

  it('fails with the problem id when a source has no answer', async () => {
    await expect(
      delegate({
        runId: 'd',
        problems,
        router: oracle,
        small: replaySource('small', smallRecords.slice(0, 2)),
        large: replaySource('large', largeRecords),
        prices: SEED_PRICES_2025_11,
      }),
    ).rejects.toThrow(/replay:small has no answer for p3/);
  });
});
