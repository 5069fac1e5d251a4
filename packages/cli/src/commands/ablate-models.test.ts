import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIDENT_TOKEN, UNCERTAIN_TOKEN, type RunRecord } from '@confide/core';
import { loadBundledRun, writeRunDirectory } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

/**
 * A K = 3 ablation on four MATH-500 problems, binary grades, every answer 1,000 output tokens and no input, so with
 * the seed-math500 prices a call costs: small (the fine-tuned 1.5B) $0.0001, mid (7B) $0.0003, large (Flash) $0.0025.
 *
 *   problem         p1   p2   p3   p4   mean   mean cost
 *   small right     1    0    1    0    0.5    $0.0001     token c u c c  (keeps p1, p3, p4)
 *   mid right       0    1    0    0    0.25   $0.0003     (answers a fifth problem no other run has: 1 left out)
 *   large right     1    1    0    1    0.75   $0.0025
 *   reference       1    1    1    0    0.75   $0.0025     (a run placed beside them)
 *
 * Oracle (highest score, cheapest on ties; all zero: cheapest): p1 small, p2 mid, p3 small, p4 large: score 1, cost
 * (0.0001 + 0.0003 + 0.0001 + 0.0025) / 4 = $0.00075. Best single: large, 0.75; headroom 0.25.
 * Chains (only small has a keep rule, its token): small → mid keeps p1, p3, p4 and escalates p2 (mid right): score
 * 0.75, cost (4 × 0.0001 + 0.0003) / 4 = $0.000175; small → large: score 0.75, cost (0.0004 + 0.0025) / 4 = $0.000725.
 * Envelope: small (0.0001, 0.5) → small → mid (0.000175, 0.75), flat after; over the common range [0.0001, 0.0025]:
 * AIQ = (0.000075 × 0.625 + 0.002325 × 0.75) / 0.0024 = 0.74609375; best pair small + mid (its hull is the envelope).
 * The reference at $0.0025 scores 0.75, the envelope there 0.75: a gap of 0.
 */
let folder: string;
const small = 'qwen-1.5b-lora-confidence';
const right: Record<string, number[]> = { small: [1, 0, 1, 0], mid: [0, 1, 0, 0], large: [1, 1, 0, 1], reference: [1, 1, 1, 0] };
const bundled: Record<string, string> = { small, mid: 'qwen-7b', large: 'gemini-flash', reference: 'gemini-flash' };

function writeRun(name: string, extraProblem = false): void {
  const run = loadBundledRun(bundled[name]!);
  const records: RunRecord[] = run.records.slice(0, extraProblem ? 5 : 4).map((record, index) => ({
    ...record,
    generation: {
      ...record.generation,
      usage: { input: 0, output: 1000, thinking: 0 },
      confidenceToken: name === 'small' ? ([CONFIDENT_TOKEN, UNCERTAIN_TOKEN, CONFIDENT_TOKEN, CONFIDENT_TOKEN] as const)[index]! : null,
      confidenceProbabilities: undefined,
    },
    grade: { ...record.grade, correct: (right[name]![index] ?? 0) === 1 },
  }));
  writeRunDirectory(join(folder, name), { manifest: { ...run.manifest, records: records.length }, records, problems: null });
}

function writeExperiment(overrides: Record<string, unknown> = {}): void {
  const config = {
    kind: 'ablation',
    name: 'three-models',
    title: 'Three models',
    dataset: 'math500',
    priceTable: 'seed-math500',
    models: [
      { run: './small', label: 'small' },
      { run: './mid', label: 'mid' },
      { run: './large', label: 'large' },
    ],
    referenceRuns: [{ run: './reference', label: 'reference' }],
    bootstrap: { resamples: 50, seed: 0 },
    ...overrides,
  };
  writeFileSync(join(folder, 'experiment.json'), JSON.stringify(config));
}

async function ablate(): Promise<{ code: number; out: string; errors: string[] }> {
  const out = mkdtempSync(join(tmpdir(), 'confide-models-out-'));
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const code = await runCli(['ablate', '--experiment', folder, '--out', out]);
  return { code, out, errors };
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'confide-models-'));
  writeRun('small');
  writeRun('mid', true);
  writeRun('large');
  writeRun('reference');
});

afterEach(() => vi.restoreAllMocks());

