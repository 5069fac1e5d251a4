import { createRandom, definePlugin, PLUGIN_SPECIFICATION_VERSION, PluginRegistry, PriceTable } from '@confide/core';
import { testPair, testProblem } from '@confide/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { replaySource } from '../../generation-source.js';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import { ResamplePlan } from '../resample-plan.js';
import { certifiedThresholds, type CertifiedThresholdsContext, type RiskControlEntry } from './certified-thresholds.js';
import { pairOutcomeTable } from './pair-outcome-table.js';
import { pairRouterCurves, type PairRouterCurves, type PairRouterEntry, type PrefixSweep, type RouterCurve } from './router-curves.js';
import { sweptScoreRecalibration } from './score-recalibration.js';
import { SectionsByRouter } from './sections-by-router.js';

// 300 answers of a small model: a length (keep-low) that says something about being right, and a P(c) (keep-high)
// that says more; the large model is always right and costs ten times as much
const n = 300;
const random = createRandom(11);
const right = Uint8Array.from({ length: n }, () => (random() < 0.6 ? 1 : 0));
const lengths = Float64Array.from(right, (correct) => 100 + Math.floor(random() * 600) + (correct ? 0 : 300));
const confidence = Float64Array.from(right, (correct) => Math.min(1, Math.max(0, 0.35 * random() + (correct ? 0.5 : 0.2))));
const problems = Array.from({ length: n }, (_, index) => testProblem({ id: `q${index}` }));
const table: OutcomeTable = {
  problemIds: problems.map((problem) => problem.id),
  smallCorrect: right,
  largeCorrect: new Uint8Array(n).fill(1),
  smallScore: Float64Array.from(right),
  largeScore: new Float64Array(n).fill(1),
  smallCost: new Float64Array(n).fill(100),
  largeCost: new Float64Array(n).fill(1000),
};
const threshold = (options: Record<string, unknown>) => ({ id: 'core/threshold', options });
const prefix = (scores: Float64Array, score: string, direction: 'keep-high' | 'keep-low', options: Record<string, unknown>): PrefixSweep => ({
  sweep: null as never,
  scores,
  unscored: null,
  score,
  direction,
  router: threshold(options),
  option: 'threshold',
});
const routers: PairRouterCurves = {
  curves: [
    { id: 'length', label: 'output length' },
    { id: 'confidence', label: 'P(c)' },
  ] as RouterCurve[],
  sweeps: new Map([
    ['length', prefix(lengths, 'generation.usage.output', 'keep-low', { score: 'generation.usage.output', direction: 'keep-low', threshold: 600 })],
    ['confidence', prefix(confidence, 'p-confident', 'keep-high', { score: 'p-confident', threshold: 0.5 })],
  ]),
  engineSweepOutcomes: new Map(),
};
/** The routers as they stand before the second one (a learned router, say) has been evaluated. */
const firstOnly: PairRouterCurves = { curves: routers.curves.slice(0, 1), sweeps: new Map([...routers.sweeps].slice(0, 1)), engineSweepOutcomes: new Map() };
const certification: Omit<CertifiedThresholdsContext, 'routers'> = {
  experiment: 'synthetic',
  command: 'test',
  problems,
  table,
  permutation: (seed, size) => {
    const draw = createRandom(seed);
    const order = Array.from({ length: size }, (_, index) => index);
    for (let index = size - 1; index > 0; index--) {
      const other = Math.floor(draw() * (index + 1));
      [order[index], order[other]] = [order[other]!, order[index]!];
    }
    return order;
  },
  calibrationDataHash: (ids, correct, scores) => `${ids.length}:${Array.from(correct).join('')}:${Array.from(scores).join(',')}`.length.toString(16).padStart(64, '0'),
  bootstrap: { resamples: 40, seed: 0, confidence: 0.95 },
};
const entry = (fields: Partial<RiskControlEntry> & Pick<RiskControlEntry, 'router' | 'guarantee'>): RiskControlEntry => ({ delta: 0.1, calibrationShare: 0.5, seed: 3, violationSplits: 20, ...fields });
const riskControl: RiskControlEntry[] = [
  entry({ router: 'confidence', guarantee: 'kept-error', maxKeptErrorRate: 0.2, grid: { from: 0, to: 1, steps: 50 } }),
  entry({ router: 'length', guarantee: 'kept-error', maxKeptErrorRate: 0.25, grid: { from: 0, to: 1200, steps: 60 } }),
  entry({ router: 'confidence', guarantee: 'delegation-rate', maxDelegationRate: 0.4 }),
  entry({ router: 'length', guarantee: 'delegation-rate', maxDelegationRate: 0.4, seed: 5 }),
];
const recalibration = { resamples: 30, bootstrapSeed: 2, refit: false };

