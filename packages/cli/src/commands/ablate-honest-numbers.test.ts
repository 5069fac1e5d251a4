import { readdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { loadBundledRun, writeRunDirectory } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

// Fixture: eight answers of the bundled fine-tuned SLM, four of them with token probabilities a tiny random model
// gives (~3e-27 on each token, no P(c)), four with healthy ones on answers that are all right (one class: AUROC
// undefined). The small run is marked a pipeline check in its manifest, as a tiny-e2e pipeline writes it.
const PIPELINE_REASON = 'a tiny random model, for the test';
let folder: string;
let smallRun: string;

function experiment(overrides: Record<string, unknown> = {}): string {
  const config = {
    kind: 'ablation',
    name: 'honest-numbers',
    title: 'Honest numbers on a pipeline-check run',
    dataset: 'math500',
    priceTable: 'seed-math500',
    small: { run: './small', label: 'tiny adapter' },
    large: { run: 'gemini-flash', label: 'Gemini 2.5 Flash (recorded)' },
    routers: [
      { id: 'p-confident', label: 'P(c) threshold', router: { id: 'core/threshold', options: { score: 'p-confident', threshold: 0.5 } }, sweep: { option: 'threshold', values: 'distinct' } },
      { id: 'token-and-length', label: 'token and length', router: { id: 'core/token-and-length', options: { maxOutputTokens: 800 } }, sweep: { option: 'maxOutputTokens', values: [1, 100000] } },
      { id: 'confidence-token', label: 'confidence token', router: { id: 'core/confidence-token' } },
    ],
    bootstrap: { resamples: 50, seed: 0 },
    comparisons: [{ routers: ['p-confident', 'token-and-length'], atDelegationRate: 1 }],
    ...overrides,
  };
  const file = join(folder, `experiment-${Math.random().toString(36).slice(2)}`);
  writeFileSync(join(folder, 'experiment.json'), JSON.stringify(config));
  return file;
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'confide-honest-'));
  smallRun = join(folder, 'small');
  const bundled = loadBundledRun('qwen-1.5b-lora-confidence');
  const right = bundled.records.filter((record) => record.grade.correct).slice(0, 4);
  const others = bundled.records.filter((record) => !right.includes(record)).slice(0, 4);
  const records: RunRecord[] = [
    ...others.map((record) => ({ ...record, generation: { ...record.generation, confidenceProbabilities: { confident: 3e-27, uncertain: 2e-27 } } })),
    ...right.map((record, index) => ({ ...record, generation: { ...record.generation, confidenceProbabilities: { confident: 0.5 + index * 0.1, uncertain: 0.3 - index * 0.05 } } })),
  ];
  writeRunDirectory(smallRun, { manifest: { ...bundled.manifest, records: records.length, pipelineCheck: { reason: PIPELINE_REASON } }, records, problems: null });
});

afterEach(() => vi.restoreAllMocks());

async function ablate(): Promise<{ code: number; out: string; errors: string[]; lines: string[] }> {
  const out = mkdtempSync(join(tmpdir(), 'confide-honest-out-'));
  const errors: string[] = [];
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
  vi.spyOn(console, 'log').mockImplementation((...args) => void lines.push(args.join(' ')));
  const code = await runCli(['ablate', '--experiment', folder, '--out', out]);
  return { code, out, errors, lines };
}

