import { SEED_PRICES_2025_11 } from '@confide/core';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundledRun, loadDataset, RunStore, workspaceRoot } from '@confide/data';
import { computeAblationResults, loadExperimentOfKind } from '@confide/experiments';
import type { AblationResults } from '@confide/reports';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { createPluginRegistry } from '../plugin-registry.js';

const experimentFolder = join(workspaceRoot(), 'experiments', 'ablation-math500');
const runs = new RunStore().relativeTo(experimentFolder);
let results: AblationResults;

beforeAll(async () => {
  const loaded = loadExperimentOfKind(experimentFolder, 'ablation');
  const experiment = { ...loaded.experiment, bootstrap: { resamples: 200, seed: 0, confidence: 0.95 } };
  results = await computeAblationResults({
    experiment,
    experimentFile: loaded.file,
    registry: createPluginRegistry(),
    prices: SEED_PRICES_2025_11,
    problems: loadDataset('math500'),
    // bundled ids, and the exploration log its offPolicy names by path (relative to the experiment's folder)
    loadRun: (reference) => runs.load(reference),
  });
}, 60_000);

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function curve(id: string) {
  return results.curves.find((entry) => entry.id === id)!;
}

describe('ablation on the recorded runs', () => {
  it('puts the baselines where the runs say they are', () => {
    expect(curve('always-small').reported.accuracy).toBe(0.72);
    expect(curve('always-large').reported.accuracy).toBe(0.886);
    // oracle: right whenever either model is right, counted independently here
    const small = new Map(loadBundledRun('qwen-1.5b-lora-confidence').records.map((record) => [record.problemId, record.grade.correct]));
    const either = loadBundledRun('gemini-flash').records.filter((record) => record.grade.correct || small.get(record.problemId)).length;
    expect(curve('oracle').reported.accuracy).toBe(either / 500);
  });

  it('finds Delegation II on the confidence-token sweep: 31% delegated, 83.8% right', () => {
    const point = curve('confidence-token').points.find((entry) => entry.delegationRate === 0.31)!;
    expect(point.accuracy).toBeCloseTo(0.838, 12);
    expect(curve('confidence-token').engineCheck).toEqual({ points: 2, agreed: 2, problems: 500 });
    // the baselines are evaluated on columns and checked against the engine choice by choice on every problem
    expect(curve('random').engineCheck).toEqual({ points: 4, agreed: 4, problems: 500 });
    expect(curve('oracle').engineCheck).toEqual({ points: 1, agreed: 1, problems: 500 });
    expect(curve('output-length').engineCheck!.agreed).toBe(curve('output-length').engineCheck!.points);
  });

  it('gives every reported number an interval that contains it', () => {
    for (const entry of results.curves) {
      expect(entry.intervals.accuracy.lower).toBeLessThanOrEqual(entry.reported.accuracy);
      expect(entry.intervals.accuracy.upper).toBeGreaterThanOrEqual(entry.reported.accuracy);
    }
  });

  it('starts every threshold curve at always-small and ends it at always-large', () => {
    for (const id of ['confidence-token', 'output-length']) {
      const points = curve(id).points;
      expect(points[0]!.delegationRate).toBe(0);
      expect(points.at(-1)!.delegationRate).toBe(1);
      expect(points.at(-1)!.accuracy).toBe(0.886);
    }
  });
});

describe('confide ablate --grades math', () => {
  it('re-grades every run with core/math and says so in the report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'confide-ablate-math-'));
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const code = await runCli(['--verbose', 'ablate', '--grades', 'math', '--out', out]);
    expect(code, errors.join('\n')).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.grades).toBe('re-graded by the core/math evaluator');
    const always = (id: string) => summary.routers.find((router: { id: string }) => router.id === id).reported.accuracy;
    // 383 and 478 of 500: the regrade report's counts for the fine-tuned SLM and Gemini 2.5 Flash
    expect([always('always-small'), always('always-large')]).toEqual([0.766, 0.956]);
  }, 120_000);
});