describe('confide ablate with models (K = 3, binary grades)', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let models: Record<string, any>;
  let report: string;

  beforeAll(async () => {
    writeExperiment();
    const run = await ablate();
    expect(run.code, run.errors.join('\n')).toBe(0);
    const summary = JSON.parse(readFileSync(join(run.out, 'summary.json'), 'utf8'));
    expect(summary.pair).toBeNull();
    models = summary.models;
    report = readFileSync(join(run.out, 'report.md'), 'utf8');
  }, 60_000);

  it('intersects the runs and counts what each lost', () => {
    expect(models['problems']).toBe(4);
    expect(models['lost'].map((entry: { label: string; count: number }) => [entry.label, entry.count])).toEqual([
      ['small', 0],
      ['mid', 1],
      ['large', 0],
      ['reference', 0],
    ]);
    expect(report).toMatch(/left out: mid 1 \(e\.g\. /);
  });

  it('finds the single models, the best one, the oracle over three and its headroom', () => {
    expect(models['singles'].map((single: { meanScore: number }) => single.meanScore)).toEqual([0.5, 0.25, 0.75]);
    expect(models['singles'][0].meanCostUsd).toBeCloseTo(0.0001, 12);
    expect(models['bestSingle']).toMatchObject({ label: 'large', meanScore: 0.75 });
    expect(models['bestSingle'].meanCostUsd).toBeCloseTo(0.0025, 12);
    expect(models['oracle'].meanScore).toBe(1);
    expect(models['oracle'].meanCostUsd).toBeCloseTo(0.00075, 12);
    expect(models['oracle'].shares).toEqual([
      { label: 'small', share: 0.5 },
      { label: 'mid', share: 0.25 },
      { label: 'large', share: 0.25 },
    ]);
    expect(models['headroom'].value).toBe(0.25);
    for (const figure of [models['oracle'], models['bestSingle']]) {
      expect(figure.interval.lower).toBeLessThanOrEqual(figure.meanScore);
      expect(figure.interval.upper).toBeGreaterThanOrEqual(figure.meanScore);
    }
  });

  it('runs the two-stage chains the keep rules allow, and says which it skipped', () => {
    expect(models['chains'].map((chain: { label: string }) => chain.label)).toEqual(['cascade small → mid', 'cascade small → large']);
    const [toMid, toLarge] = models['chains'];
    expect(toMid).toMatchObject({ keepRule: 'keep when the answer carries <|c_math|>', meanScore: 0.75, escalated: 0.25 });
    expect(toMid.meanCostUsd).toBeCloseTo(0.000175, 12);
    expect(toLarge.meanScore).toBe(0.75);
    expect(toLarge.meanCostUsd).toBeCloseTo(0.000725, 12);
    expect(models['skippedChains'].map((entry: { first: string }) => entry.first)).toEqual(['mid', 'large']);
    expect(report).toContain('No chain starts at mid, large');
  });

  it('builds the pairwise envelope over the common cost range, the best pair, and places the reference run', () => {
    expect(models['envelope'].points.map((point: { label: string }) => point.label)).toEqual(['small', 'cascade small → mid']);
    expect(models['envelope'].aiq).toBeCloseTo(0.74609375, 12);
    expect(models['bestPair'].labels).toEqual(['small', 'mid']);
    expect(models['bestPair'].aiq).toBeCloseTo(0.74609375, 12);
    expect(models['references'][0].meanScore).toBe(0.75);
    expect(models['references'][0].gapToEnvelope).toBeCloseTo(0, 12);
    // RouterArena: the oracle picks the optimal model wherever one scores above 0
    expect(models['arena'][0]).toMatchObject({ kind: 'oracle', optimalSelection: 1, optimalCost: 1, optimalityProblems: 4 });
  });

  it('writes the Models section with a table for each figure and its chart', () => {
    for (const heading of ['## Models', '### Single models and reference runs', '### Oracle, best single model and headroom', '### Two-stage chains', '### Pairwise envelope', '### Reference runs against the envelope', '### RouterArena figures', '![Score against cost](models-score-cost.svg)']) {
      expect(report).toContain(heading);
    }
    expect(report).not.toMatch(/NaN/);
    expect(report).toContain('|oracle over 3 (highest score, cheapest on ties)|100.0|');
  });
});

