/**
 * Every registered router behaves the same in `confide run` (replay clients through the live path: scheduler, stage
 * logs, the logging router wrapper) as in the offline engine on the same recorded runs: the same route, answer and
 * grade per problem, and the same cost; a cascade too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRICE_TABLES, type RouteDecision, type RunRecord } from '@confide/core';
import { loadBundledRun, loadDataset, readRunDirectory } from '@confide/data';
import { LiveExperiment, runLiveExperiment } from '@confide/experiments';
import { cascade, delegate, replaySource } from '@confide/routing';
import { describe, expect, it } from 'vitest';
import { createPluginRegistry } from '../plugin-registry.js';

const PROBLEMS = 60;
const prices = PRICE_TABLES['seed-math500']!;

interface Case {
  name: string;
  router: { id: string; options?: Record<string, unknown> };
  /** A cascade: models between the small and the large one, each with the rule that keeps its answer. */
  escalations?: Array<{ name: string; run: string; router: { id: string; options: Record<string, unknown> } }>;
  small: string;
  large: { run: string; model?: string };
  peers?: Record<string, string>;
  recordedRoutes?: string;
}

const DELEGATE_II = { small: 'qwen-1.5b-lora-confidence', large: { run: 'gemini-flash' } };
/** core/learned as a policy file carries it: fitted once on the MATH-500 small run, then the same models on both paths. */
const LEARNED = createPluginRegistry()
  .create('router', 'core/learned', { features: { hashBits: 8 }, learner: { model: 'logistic', iterations: 60 } }, {
    priceTable: prices,
    fitData: { problems: loadDataset('math500'), small: loadBundledRun(DELEGATE_II.small).records },
  })
  .instance.capabilities.fittedOptions!();
const CASES: Case[] = [
  { name: 'learned (logistic regression, fitted: cross-fitted models per problem)', router: { id: 'core/learned', options: LEARNED }, ...DELEGATE_II },
  { name: 'confidence token', router: { id: 'core/confidence-token', options: { delegate: ['<|u_math|>', 'none'] } }, ...DELEGATE_II },
  { name: 'threshold on the token', router: { id: 'core/threshold', options: { score: 'confidence-token', threshold: 0.5 } }, ...DELEGATE_II },
  {
    name: 'threshold on output length',
    router: { id: 'core/threshold', options: { score: 'generation.usage.output', direction: 'keep-low', threshold: 600 } },
    ...DELEGATE_II,
  },
  { name: 'token and length', router: { id: 'core/token-and-length', options: { maxOutputTokens: 800 } }, ...DELEGATE_II },
  { name: 'oracle (reads the large answer)', router: { id: 'core/oracle' }, ...DELEGATE_II },
  { name: 'random at 30%', router: { id: 'core/random', options: { rate: 0.3, seed: 7 } }, ...DELEGATE_II },
  {
    name: 'exploring (ε-greedy on the token, logs propensities)',
    router: { id: 'core/explore', options: { score: 'confidence-token', threshold: 0.5, exploration: { rule: 'epsilon-greedy', epsilon: 0.4 }, seed: 1 } },
    ...DELEGATE_II,
  },
  { name: 'always small', router: { id: 'core/always-small' }, ...DELEGATE_II },
  { name: 'always large', router: { id: 'core/always-large' }, ...DELEGATE_II },
  { name: 'always ⟨model⟩ (the large one, named by its label)', router: { id: 'core/always-model', options: { model: 'large' } }, ...DELEGATE_II },
  { name: 'agreement with a peer', router: { id: 'core/agreement', options: { peer: 'seven' } }, ...DELEGATE_II, peers: { seven: 'qwen-7b' } },
  {
    name: 'cascade: fine-tuned 1.5B (token) -> 7B (<= 600 tokens) -> Flash',
    router: { id: 'core/confidence-token', options: { delegate: ['<|u_math|>', 'none'] } },
    escalations: [{ name: 'seven', run: 'qwen-7b', router: { id: 'core/threshold', options: { score: 'generation.usage.output', direction: 'keep-low', threshold: 600 } } }],
    ...DELEGATE_II,
  },
  {
    name: 'orchestrator replaying Delegation I',
    router: { id: 'core/orchestrator', options: { mode: 'replay' } },
    small: 'qwen-1.5b',
    large: { run: 'delegation-1-flash', model: 'gemini-2.5-flash' },
    recordedRoutes: 'delegation-1-flash',
  },
];

