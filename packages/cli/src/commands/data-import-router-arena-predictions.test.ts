import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIDENT_TOKEN, generationCost, UNCERTAIN_TOKEN, type RunRecord } from '@confide/core';
import { loadBundledRun, readRunDirectory, runPriceTable, writeRunDirectory } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

/**
 * The round trip: `confide ablate --routerarena-predictions` writes each router's choices in RouterArena's prediction
 * format; `confide data import <predictions> --runs <the model runs>` reads them back as routed runs with the same
 * routes and the accuracy (and, where the router pays only the model it picks, the cost) the ablation reported.
 *
 * K = 3 on four MATH-500 problems (as ablate-models.test.ts): small right on p1, p3; mid on p2; large on p1, p2, p4;
 * every answer 1,000 output tokens (seed-math500 prices: small $0.0001, mid $0.0003, large $0.0025).
 */
let folder: string;
let arena: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let summary: Record<string, any>;
const right: Record<string, number[]> = { small: [1, 0, 1, 0], mid: [0, 1, 0, 0], large: [1, 1, 0, 1] };
const bundled: Record<string, string> = { small: 'qwen-1.5b-lora-confidence', mid: 'qwen-7b', large: 'gemini-flash' };
const modelOf = (label: string) => loadBundledRun(bundled[label]!).records[0]!.generation.model;

function writeRun(name: string): void {
  const run = loadBundledRun(bundled[name]!);
  const records: RunRecord[] = run.records.slice(0, 4).map((record, index) => ({
    ...record,
    generation: { ...record.generation, usage: { input: 0, output: 1000, thinking: 0 }, confidenceToken: name === 'small' ? ([CONFIDENT_TOKEN, UNCERTAIN_TOKEN, CONFIDENT_TOKEN, CONFIDENT_TOKEN] as const)[index]! : null, confidenceProbabilities: undefined },
    grade: { ...record.grade, correct: right[name]![index] === 1 },
  }));
  writeRunDirectory(join(folder, name), { manifest: { ...run.manifest, records: records.length }, records, problems: null });
}

function quiet(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void lines.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void lines.push(args.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return lines;
}

afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'confide-arena-roundtrip-'));
  for (const name of ['small', 'mid', 'large']) writeRun(name);
  writeFileSync(
    join(folder, 'experiment.json'),
    JSON.stringify({
      kind: 'ablation',
      name: 'three-models',
      title: 'Three models',
      dataset: 'math500',
      priceTable: 'seed-math500',
      models: ['small', 'mid', 'large'].map((label) => ({ run: `./${label}`, label })),
      bootstrap: { resamples: 20, seed: 0 },
    }),
  );
  const out = mkdtempSync(join(tmpdir(), 'confide-arena-roundtrip-out-'));
  arena = join(out, 'arena');
  quiet();
  expect(await runCli(['ablate', '--experiment', folder, '--out', join(out, 'report'), '--routerarena-predictions', arena])).toBe(0);
  summary = JSON.parse(readFileSync(join(out, 'report', 'summary.json'), 'utf8')).models;
  vi.restoreAllMocks();
}, 120_000);

function runs(): string[] {
  return ['--runs', ...['small', 'mid', 'large'].map((label) => join(folder, label))];
}

describe('RouterArena prediction files: written by confide ablate, imported back by confide data import', () => {
  it.each([
    ['models-oracle', 'oracle'],
    ['models-best-single', 'bestSingle'],
    ['models-chain-small-to-mid', 'chains.0'],
  ])('%s: the same routes and accuracy as the ablation reported', async (router, figure) => {
    const out = join(mkdtempSync(join(tmpdir(), 'confide-arena-import-')), router);
    quiet();
    expect(await runCli(['data', 'import', join(arena, 'predictions', `${router}.json`), ...runs(), '--out', out])).toBe(0);
    vi.restoreAllMocks();
    const predictions = JSON.parse(readFileSync(join(arena, 'predictions', `${router}.json`), 'utf8')) as Array<{ global_index: string; prediction: string }>;
    const run = readRunDirectory(out);
    const labelOf = new Map(['small', 'mid', 'large'].map((label) => [modelOf(label), label]));
    expect(run.records.map((record) => [record.problemId, record.route?.model ?? record.route?.target])).toEqual(predictions.map((entry) => [entry.global_index, labelOf.get(entry.prediction)]));
    expect(run.records.map((record) => record.route?.target)).toEqual(run.records.map((record) => (record.route?.model ?? record.route?.target) === 'small' ? 'small' : 'large'));
    const reported = figure.split('.').reduce((value, key) => value[key], summary);
    const meanScore = run.records.filter((record) => record.grade.correct).length / run.records.length;
    expect(meanScore).toBe(reported.meanScore);
    if (!router.includes('chain')) {
      // the oracle and a single model pay only the model they pick: the same mean cost (a chain also paid its first stage)
      const prices = runPriceTable(run.manifest);
      const cost = run.records.reduce((sum, record) => sum + generationCost(prices, record.generation).hundredMillionths, 0) / run.records.length / 1e8;
      expect(cost).toBeCloseTo(reported.meanCostUsd, 12);
    }
  }, 60_000);

  it('--inspect names the format, the router, the routes and the model runs matched; nothing written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'confide-arena-inspect-')), 'oracle');
    const lines = quiet();
    expect(await runCli(['data', 'import', join(arena, 'predictions', 'models-oracle.json'), ...runs(), '--inspect', '--out', out])).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('format: router-arena-predictions');
    expect(text).toContain('router: models-oracle');
    expect(text).toContain('routes among: small (small), mid (large), large (large)');
    expect(text).toMatch(/model run small .*matched, chosen 2 times/);
    expect(text).toMatch(/model run large .*matched, chosen 1 time$/m);
    expect(text).toContain('routed run: 4 records, 4 correct');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a prediction whose model has no run, naming the file, entry and field; nothing written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'confide-arena-refused-')), 'oracle');
    const lines = quiet();
    expect(await runCli(['data', 'import', join(arena, 'predictions', 'models-oracle.json'), '--runs', join(folder, 'small'), join(folder, 'mid'), '--out', out])).not.toBe(0);
    expect(lines.join('\n')).toMatch(/models-oracle\.json, entry \[3\].*prediction.*not one of the models the router config lists|models-oracle\.json, entry \[3\].*prediction.*names no model run/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });
});