describe('routers and chains an experiment lists over the models', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let models: Record<string, any>;
  let report: string;

  beforeAll(async () => {
    writeExperiment({
      modelRouters: [{ id: 'always-mid', label: 'always mid', router: { id: 'core/always-model', options: { model: 'mid' } } }],
      chains: [
        {
          id: 'small-mid-large',
          label: 'small → mid → large by tokens',
          stages: [
            { model: 'small', router: { id: 'core/confidence-token' } },
            { model: 'mid', router: { id: 'core/confidence-token' } },
            { model: 'large' },
          ],
        },
      ],
    });
    const run = await ablate();
    expect(run.code, run.errors.join('\n')).toBe(0);
    models = JSON.parse(readFileSync(join(run.out, 'summary.json'), 'utf8')).models;
    report = readFileSync(join(run.out, 'report.md'), 'utf8');
  }, 60_000);

  it('runs a router choosing among the labels before generation: only the chosen model is called and paid', () => {
    const router = models['listed'].find((entry: { id: string }) => entry.id === 'always-mid');
    expect(router).toMatchObject({ kind: 'router', decides: 'before-generation', meanScore: 0.25, models: ['small', 'mid', 'large'] });
    expect(router.meanCostUsd).toBeCloseTo(0.0003, 12);
  });

  it('runs a three-stage chain through the engine, and its columns agree', () => {
    // small keeps p1, p3, p4 (<|c_math|>); p2 goes to mid, which carries no token, so on to large (right):
    // score (1 + 1 + 1 + 0) / 4; cost 4 × $0.0001 + $0.0003 + $0.0025 over 4 problems
    const chain = models['listed'].find((entry: { id: string }) => entry.id === 'small-mid-large');
    expect(chain).toMatchObject({ kind: 'chain', decides: 'after-first-answer', meanScore: 0.75 });
    expect(chain.meanCostUsd).toBeCloseTo(0.0032 / 4, 12);
    expect(chain.engineCheck.agreed).toBe(true);
    expect(models['arena'].map((entry: { kind: string; label: string }) => `${entry.kind}: ${entry.label}`)).toEqual(expect.arrayContaining(['listed: always mid', 'listed: small → mid → large by tokens']));
    expect(report).toContain('### Routers and chains the experiment lists');
    expect(report).toMatch(/\|small → mid → large by tokens\|chain\|small, mid, large\|after-first-answer\|75\.0\|/);
  });

  it('refuses a chain stage that names no model, naming the key', async () => {
    writeExperiment({ chains: [{ id: 'bad', label: 'bad', stages: [{ model: 'small', router: { id: 'core/confidence-token' } }, { model: 'huge' }] }] });
    const run = await ablate();
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(/chains\.0\.stages\.1\.model.*"huge" is not one of the models \(small, mid, large\)/);
  });
});

describe('RouterArena prediction files over K', () => {
  it("writes the oracle's, the best single model's and each chain's choice of model per problem, as the run's model id", async () => {
    writeExperiment();
    const out = mkdtempSync(join(tmpdir(), 'confide-models-out-'));
    const arena = mkdtempSync(join(tmpdir(), 'confide-models-arena-'));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await runCli(['ablate', '--experiment', folder, '--out', out, '--routerarena-predictions', arena])).toBe(0);
    const read = (kind: string, id: string) => JSON.parse(readFileSync(join(arena, kind, `${id}.json`), 'utf8'));
    const model = (name: string) => loadBundledRun(bundled[name]!).records[0]!.generation.model;
    // the oracle: p1 small, p2 mid, p3 small, p4 large (see the table above)
    expect(read('predictions', 'models-oracle').map((row: { prediction: string }) => row.prediction)).toEqual([model('small'), model('mid'), model('small'), model('large')]);
    expect(read('config', 'models-oracle').pipeline_params.models).toEqual([model('small'), model('mid'), model('large')]);
    expect(read('predictions', 'models-best-single').every((row: { prediction: string }) => row.prediction === model('large'))).toBe(true);
    // small → mid keeps p1, p3, p4 (its token says confident) and returns mid's answer on p2
    expect(read('predictions', 'models-chain-small-to-mid').map((row: { prediction: string }) => row.prediction)).toEqual([model('small'), model('mid'), model('small'), model('small')]);
    // summary.json holds the figures, not the per-problem choices
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).models).not.toHaveProperty('routerChoices');
  });
});

describe('the models key of an ablation experiment', () => {
  it.each([
    ['one model (K < 2)', { models: [{ run: './small', label: 'small' }] }, /needs at least two models \(K ≥ 2\)/],
    ['a label given twice', { models: [{ run: './small', label: 'same' }, { run: './mid', label: 'same' }] }, /labels must be unique; given more than once: "same"/],
    ['a label with capitals', { models: [{ run: './small', label: 'Small' }, { run: './mid', label: 'mid' }] }, /lower-case letters, digits/],
    ['neither models nor the pair', { models: undefined, referenceRuns: undefined }, /needs "small", "large" and "routers" \(the pair form\) or "models"/],
  ])('refuses %s, naming the key', async (_name, overrides, message) => {
    writeExperiment(overrides);
    const run = await ablate();
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(message);
  });
});