describe('confide ablate on a pipeline-check run whose tokens hold almost no probability', () => {
  let run: Awaited<ReturnType<typeof ablate>>;
  let report: string;
  let summary: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    experiment();
    run = await ablate();
    expect(run.code, run.errors.join('\n')).toBe(0);
    report = readFileSync(join(run.out, 'report.md'), 'utf8');
    summary = JSON.parse(readFileSync(join(run.out, 'summary.json'), 'utf8'));
  }, 120_000);

  it('gives no P(c) where the tokens hold under 0.5 of the mass: delegated at every threshold, counted, and said why', () => {
    const router = summary['routers'].find((entry: { id: string }) => entry.id === 'p-confident');
    expect(router.unscored).toEqual({ count: 4, of: 8, reason: expect.stringMatching(/no P\(c\): the confidence tokens hold 5\.0e-27 of the probability, under the floor 0\.5/) });
    // the first point keeps every answer that has a P(c): exactly the four without one are delegated
    expect(router.points[0].delegationRate).toBe(0.5);
    for (const point of router.points) expect(point.delegationRate).toBeGreaterThanOrEqual(0.5);
    // the router itself, re-run through the engine, delegates them too
    expect(router.engineCheck.agreed).toBe(router.engineCheck.points);
    expect(report).toContain('P(c) threshold: 4 of 8 problems have no score (no P(c): the confidence tokens hold 5.0e-27');
    expect(run.errors.some((line) => line.startsWith('ablate: P(c) threshold: 4 of 8 problems have no score'))).toBe(true);
  });

  it('carries the run manifest\'s pipeline-check flag into the report, summary.json and the console', () => {
    expect(report).toMatch(/^# Honest numbers on a pipeline-check run \(pipeline check\)\n\n> \*\*Pipeline check, not a result\.\*\* `\.\/small`: a tiny random model, for the test/);
    expect(summary['pipelineCheck']).toEqual({ runs: [{ run: './small', reason: PIPELINE_REASON }] });
    expect(run.errors).toContain(`ablate: pipeline check, not a result: ./small: ${PIPELINE_REASON}`);
    expect(readFileSync(join(run.out, 'report.html'), 'utf8')).toContain('<strong>Pipeline check, not a result.</strong>');
  });

  it('prints no NaN and no empty table: an undefined figure is a dash with a sentence, null in summary.json', () => {
    for (const text of [report, readFileSync(join(run.out, 'report.html'), 'utf8')]) {
      expect(text).not.toMatch(/NaN/);
      expect(text).not.toMatch(/^\|\|/m);
    }
    expect(report).toContain('No threshold chosen with a guarantee: the experiment asks for none (key `riskControl`).');
    // the four answers with a P(c) are all right: nothing to rank
    const calibration = summary['calibration'].find((entry: { score: string }) => entry.score === 'p-confident');
    expect(calibration.auroc).toBeNull();
    expect(report).toContain('AUROC and excess AURC are undefined (–) for P(c) threshold: on the problems with the score the small model is right on all of them or on none');
  });

  it('compares a router swept over a plain option at the comparison\'s rate, not at its reported point', () => {
    const comparison = summary['comparisons'][0];
    // token-and-length at maxOutputTokens 1 delegates everything: the point at rate 1 the comparison asks for
    expect(comparison.delegationRates).toEqual([1, 1]);
    const reported = summary['routers'].find((entry: { id: string }) => entry.id === 'token-and-length').reported.delegationRate;
    expect(reported).toBeLessThan(1);
    // the table says which rate was asked, beside the rates reached
    expect(report).toMatch(/\|asked at\|delegation rates \(closest\)\|/);
    expect(report).toMatch(/\|100\.0%\|100\.0% \/ 100\.0%\|/);
  });

  it('writes no chart it does not show: with no probability score, no reliability chart', () => {
    const calibration = summary['calibration'].filter((entry: { probability: unknown }) => entry.probability);
    const written = readdirSync(run.out).filter((name) => name.startsWith('reliability.'));
    expect(written).toEqual(calibration.length > 0 ? ['reliability.png', 'reliability.svg', 'reliability.vl.json'] : []);
    if (calibration.length > 0) expect(report).toContain('reliability.svg');
  });

  it('names what each printed cost counts', () => {
    expect(report).toContain('cost (all calls, orchestrator included) $');
    expect(run.lines.every((line) => line.includes('cost (all calls, orchestrator included) $'))).toBe(true);
  });
});

describe('confide ablate refuses a comparison it cannot make', () => {
  it('refuses, when the experiment loads, to compare a one-point router at a delegation rate', async () => {
    experiment({ comparisons: [{ routers: ['confidence-token', 'token-and-length'], atDelegationRate: 0.5 }] });
    const run = await ablate();
    expect(run.code).toBe(1);
    expect(run.errors.filter((line) => line.startsWith('confide: error'))).toEqual([
      expect.stringMatching(/key "comparisons": router entry "confidence-token" has no sweep, so it sits at one delegation rate and cannot be compared at atDelegationRate 0\.5; give it a "sweep"/),
    ]);
  });
});
