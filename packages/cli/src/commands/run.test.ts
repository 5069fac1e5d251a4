import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDirectory, workspaceRoot } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { captureOutput } from '../../tests/capture-output.js';

afterEach(() => vi.restoreAllMocks());

const experiment = join(workspaceRoot(), 'experiments', 'paper-math500-live');

describe('confide run experiments/paper-math500-live', () => {
  it('reproduces Delegation II through the live path: 419 correct, $1.249972, and shows core/math beside it', { timeout: 60_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cli-run-')), 'run');
    const { out: lines } = captureOutput();
    expect(await runCli(['run', experiment, '--no-cache', '--out', out, '--also-grade', 'core/math'])).toBe(0);
    expect(lines[0]).toBe('paper-math500-live: 419/500 correct (83.8 %) graded by core/recorded');
    expect(lines[1]).toMatch(/^paper-math500-live: \d+\/500 correct \(\d+\.\d %\) graded by core\/math$/);
    expect(lines).toContain('cost: answers $1.249972 · with router $1.249972 · all calls $1.267097');
    expect(lines).toContain('expected: 419 correct ✓ · $1.249972 ✓');
    const run = readRunDirectory(out);
    expect(run.records).toHaveLength(500);
    expect(run.manifest.source?.kind).toBe('replay');
    expect(run.manifest.plugins.map((plugin) => plugin.id)).toEqual([
      'core/replay',
      'core/replay',
      'core/confidence-token',
      'core/recorded',
      'core/math',
    ]);

    // a finished run is not started over silently: the refusal names the choices, and --force starts over
    const refused = captureOutput();
    expect(await runCli(['run', experiment, '--no-cache', '--out', out])).toBe(1);
    expect(refused.err.join('')).toMatch(/confide: error \[RUN_EXISTS\]: .* holds a finished live run: pass --resume to top it up .*--force to start over.*--out <another folder>/);
    expect(await runCli(['run', experiment, '--no-cache', '--out', out, '--force'])).toBe(0);
    expect(readRunDirectory(out).records).toHaveLength(500);
  });

  it('stops under a budget below the estimate, with a clear message and a non-zero exit', { timeout: 60_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cli-budget-')), 'run');
    const { err } = captureOutput();
    expect(await runCli(['run', experiment, '--no-cache', '--out', out, '--budget', '0.5'])).toBe(1);
    const text = err.join('');
    expect(text).toMatch(/cost at most \$1\.267097.*budget \$0\.500000/);
    expect(text).toMatch(/confide: error \[BUDGET_EXCEEDED\]: stopped: budget \$0\.500000 reached: spent \$0\.4\d{5}/);
    expect(text).toMatch(/--resume --budget <more>/);

    // an unfinished run is never overwritten: only resumed, here with enough budget to finish
    expect(await runCli(['run', experiment, '--no-cache', '--out', out])).toBe(1);
    expect(err.join('')).toMatch(/confide: error \[RUN_EXISTS\]: .* holds an unfinished live run: pass --resume to continue it, --force to start over/);
    const resumed = captureOutput();
    expect(await runCli(['run', experiment, '--no-cache', '--out', out, '--resume', '--budget', '2'])).toBe(0);
    expect(resumed.out).toContain('expected: 419 correct ✓ · $1.249972 ✓');
  });
});