const slot = (run: string, model?: string) => ({
  client: { id: 'core/replay', options: { run, ...(model ? { model } : {}) } },
  prompt: { user: '{problem}' },
  maxOutputTokens: 8192,
  concurrency: 8,
});

/** What must agree per problem. */
function perProblem(records: readonly RunRecord[]) {
  return [...records]
    .sort((left, right) => left.problemId.localeCompare(right.problemId))
    .map((record) => [record.problemId, record.route?.target, record.generation.model, record.generation.text, record.grade.correct]);
}

describe('confide run and the offline engine route alike', () => {
  it('covers every registered router', () => {
    expect([...new Set(CASES.map((entry) => entry.router.id))].sort()).toEqual(createPluginRegistry().ids('router').sort());
    expect(CASES.some((entry) => entry.escalations)).toBe(true);
  });

  it.each(CASES)('$name', async (entry) => {
    const registry = createPluginRegistry();
    const problems = loadDataset('math500').slice(0, PROBLEMS);
    const runIds = [entry.small, entry.large.run, ...Object.values(entry.peers ?? {}), ...(entry.escalations ?? []).map((stage) => stage.run)];

    // offline: the engine on the recorded runs
    const router = registry.create('router', entry.router.id, entry.router.options ?? {}, { priceTable: prices }).instance;
    let recordedRoutes: Map<string, RouteDecision> | undefined;
    if (entry.recordedRoutes) {
      recordedRoutes = new Map(loadBundledRun(entry.recordedRoutes).records.flatMap((record) => (record.route ? [[record.problemId, record.route] as const] : [])));
    }
    const offline = entry.escalations
      ? await cascade({
          runId: 'parity',
          problems,
          stages: [
            { source: replaySource(entry.small, loadBundledRun(entry.small).records), router },
            ...entry.escalations.map((stage) => ({
              source: replaySource(stage.run, loadBundledRun(stage.run).records),
              router: registry.create('router', stage.router.id, stage.router.options, { priceTable: prices }).instance,
            })),
            { source: replaySource(entry.large.run, loadBundledRun(entry.large.run).records, entry.large.model) },
          ],
          prices,
        })
      : await delegate({
      runId: 'parity',
      problems,
      router,
      small: replaySource(entry.small, loadBundledRun(entry.small).records),
      large: replaySource(entry.large.run, loadBundledRun(entry.large.run).records, entry.large.model),
      peers: Object.fromEntries(Object.entries(entry.peers ?? {}).map(([name, run]) => [name, replaySource(run, loadBundledRun(run).records)])),
      prices,
      ...(recordedRoutes ? { recordedRoutes } : {}),
        });

    // live: the same runs served by replay clients through confide run's executor
    const experiment = LiveExperiment.parse({
      kind: 'live',
      name: 'parity',
      title: `parity: ${entry.name}`,
      dataset: 'math500',
      limit: PROBLEMS,
      priceTable: 'seed-math500',
      small: slot(entry.small),
      large: slot(entry.large.run, entry.large.model),
      peers: Object.fromEntries(Object.entries(entry.peers ?? {}).map(([name, run]) => [name, slot(run)])),
      escalations: (entry.escalations ?? []).map((stage) => ({ name: stage.name, model: slot(stage.run), router: stage.router })),
      ...(entry.recordedRoutes ? { recordedRoutes: entry.recordedRoutes } : {}),
      router: { id: entry.router.id, options: entry.router.options ?? {} },
      evaluator: { id: 'core/recorded', options: { runs: runIds } },
      retry: { maxAttempts: 1 },
    });
    const outFolder = join(mkdtempSync(join(tmpdir(), 'confide-parity-')), 'run');
    const live = await runLiveExperiment({ experiment, registry, outFolder, cachePath: null });
    if (live.status !== 'complete') throw new Error(live.message);

    const liveRecords = readRunDirectory(outFolder).records;
    expect(liveRecords).toHaveLength(PROBLEMS);
    expect(perProblem(liveRecords)).toEqual(perProblem(offline.records));
    expect(live.summary.costUsd.allCalls).toBeCloseTo(offline.ledger.totals().costUsd, 12);
    expect(live.summary.costUsd.answers).toBeCloseTo(offline.ledger.totals((ledgerEntry) => ledgerEntry.role === 'answer').costUsd, 12);
  });
});