describe('SectionsByRouter', () => {
  it('gives, router by router and ready routers first, exactly what computing every entry and score at once gives, in the same order', async () => {
    const sections = new SectionsByRouter({ certification, riskControl, recalibration });
    await sections.computeReady(firstOnly);
    const byRouter = { certified: await sections.certifiedThresholds(routers), recalibrated: sections.recalibration(routers) };
    const atOnce = { certified: await certifiedThresholds({ ...certification, routers }, riskControl), recalibrated: sweptScoreRecalibration(table, routers, recalibration) };
    expect(byRouter.certified.riskControl.length + byRouter.certified.targets.length).toBe(riskControl.length);
    expect(byRouter.certified.policies.length).toBeGreaterThan(0);
    expect(byRouter.recalibrated.map((result) => [result.router, result.settings.method])).toEqual([
      ['output length', 'isotonic'],
      ['output length', 'platt'],
      ['P(c)', 'isotonic'],
      ['P(c)', 'platt'],
    ]);
    expect(byRouter).toEqual(atOnce);
  });

  it('computes a ready router\'s sections once: what is asked after it is what was computed while the others prepared', async () => {
    const sections = new SectionsByRouter({ certification, riskControl, recalibration });
    await sections.computeReady(firstOnly);
    const early = sections.recalibration(firstOnly);
    const later = sections.recalibration(routers);
    expect(later[0]).toBe(early[0]);
    expect(later[1]).toBe(early[1]);
  });

  it('fails an entry on a router that is no sweep when every router is evaluated, as certifiedThresholds does', async () => {
    const sections = new SectionsByRouter({ certification, riskControl: [...riskControl, entry({ router: 'oracle', guarantee: 'kept-error', maxKeptErrorRate: 0.2 })], recalibration });
    await sections.computeReady(firstOnly);
    await expect(sections.certifiedThresholds(routers)).rejects.toThrow(/riskControl: router entry "oracle" is not a threshold sweep/);
  });
});

describe('pairRouterCurves: the routers ready while another one prepares', () => {
  /** A router that always delegates; and one whose work before routing ends only when the test says so. */
  function registry(prepared: Promise<void>, started: string[]): PluginRegistry {
    const waiting = definePlugin({
      id: 'test/waiting',
      kind: 'router',
      description: 'prepares until released',
      optionsSchema: z.strictObject({}),
      create: () => ({
        specificationVersion: PLUGIN_SPECIFICATION_VERSION,
        capabilities: { decides: 'before-generation', reads: [], prepare: () => (started.push('waiting'), prepared) },
        decide: async () => ({ router: 'test/waiting', model: 'small', reason: 'always' }),
      }),
    });
    const large = definePlugin({
      id: 'test/large',
      kind: 'router',
      description: 'always the large model',
      optionsSchema: z.strictObject({}),
      create: () => ({ specificationVersion: PLUGIN_SPECIFICATION_VERSION, capabilities: { decides: 'before-generation', reads: [] }, decide: async () => ({ router: 'test/large', model: 'large', reason: 'always' }) }),
    });
    return new PluginRegistry().register(waiting).register(large);
  }

  it('hands over the routers evaluated so far, in the entries\' order, while the preparing one still works; then returns them all', async () => {
    const pair = testPair();
    const prices = PriceTable.parse({
      id: 'test',
      version: '2025-01-01',
      currency: 'USD',
      source: 'hand-made',
      thinkingBilledAs: 'output',
      models: { 'test-small-model': { inputPerMillion: 0, outputPerMillion: 1 }, 'test-large-model': { inputPerMillion: 0, outputPerMillion: 10 } },
    });
    let release: (() => void) | undefined;
    const prepared = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const handedOver: string[][] = [];
    const entries: PairRouterEntry[] = [
      { id: 'waiting', label: 'waiting', router: { id: 'test/waiting', options: {} }, repeats: 1, peers: {} },
      { id: 'large-1', label: 'large 1', router: { id: 'test/large', options: {} }, repeats: 1, peers: {} },
      { id: 'large-2', label: 'large 2', router: { id: 'test/large', options: {} }, repeats: 1, peers: {} },
    ];
    const sources = new Map([
      ['test-small', replaySource('test-small', pair.small)],
      ['test-large', replaySource('test-large', pair.large)],
    ]);
    const context = (plugins: PluginRegistry) => ({
      name: 'test',
      problems: pair.problems,
      table: pairOutcomeTable(pair.problems, { label: 'test-small', records: pair.small }, { label: 'test-large', records: pair.large }, prices),
      small: { run: 'test-small', records: pair.small },
      large: { run: 'test-large' },
      prices,
      registry: plugins,
      pluginContext: { priceTable: prices },
      source: (run: string) => sources.get(run)!,
      resamples: new ResamplePlan(pair.problems.length, { resamples: 10, seed: 0, confidence: 0.95 }),
      referenceRate: 0.5,
    });
    const curves = await pairRouterCurves(
      {
        ...context(registry(prepared, started)),
        whileRoutersPrepare: async (ready) => {
          expect(started).toEqual(['waiting']);
          handedOver.push(ready.curves.map((curve) => curve.id));
          release!();
        },
      },
      entries,
    );
    expect(handedOver).toEqual([['large-1', 'large-2']]);
    expect(curves.curves.map((curve) => curve.id)).toEqual(['waiting', 'large-1', 'large-2']);

    // work before routing that has ended by then (a fit read from a cache): nothing is handed over, every router is
    // evaluated at once
    const handedOverAgain: string[][] = [];
    const again = await pairRouterCurves(
      { ...context(registry(Promise.resolve(), [])), whileRoutersPrepare: async (ready) => void handedOverAgain.push(ready.curves.map((curve) => curve.id)) },
      entries,
    );
    expect(handedOverAgain).toEqual([]);
    expect(again.curves.map((curve) => curve.id)).toEqual(['waiting', 'large-1', 'large-2']);
  });
});
