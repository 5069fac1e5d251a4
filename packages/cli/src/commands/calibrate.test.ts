import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignFolds } from '@confide/core';
import { loadBundledRun } from '@confide/data';
import { writeSyntheticPair } from '@confide/experiments';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

/** Runs the CLI, returning its exit code and what it printed on stdout and stderr. */
async function calibrate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts) => void stdout.push(parts.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...parts) => void stderr.push(parts.join(' ')));
  const code = await runCli(['calibrate', ...args]);
  vi.restoreAllMocks();
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** AUROC by counting every (right, wrong) pair, ties one half: independent of the metrics' rank formula. */
function pairwiseAuroc(scores: number[], labels: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((right, i) => {
    if (!labels[i]) return;
    scores.forEach((wrong, j) => {
      if (labels[j]) return;
      pairs++;
      wins += right > wrong ? 1 : right === wrong ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('confide calibrate on a bundled MATH-500 run (no P(c))', () => {
  const run = 'qwen-1.5b-lora-confidence';
  let out: string;
  let result: Awaited<ReturnType<typeof calibrate>>;

  beforeAll(async () => {
    out = join(mkdtempSync(join(tmpdir(), 'confide-calibrate-')), 'report');
    result = await calibrate([run, '--score', 'confidence-token', '--resamples', '50', '--out', out]);
  }, 60_000);

  it('prints the before/after table with the settings stated', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^qwen-1\.5b-lora-confidence: score confidence-token \(keep-high\), 500 of 500 answers scored, accuracy \d+\.\d%/);
    expect(result.stdout).toMatch(/isotonic regression .*cross-fitted: 5 folds by problem id \(seed 0\).*ECE over 15 bins; 95% percentile intervals from 50 paired-bootstrap resamples \(seed 0\)/);
    for (const figure of ['ECE, equal-width bins', 'ECE, equal-mass bins', 'Brier', 'AUROC']) expect(result.stdout).toMatch(new RegExp(`${figure} +\\d\\.\\d{3} \\[\\d\\.\\d{3}, \\d\\.\\d{3}\\]`));
  });

  it('calibrates each answer by the other folds alone: the share right among their answers with the same token', () => {
    const summary = readJson(join(out, 'summary.json'));
    expect(summary.settings).toMatchObject({ method: 'isotonic', folds: 5, seed: 0, bins: 15, resamples: 50, bootstrapSeed: 0, interpolation: 'step' });
    const records = loadBundledRun(run).records;
    const folds = assignFolds(
      records.map((record) => record.problemId),
      5,
      0,
    );
    for (let fold = 0; fold < 5; fold++) {
      const training = records.filter((record) => folds.get(record.problemId) !== fold);
      const rate = (token: boolean) => {
        const group = training.filter((record) => (record.generation.confidenceToken === '<|c_math|>') === token);
        return group.filter((record) => record.grade.correct).length / group.length;
      };
      // the token says more right answers than its absence, so PAV keeps the two groups apart
      expect(rate(true)).toBeGreaterThan(rate(false));
      const blocks = summary.calibrators[fold].fit.blocks.map((block: { lower: number; value: number }) => [block.lower, block.value]);
      expect(blocks[0][0]).toBe(0);
      expect(blocks[0][1]).toBeCloseTo(rate(false), 12);
      expect(blocks[1][0]).toBe(1);
      expect(blocks[1][1]).toBeCloseTo(rate(true), 12);
    }
    // a 0/1 score is a probability: ECE and Brier before, both binnings, intervals around the estimates
    expect(summary.before.brier.estimate).toBeCloseTo(records.filter((record) => (record.generation.confidenceToken === '<|c_math|>') !== record.grade.correct).length / 500, 12);
    for (const side of ['before', 'after']) {
      for (const figure of ['eceEqualWidth', 'eceEqualMass', 'brier', 'auroc']) {
        const { estimate, lower, upper } = summary[side][figure];
        expect(lower).toBeLessThanOrEqual(upper);
        expect(Number.isFinite(estimate)).toBe(true);
      }
    }
    // calibration of a binary score by group rates: far better calibrated than the token's 0/1
    expect(summary.after.eceEqualWidth.estimate).toBeLessThan(summary.before.eceEqualWidth.estimate / 2);
    expect(summary.change.brier.upper).toBeLessThan(0);
  });

  it('writes the report folder whole: summary, report, reliability diagram, marker', () => {
    for (const file of ['summary.json', 'report.md', 'reliability.svg', 'reliability.png', 'reliability.vl.json', '.confide-report.json']) expect(existsSync(join(out, file)), file).toBe(true);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('|figure|before (95%)|after (95%)|after − before (95%)|');
    expect(report).toContain('ECE over 15 bins');
    expect(readJson(join(out, '.confide-report.json'))).toEqual({ writtenBy: 'confide', kind: 'calibration' });
  });

  it('calibrates an output length (keep-low) on its negation: AUROC only before, probabilities after', async () => {
    const { code, stdout, stderr } = await calibrate([run, '--score', 'generation.usage.output', '--direction', 'keep-low', '--method', 'platt', '--resamples', '20', '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.score).toMatchObject({ id: 'generation.usage.output', direction: 'keep-low', calibratedOn: 'the negated score', scored: 500, unscored: null });
    expect(summary.before.eceEqualWidth).toBeNull();
    expect(summary.before.brier).toBeNull();
    expect(summary.change.eceEqualWidth).toBeNull();
    const records = loadBundledRun(run).records;
    expect(summary.before.auroc.estimate).toBeCloseTo(
      pairwiseAuroc(
        records.map((record) => -record.generation.usage.output),
        records.map((record) => record.grade.correct),
      ),
      12,
    );
    // longer answers are more often wrong: Platt's slope on the negated length is positive in every fold
    for (const calibrator of summary.calibrators) expect(calibrator.fit.slope).toBeGreaterThan(0);
    expect(summary.after.eceEqualWidth.estimate).toBeLessThan(0.1);
  }, 60_000);

  it('names the run and the score in its errors', async () => {
    const missing = await calibrate([run, '--score', 'p-confident', '--resamples', '10']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/calibrate "qwen-1\.5b-lora-confidence", score "p-confident": score "p-confident": run "qwen-1\.5b-lora-confidence" has no confidence-token probabilities/);
    const field = await calibrate([run, '--score', 'generation.nothing', '--resamples', '10']);
    expect(field.stderr).toMatch(/calibrate "qwen-1\.5b-lora-confidence", score "generation\.nothing": score field "generation\.nothing" is missing or not a number/);
    const malformed = await calibrate([run, '--score', 'two words', '--resamples', '10']);
    expect(malformed.stderr).toMatch(/calibrate "qwen-1\.5b-lora-confidence", score "two words": not a score/);
  });

  it('refuses a non-empty folder it did not write before any work', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-calibrate-busy-'));
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    const refused = await calibrate([run, '--score', 'confidence-token', '--out', folder]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/OUTPUT_REFUSED.*Confide did not write it/);
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('confide calibrate on a synthetic run with P(c)', () => {
  let small: string;

  beforeAll(() => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-calibrate-synthetic-'));
    mkdirSync(folder, { recursive: true });
    writeSyntheticPair({ folder, problems: 600, seed: 3 });
    small = join(folder, 'runs', 'small');
  });

  it.each(['isotonic', 'platt', 'temperature'] as const)('recalibrates P(c) with %s: lower ECE than the raw P(c), which is too low', async (method) => {
    const { code, stdout, stderr } = await calibrate([small, '--score', 'p-confident', '--method', method, '--resamples', '30', '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.score.scored).toBe(600);
    expect(summary.settings.method).toBe(method);
    if (method === 'temperature') expect(summary.settings.input).toBe('probability');
    // the synthetic P(c) sits far from the small model's accuracy (ECE about 0.27; see synthetic-pair.ts)
    expect(summary.before.eceEqualWidth.estimate).toBeGreaterThan(0.1);
    expect(summary.after.eceEqualWidth.estimate).toBeLessThan(summary.before.eceEqualWidth.estimate);
    expect(summary.after.eceEqualMass.estimate).toBeLessThan(summary.before.eceEqualMass.estimate);
    expect(summary.change.eceEqualMass.upper).toBeLessThan(0);
  }, 60_000);
});
