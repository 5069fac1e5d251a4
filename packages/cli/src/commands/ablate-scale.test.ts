import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { writeSyntheticPair } from '@confide/experiments';

/**
 * An ablation past every old cap: 100,001 problems (16-bit counts stopped at 65,535), with a P(c) sweep of tens of
 * thousands of distinct thresholds, random over rates and seeds, the baselines, a comparison and a guarantee. Few
 * resamples and splits keep the test short; the scale benchmark (tools/bench/scale-bench.ts) times the full run.
 */
const N = 100_001;
let folder: string;
let out: string;
let stderr: string[];

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'confide-scale-'));
  writeSyntheticPair({ folder, problems: N, resamples: 1000, violationSplits: 20 });
  out = join(mkdtempSync(join(tmpdir(), 'confide-scale-out-')), 'report');
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...args) => void stderr.push(args.join(' ')));
  const code = await runCli(['ablate', '--experiment', folder, '--out', out, '--resamples', '20', '--progress', 'all']);
  vi.restoreAllMocks();
  expect(code, stderr.join('')).toBe(0);
}, 300_000);

afterEach(() => vi.restoreAllMocks());

const summaryOf = (path: string) => JSON.parse(readFileSync(join(path, 'summary.json'), 'utf8'));

describe('an ablation of 100,001 problems', () => {
  it('evaluates every problem, keeps a sweep of many thresholds at its grid, checks fast paths on a sample', () => {
    const summary = summaryOf(out);
    expect(summary.problems.evaluated).toBe(N);
    expect(summary.bootstrap.resamples).toBe(20);
    const pConfident = summary.routers.find((router: { id: string }) => router.id === 'p-confident');
    expect(pConfident.grid.thresholds).toBeGreaterThan(10_000);
    expect(pConfident.points.length).toBe(pConfident.grid.kept);
    expect(pConfident.grid.kept).toBeLessThanOrEqual(1002);
    expect(pConfident.engineCheck).toEqual({ points: 4, agreed: 4, problems: 2000 });
    const random = summary.routers.find((router: { id: string }) => router.id === 'random');
    expect(random.engineCheck).toEqual({ points: 4, agreed: 4, problems: 2000 });
    expect(summary.riskControl[0].violations.splits).toBe(20);
    expect(pConfident.intervals.accuracy.lower).toBeLessThanOrEqual(pConfident.reported.accuracy);
  });

  it('reports progress of its long steps (stage, done/total, rate, time left)', () => {
    const lines = stderr.join('').split('\n');
    expect(lines.some((line) => /^pair: bootstrap: 20\/20 \(100%\) · [\d.]+\/s · done$/.test(line))).toBe(true);
    expect(lines.some((line) => /^pair: p-confident through the engine: 2000\/2000 \(100%\)/.test(line))).toBe(true);
    expect(lines.some((line) => /^risk control: p-confident: violation splits: 20\/20 \(100%\)/.test(line))).toBe(true);
  });

  it('stops on Ctrl-C within a second, writing nothing: the previous report stays as it was', async () => {
    const before = createHash('sha256').update(readFileSync(join(out, 'summary.json'))).digest('hex');
    // the full 1,000 resamples: long enough to be interrupted in its bootstrap
    const child = spawn(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', 'packages/cli/src/main.ts', 'ablate', '--experiment', folder, '--out', out], {
      cwd: workspaceRoot(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    let interruptedAt = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (interruptedAt === 0 && /pair: bootstrap: \d+\/1000/.test(output)) {
        interruptedAt = performance.now();
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const stoppedAfterMs = performance.now() - interruptedAt;
    expect(interruptedAt, output).toBeGreaterThan(0);
    expect(code).toBe(1);
    expect(output).toMatch(/confide: error \[CANCELLED\]: stopped: pair: bootstrap cancelled after \d+ of 1000 resamples; no report written/);
    // it yields every 200 ms; the bound is loose so a busy machine does not fail it (the note gives the measured time)
    expect(stoppedAfterMs).toBeLessThan(10_000);
    expect(createHash('sha256').update(readFileSync(join(out, 'summary.json'))).digest('hex')).toBe(before);
    // no staging folder or temporary file left beside the report
    const parent = join(out, '..');
    expect(readdirSync(parent).filter((name) => name !== 'report')).toEqual([]);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  }, 120_000);
});
