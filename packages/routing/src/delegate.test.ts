import {
  decisionOfRoute,
  PLUGIN_SPECIFICATION_VERSION,
  RUN_RECORD_SCHEMA_VERSION,
  SEED_PRICES_2025_11,
  type Problem,
  type RouteDecision,
  type Router,
  type RunRecord,
} from '@confide/core';
import { describe, expect, it } from 'vitest';
import { cascade } from './cascade.js';
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
  capabilities: { decides: 'after-first-answer', reads: ['small'] },
  async decide({ answers }) {
    return { router: 'test/oracle', model: answers['small']!.grade.correct ? 'small' : 'large', reason: 'oracle' };
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
      capabilities: { decides: 'before-generation', reads: [] },
      async decide({ recordedRoute }) {
        return decisionOfRoute(recordedRoute!);
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

  it('keeps the v1 route in the records of a pair (no model label where small/large say it)', async () => {
    const result = await delegate({ runId: 'd', problems, router: oracle, small: replaySource('small', smallRecords), large: replaySource('large', largeRecords), prices: SEED_PRICES_2025_11 });
    expect(result.records.map((record) => record.route)).toEqual([
      { router: 'test/oracle', target: 'small', reason: 'oracle' },
      { router: 'test/oracle', target: 'large', reason: 'oracle' },
      { router: 'test/oracle', target: 'large', reason: 'oracle' },
    ]);
  });
});

describe('delegate among K listed models', () => {
  const MID = 'gemini-2.5-flash-lite';
  const midRecords = [record('p1', MID, false), record('p2', MID, true), record('p3', MID, true)];
  const counted = (label: string, records: RunRecord[], asked: string[]) => {
    const source = replaySource(label, records);
    return { label, generationFor: (problem: Problem) => (asked.push(`${label}:${problem.id}`), source.generationFor(problem)) };
  };

  it('calls only the chosen model for a router deciding before generation, and names it in route.model', async () => {
    const choice: Record<string, string> = { p1: 'qwen', p2: 'lite', p3: 'flash' };
    const router: Router = {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: { decides: 'before-generation', reads: [] },
      async decide({ problem, models }) {
        expect(models).toEqual(['qwen', 'lite', 'flash']);
        return { router: 'test/pick', model: choice[problem.id]!, reason: 'picked' };
      },
    };
    const asked: string[] = [];
    const result = await delegate({
      runId: 'k',
      problems,
      router,
      models: [
        { label: 'qwen', source: counted('qwen', smallRecords, asked) },
        { label: 'lite', source: counted('lite', midRecords, asked) },
        { label: 'flash', source: counted('flash', largeRecords, asked) },
      ],
      prices: SEED_PRICES_2025_11,
    });
    expect(asked).toEqual(['qwen:p1', 'lite:p2', 'flash:p3']);
    expect(result.records.map((r) => [r.generation.model, r.route])).toEqual([
      [SMALL, { router: 'test/pick', target: 'small', model: 'qwen', reason: 'picked' }],
      [MID, { router: 'test/pick', target: 'large', model: 'lite', reason: 'picked' }],
      [LARGE, { router: 'test/pick', target: 'large', model: 'flash', reason: 'picked' }],
    ]);
    expect(result.ledger.entries.map((entry) => entry.role)).toEqual(['answer', 'answer', 'answer']);
  });

  it('bills a model read and not chosen as superseded before the chosen one and as peek after it', async () => {
    const router: Router = {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: { decides: 'after-first-answer', reads: ['qwen', 'flash'] },
      async decide() {
        return { router: 'test/middle', model: 'lite', reason: 'always the middle one' };
      },
    };
    const asked: string[] = [];
    const result = await delegate({
      runId: 'k',
      problems: problems.slice(0, 1),
      router,
      models: [
        { label: 'qwen', source: counted('qwen', smallRecords, asked) },
        { label: 'lite', source: counted('lite', midRecords, asked) },
        { label: 'flash', source: counted('flash', largeRecords, asked) },
      ],
      prices: SEED_PRICES_2025_11,
    });
    expect(asked).toEqual(['qwen:p1', 'flash:p1', 'lite:p1']);
    expect(result.ledger.entries.map((entry) => [entry.role, entry.model])).toEqual([
      ['superseded', SMALL],
      ['peek', LARGE],
      ['answer', MID],
    ]);
  });

  it('lets a pair router (small/large) route a pair of any labels, and refuses a label that is not listed', async () => {
    const pair = await delegate({
      runId: 'k',
      problems,
      router: oracle,
      models: [
        { label: 'qwen', source: replaySource('qwen', smallRecords) },
        { label: 'flash', source: replaySource('flash', largeRecords) },
      ],
      prices: SEED_PRICES_2025_11,
    });
    expect(pair.records.map((r) => r.route?.model)).toEqual(['qwen', 'flash', 'flash']);
    const three = delegate({
      runId: 'k',
      problems,
      router: oracle,
      models: [
        { label: 'qwen', source: replaySource('qwen', smallRecords) },
        { label: 'lite', source: replaySource('lite', midRecords) },
        { label: 'flash', source: replaySource('flash', largeRecords) },
      ],
      prices: SEED_PRICES_2025_11,
    });
    await expect(three).rejects.toThrow(/reads "small", which is neither among the models \(qwen, lite, flash\)/);
  });
});

describe('cascade', () => {
  const keepCorrect: Router = {
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'after-first-answer', reads: ['small'] },
    async decide({ answers }) {
      return { router: 'test/keep-correct', model: answers['small']!.grade.correct ? 'small' : 'large', reason: 'grade' };
    },
  };

  it('keeps the v1 route without labels and names the kept stage with them', async () => {
    const stages = (labelled: boolean) => [
      { source: replaySource('small', smallRecords), router: keepCorrect, ...(labelled ? { label: 'qwen' } : {}) },
      { source: replaySource('large', largeRecords), ...(labelled ? { label: 'flash' } : {}) },
    ];
    const plain = await cascade({ runId: 'c', problems, stages: stages(false), prices: SEED_PRICES_2025_11 });
    expect(plain.records.map((r) => r.route)).toEqual([
      { router: 'test/keep-correct', target: 'small', reason: 'stage 1: grade' },
      { router: 'cascade/final', target: 'small', reason: 'stage 2: last stage (2)' },
      { router: 'cascade/final', target: 'small', reason: 'stage 2: last stage (2)' },
    ]);
    const labelled = await cascade({ runId: 'c', problems, stages: stages(true), prices: SEED_PRICES_2025_11 });
    expect(labelled.records.map((r) => r.route?.model)).toEqual(['qwen', 'flash', 'flash']);
    expect(labelled.ledger.entries).toEqual(plain.ledger.entries);
  });

  it("refuses a stage rule that reads another model's answer", async () => {
    const reader: Router = { ...keepCorrect, capabilities: { decides: 'after-first-answer', reads: ['small', 'large'] } };
    await expect(
      cascade({ runId: 'c', problems, stages: [{ source: replaySource('small', smallRecords), router: reader }, { source: replaySource('large', largeRecords) }], prices: SEED_PRICES_2025_11 }),
    ).rejects.toThrow(/stage 1: its rule reads "large"/);
  });
});
