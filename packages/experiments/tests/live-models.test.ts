/**
 * Live runs over listed models (`models`, K = 3) against stand-in servers on 127.0.0.1: a router deciding before
 * generation calls only the model it chose; a cascade over the listed models calls each stage only for what reached it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, PLUGIN_SPECIFICATION_VERSION } from '@confide/core';
import { readRunDirectory } from '@confide/data';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultResponder, startGeminiStandIn, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';
import { LiveExperiment, liveRoutingOf } from '../src/live/live-experiment.js';
import { runLiveExperiment } from '../src/live/run-live-experiment.js';
import { billedUsd, complete, LARGE_MODEL, SMALL_SERVED, standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

const LITE_MODEL = 'gemini-2.5-flash-lite';
const LABELS = ['qwen', 'lite', 'flash'];
/** The problem's index in `syntheticProblems` (`synthetic/<index>.json`). */
const indexOf = (problemId: string) => Number(/synthetic\/(\d+)\.json/.exec(problemId)![1]);

/** Chooses before generation, by the problem's index: qwen, lite, flash, qwen, … */
const pickByIndex = definePlugin({
  id: 'test/pick-by-index',
  kind: 'router',
  description: 'chooses a listed model by the problem index, before any model answers',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'before-generation', reads: [] },
    async decide({ problem, models }) {
      return { router: 'test/pick-by-index', model: models[indexOf(problem.id) % models.length]!, reason: 'by index' };
    },
  }),
});

/** A cascade rule that keeps the stage's answer on even-indexed problems, without reading it. */
const keepEven = definePlugin({
  id: 'test/keep-even',
  kind: 'router',
  description: 'keeps even-indexed problems',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'before-generation', reads: [] },
    async decide({ problem }) {
      return { router: 'test/keep-even', model: indexOf(problem.id) % 2 === 0 ? 'small' : 'large', reason: 'parity' };
    },
  }),
});

const servers: StandInServer[] = [];
afterAll(() => Promise.all(servers.map((server) => server.close())));

async function standIns() {
  process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-models-test';
  process.env['CONFIDE_TEST_GEMINI_KEY'] = 'sk-models-test';
  const vllm = await startOpenAIStandIn({ responder: defaultResponder(), latencyMs: 1 });
  const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }), latencyMs: 1 });
  servers.push(vllm, gemini);
  return { vllm, gemini };
}

/** The stand-in experiment with its pair replaced by three listed models: the SLM, Flash-Lite and Flash. */
function modelsExperiment(urls: { vllm: string; gemini: string }, routing: Record<string, unknown>): LiveExperiment {
  const { small, large, router: _router, ...base } = standInExperiment(urls);
  const lite = { ...large, client: { ...large.client, options: { ...large.client.options, model: LITE_MODEL } } };
  return LiveExperiment.parse({ ...base, models: [{ label: 'qwen', model: small }, { label: 'lite', model: lite }, { label: 'flash', model: large }], ...routing });
}

const PROBLEMS = 30;

