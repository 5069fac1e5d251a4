/**
 * grade, regrade, compare and view resolve their evaluator through the registry (`--evaluator <id>`,
 * `--evaluator-options <json>`), core/math when none is named. The other evaluator here is core/first-of over core/math
 * twice: the same verdicts reached through another plugin and its options, so a test can tell which one graded.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { loadBundledRun, writeRunDirectory } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

const folder = mkdtempSync(join(tmpdir(), 'confide-evaluator-flags-'));
const CHAIN = ['--evaluator', 'core/first-of', '--evaluator-options', JSON.stringify({ evaluators: [{ id: 'core/math' }, { id: 'core/math', options: { timeoutMs: 5000 } }] })];

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const output = captureOutput({ stdout: true });
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, ...output };
}

/** Six records of qwen-1.5b, the second's recorded verdict turned over: core/math disagrees with it at least there. */
function smallRun(): string {
  const run = loadBundledRun('qwen-1.5b');
  const records: RunRecord[] = run.records.slice(0, 6).map((record, index) => (index === 1 ? { ...record, grade: { ...record.grade, correct: !record.grade.correct } } : record));
  const path = join(folder, 'six');
  writeRunDirectory(path, { manifest: { ...run.manifest, records: records.length }, records, problems: null });
  return path;
}
const run = smallRun();

describe('--evaluator on grade', () => {
  const pairs = join(folder, 'pairs.jsonl');
  writeFileSync(pairs, ['{"id": 1, "gold": "\\\\frac{1}{2}", "pred": "0.5"}', '{"id": 2, "gold": "5", "pred": "6"}'].join('\n') + '\n');

  it('grades with the named evaluator and its options, the same verdicts as core/math here', async () => {
    const math = await cli(['grade', '--pairs', pairs]);
    const chain = await cli(['grade', '--pairs', pairs, ...CHAIN]);
    expect(chain.code, chain.err.join('')).toBe(0);
    const rows = (lines: string[]) => lines.join('').trim().split('\n').map((line) => JSON.parse(line) as { id: number; equivalent: boolean; reason: string; evaluator: string });
    expect(rows(math.out).map((row) => [row.id, row.equivalent, row.reason, row.evaluator])).toEqual([
      [1, true, 'exact-rational', 'core/math'],
      [2, false, 'different-value', 'core/math'],
    ]);
    // the chain decides with core/math and says so in its own reason
    expect(rows(chain.out).map((row) => row.equivalent)).toEqual([true, false]);
    expect(rows(chain.out)[0]!.reason).toMatch(/^decided by core\/math \(step 1 of 2\)/);
  });

  it('refuses an unknown id naming the close ids, a bad option naming the key, and a core/math flag with another evaluator', async () => {
    const unknown = await cli(['grade', '--pairs', pairs, '--evaluator', 'core/mat']);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/--evaluator: no evaluator plugin "core\/mat"; did you mean "core\/math"\?/);
    const badKey = await cli(['grade', '--pairs', pairs, '--evaluator-options', '{"timeout": 5}']);
    expect(badKey.code).toBe(1);
    expect(badKey.err.join('\n')).toMatch(/--evaluator-options: evaluator plugin "core\/math": key "timeout"/);
    const notJson = await cli(['grade', '--pairs', pairs, '--evaluator-options', '{timeoutMs: 5}']);
    expect(notJson.err.join('\n')).toMatch(/--evaluator-options: not valid JSON/);
    const mathFlag = await cli(['grade', '--pairs', pairs, '--gold-mode', 'bare', ...CHAIN]);
    expect(mathFlag.code).toBe(1);
    expect(mathFlag.err.join('\n')).toMatch(/--gold-mode: sets an option of core\/math, not of core\/first-of; give core\/first-of's options with --evaluator-options/);
  });
});

describe('--evaluator on regrade', () => {
  it('writes the flips under the named evaluator, core/math by default', async () => {
    const math = await cli(['regrade', '--run', run, '--extract']);
    expect(math.code, math.err.join('')).toBe(0);
    expect(math.err.join('')).toMatch(/with core\/math: recorded \d\/6, regraded \d\/6; [1-6] flips/);
    const chain = await cli(['regrade', '--run', run, '--extract', ...CHAIN]);
    expect(chain.err.join('')).toMatch(/with core\/first-of: recorded \d\/6, regraded \d\/6; [1-6] flips/);
    const flips = (lines: string[]) => lines.join('').trim().split('\n').map((line) => JSON.parse(line) as { problemId: string; regraded: boolean; reason: string });
    expect(flips(chain.out).map((flip) => [flip.problemId, flip.regraded])).toEqual(flips(math.out).map((flip) => [flip.problemId, flip.regraded]));
    expect(flips(chain.out).map((flip) => flip.problemId)).toContain(loadBundledRun('qwen-1.5b').records[1]!.problemId);
    expect(flips(chain.out)[0]!.reason).toMatch(/^decided by core\/math/);
  });

  it('refuses an unknown id naming the close ids', async () => {
    const { code, err } = await cli(['regrade', '--run', run, '--evaluator', 'core/first']);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/no evaluator plugin "core\/first"; did you mean "core\/first-of"/);
  });
});

describe('--evaluator on compare', () => {
  it("compares a run with itself under the named evaluator, core/math's by default", async () => {
    const math = await cli(['compare', run, '--json']);
    expect(math.code, math.err.join('')).toBe(0);
    const comparison = JSON.parse(math.out.join('')) as { right: string; flips: { rightToWrong: number; wrongToRight: number } };
    expect(comparison.right).toBe(`${run} (core/math)`);
    expect(comparison.flips.rightToWrong + comparison.flips.wrongToRight).toBeGreaterThanOrEqual(1);
    const chain = await cli(['compare', run, '--json', ...CHAIN]);
    const chained = JSON.parse(chain.out.join('')) as typeof comparison;
    expect(chained.right).toBe(`${run} (core/first-of)`);
    expect(chained.flips).toEqual(comparison.flips);
  });

  it('refuses --grades recorded with an evaluator, and an unknown id', async () => {
    const recorded = await cli(['compare', run, run, '--grades', 'recorded', '--evaluator', 'core/math']);
    expect(recorded.err.join('\n')).toMatch(/--grades recorded keeps the recorded verdicts/);
    const unknown = await cli(['compare', run, '--evaluator', 'core/maths']);
    expect(unknown.err.join('\n')).toMatch(/did you mean "core\/math"\?/);
  });
});

describe('--evaluator on view', () => {
  it("compares with core/math's verdicts by default and with the named evaluator's, labelled, otherwise", async () => {
    const math = await cli(['view', run, '--compare-grades', 'math', '--dataset', 'math500', '--out', join(folder, 'view-math')]);
    expect(math.code, math.err.join('')).toBe(0);
    expect(readFileSync(join(folder, 'view-math', 'index.html'), 'utf8')).toContain('"grades":"math"');
    const chain = await cli(['view', run, ...CHAIN, '--dataset', 'math500', '--out', join(folder, 'view-chain')]);
    expect(chain.code, chain.err.join('')).toBe(0);
    const html = readFileSync(join(folder, 'view-chain', 'index.html'), 'utf8');
    expect(html).toContain('"grades":"regrade"');
    expect(html).toContain('graded by core/first-of');
    const unknown = await cli(['view', run, '--evaluator', 'core/verifier', '--out', join(folder, 'view-unknown')]);
    expect(unknown.err.join('\n')).toMatch(/no evaluator plugin "core\/verifier"; did you mean [^?]*"core\/model-verifier"/);
  }, 60_000);
});