describe('confide ablate keeps its learned routers\' fits between runs', () => {
  it('fits once, reads the kept fits on the next run (a changed file changes the router), and with --no-fit-cache neither reads nor keeps them', async () => {
    const cacheHome = mkdtempSync(join(tmpdir(), 'confide-fit-cache-'));
    vi.stubEnv('XDG_CACHE_HOME', cacheHome);
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const ablate = async (...flags: string[]) => {
      const out = mkdtempSync(join(tmpdir(), 'confide-ablate-fits-'));
      expect(await runCli(['ablate', '--progress', 'none', '--resamples', '20', '--out', out, ...flags]), errors.join('\n')).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { routers: Array<{ id: string; reported: unknown }> };
      return JSON.stringify(summary.routers.find((router) => router.id === 'learned-logistic')!.reported);
    };
    const fits = join(cacheHome, 'confide', 'fits');
    const first = await ablate();
    const [kept] = readdirSync(fits);
    expect(readdirSync(fits)).toEqual([kept]);
    // every fit's bias moved far off: read back, the router delegates otherwise
    const bytes = readFileSync(join(fits, kept!));
    const header = 'confide logistic fits 1\n'.length;
    const [count, dimension] = [bytes.readUInt32LE(header), bytes.readUInt32LE(header + 4)];
    for (let fit = 0; fit < count; fit++) {
      const at = header + 8 + (fit * (dimension + 1) + dimension) * 8;
      bytes.writeDoubleLE(bytes.readDoubleLE(at) - 3, at);
    }
    writeFileSync(join(fits, kept!), bytes);
    expect(await ablate()).not.toBe(first);
    // not read, not kept: the router as fitted, and the changed file left as it was
    expect(await ablate('--no-fit-cache')).toBe(first);
    expect(readFileSync(join(fits, kept!)).equals(bytes)).toBe(true);
  }, 180_000);
});

describe('confide ablate with a bad config', () => {
  function withExperiment(edit: (config: Record<string, unknown>) => void): string {
    const config = JSON.parse(readFileSync(join(experimentFolder, 'experiment.json'), 'utf8'));
    edit(config);
    // The copy lives elsewhere: the paper experiment it draws is named by absolute path.
    config['paperExperiment'] = join(workspaceRoot(), 'experiments', 'paper-math500');
    const folder = mkdtempSync(join(tmpdir(), 'confide-ablate-'));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'experiment.json'), JSON.stringify(config));
    return folder;
  }

  async function errorLine(folder: string): Promise<string[]> {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void lines.push(args.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await runCli(['ablate', '--experiment', folder, '--out', join(folder, 'out')])).toBe(1);
    return lines.filter((line) => line.startsWith('confide: error'));
  }

  it.each([
    [
      'an unknown router id',
      (config: { routers: Array<{ router: { id: string } }> }) => (config.routers[3]!.router.id = 'core/oracel'),
      /no router plugin "core\/oracel"; did you mean "core\/oracle"/,
    ],
    [
      'a threshold out of range',
      (config: { routers: Array<{ router: { options: Record<string, unknown> } }> }) => (config.routers[0]!.router.options['threshold'] = 7),
      /key "threshold": a confidence-token threshold must be in \[0, 1\], got 7/,
    ],
    [
      'a score field missing from the run',
      (config: { routers: Array<{ router: { options: Record<string, unknown> } }> }) => (config.routers[1]!.router.options['score'] = 'generation.usage.reasoning'),
      /score field "generation.usage.reasoning" is missing or not a number in run "qwen-1.5b-lora-confidence"/,
    ],
    [
      'an unknown key',
      (config: Record<string, unknown>) => (config['bootstrapp'] = {}),
      /experiment\.json: key "bootstrapp": unknown key/,
    ],
  ])('fails on %s with one clear line', async (_name, edit, message) => {
    const lines = await errorLine(withExperiment(edit as (config: Record<string, unknown>) => void));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe('off-policy estimates from the committed exploration log (experiments/explore-math500: core/explore, ε-greedy on the token)', () => {
  it('estimates each router offPolicy names at its reported point, and every interval holds its actual accuracy and cost', () => {
    const offPolicy = results.offPolicy!;
    expect(offPolicy).toMatchObject({ log: '../explore-math500/run', logRouter: 'core/explore', problems: 500, missing: 0 });
    expect(offPolicy.routers.map((router) => router.id)).toEqual(['confidence-token', 'output-length', 'learned-logistic']);
    for (const router of offPolicy.routers) {
      expect(router.actual.accuracy).toBeCloseTo(curve(router.id).reported.accuracy, 12);
      // the report's cost is the total over the problems; the estimates are per problem
      expect(router.actual.meanCostUsd * 500).toBeCloseTo(curve(router.id).reported.costUsd, 12);
      for (const estimator of ['ips', 'snips', 'doublyRobust'] as const) {
        for (const figure of ['accuracy', 'meanCostUsd'] as const) {
          const { lower, upper } = router[figure][estimator].interval;
          expect(lower, `${router.id} ${estimator} ${figure}`).toBeLessThanOrEqual(router.actual[figure]);
          expect(upper, `${router.id} ${estimator} ${figure}`).toBeGreaterThanOrEqual(router.actual[figure]);
        }
      }
    }
  });
});