describe('a live run over listed models', () => {
  it('calls only the model a router deciding before generation chose, and names it in each record', async () => {
    const { vllm, gemini } = await standIns();
    const experiment = modelsExperiment({ vllm: vllm.url, gemini: gemini.url }, { router: { id: 'test/pick-by-index' } });
    const outFolder = join(mkdtempSync(join(tmpdir(), 'live-models-')), 'run');
    const result = complete(await runLiveExperiment({ experiment, registry: testRegistry().register(pickByIndex), outFolder, cachePath: null, problems: syntheticProblems(PROBLEMS) }));

    const { records } = readRunDirectory(outFolder);
    expect(records).toHaveLength(PROBLEMS);
    for (const record of records) {
      const label = LABELS[indexOf(record.problemId) % 3]!;
      expect(record.route).toMatchObject({ router: 'test/pick-by-index', model: label, target: label === 'qwen' ? 'small' : 'large' });
    }
    // each server was asked exactly for the problems routed to its model, once each: no other model was called
    const billedModels = [...vllm.billing.entries, ...gemini.billing.entries].map((entry) => entry.model).sort();
    expect(billedModels).toEqual([...Array(10).fill(LARGE_MODEL), ...Array(10).fill(LITE_MODEL), ...Array(10).fill(SMALL_SERVED)].sort());
    expect(result.summary.models).toEqual([
      expect.objectContaining({ label: 'qwen', problems: 10 }),
      expect.objectContaining({ label: 'lite', model: LITE_MODEL, problems: 10 }),
      expect.objectContaining({ label: 'flash', model: LARGE_MODEL, problems: 10 }),
    ]);
    expect(result.summary.costUsd.allCalls).toBeCloseTo(billedUsd([vllm.billing, gemini.billing]), 10);
    expect(result.summary.costUsd.allCalls).toBeCloseTo(result.summary.costUsd.answers, 12);
    // each listed model's answers are a run of their own
    expect(readRunDirectory(join(outFolder, 'models', 'lite')).records).toHaveLength(10);
  });

  it('runs a cascade over the listed models in order, each stage called only for what reached it', async () => {
    const { vllm, gemini } = await standIns();
    const experiment = modelsExperiment({ vllm: vllm.url, gemini: gemini.url }, { cascade: [{ id: 'test/token' }, { id: 'test/keep-even' }] });
    const outFolder = join(mkdtempSync(join(tmpdir(), 'live-cascade-')), 'run');
    const result = complete(await runLiveExperiment({ experiment, registry: testRegistry().register(keepEven), outFolder, cachePath: null, problems: syntheticProblems(PROBLEMS) }));

    const { records } = readRunDirectory(outFolder);
    const qwenAnswers = new Map(readRunDirectory(join(outFolder, 'models', 'qwen')).records.map((record) => [record.problemId, record]));
    expect(qwenAnswers.size).toBe(PROBLEMS);
    const escalated = [...qwenAnswers.values()].filter((record) => record.generation.confidenceToken !== '<|c_math|>').map((record) => record.problemId);
    expect(escalated.length).toBeGreaterThan(0);
    expect(escalated.length).toBeLessThan(PROBLEMS);
    const toFlash = escalated.filter((id) => indexOf(id) % 2 === 1);
    for (const record of records) {
      const expected = !escalated.includes(record.problemId) ? 'qwen' : toFlash.includes(record.problemId) ? 'flash' : 'lite';
      expect(record.route).toMatchObject({ target: 'small', model: expected });
    }
    expect(vllm.billing.entries).toHaveLength(PROBLEMS);
    expect(gemini.billing.entries.filter((entry) => entry.model === LITE_MODEL)).toHaveLength(escalated.length);
    expect(gemini.billing.entries.filter((entry) => entry.model === LARGE_MODEL)).toHaveLength(toFlash.length);
    expect(result.summary.costUsd.allCalls).toBeCloseTo(billedUsd([vllm.billing, gemini.billing]), 10);
  });

  it('says which keys do not go together', () => {
    const urls = { vllm: 'http://127.0.0.1:9', gemini: 'http://127.0.0.1:9' };
    expect(() => liveRoutingOf(modelsExperiment(urls, {}))).toThrow(/with "models", give "router" .* or "cascade"/);
    expect(() => liveRoutingOf(modelsExperiment(urls, { cascade: [{ id: 'test/token' }] }))).toThrow(/key "cascade": a rule for each stage but the last: 2 for 3 models, got 1/);
    expect(() => liveRoutingOf({ ...modelsExperiment(urls, { router: { id: 'test/token' } }), small: standInExperiment(urls).small })).toThrow(/either "small" and "large" or "models"/);
    const { router: _router, ...withoutRouter } = standInExperiment(urls);
    expect(() => liveRoutingOf(withoutRouter)).toThrow(/key "router": required/);
  });
});
