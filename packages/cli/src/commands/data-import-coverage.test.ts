/**
 * Imports say what they did not cover: a results file answering part of the dataset imports with a line giving the
 * count (and `--require-complete` refuses it, writing nothing); rows naming problems the dataset lacks are left out,
 * counted, the first five shown.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDirectory, workspaceRoot } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

const example = join(workspaceRoot(), 'experiments', 'byo-arithmetic');
const lines = readFileSync(join(example, 'data', 'small-results.jsonl'), 'utf8').trim().split('\n');
const root = mkdtempSync(join(tmpdir(), 'import-coverage-'));
const common = ['--model', 'sim-small', '--dataset', join(example, 'data', 'problems.csv'), '--price-table', join(example, 'prices.json')];

async function importFile(name: string, rows: string[], extra: string[] = []) {
  const file = join(root, `${name}.jsonl`);
  writeFileSync(file, `${rows.join('\n')}\n`);
  const out = join(root, name);
  const output = captureOutput();
  const code = await runCli(['data', 'import', file, '--out', out, ...common, ...extra]);
  vi.restoreAllMocks();
  return { code, out, stdout: output.out.join('\n'), stderr: output.err.join('') };
}

/** A row of the example naming another problem id. */
function renamed(line: string, id: string): string {
  return JSON.stringify({ ...(JSON.parse(line) as object), problem_id: id });
}

describe('an import that covers part of the dataset', () => {
  it('imports, with a line stating the count and the first five problems left unanswered', async () => {
    const result = await importFile('half', lines.slice(0, 150));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('data import: imported 150 of 300 problems; 150 not in the results file (first 5: arith-150, arith-151, arith-152, arith-153, arith-154)');
    const run = readRunDirectory(result.out);
    expect(run.records).toHaveLength(150);
    expect(run.manifest.config['coverage']).toEqual({ imported: 150, dataset: 300, notInFile: 150, rowsNotInDataset: 0 });
  });

  it('says nothing is missing when the file covers the dataset', async () => {
    const result = await importFile('whole', lines);
    expect(result.stdout).toContain('data import: imported 300 of 300 problems\n');
  });

  it('is refused with --require-complete, and nothing is written', async () => {
    const result = await importFile('half-strict', lines.slice(0, 150), ['--require-complete']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/confide: error \[INVALID_INPUT\]: .*half-strict\.jsonl: --require-complete: imported 150 of 300 problems; 150 not in the results file/);
    expect(existsSync(result.out)).toBe(false);
  });
});

describe('rows naming problems the dataset lacks', () => {
  it('are left out and counted, with the first five shown', async () => {
    const strangers = Array.from({ length: 7 }, (_, index) => renamed(lines[0]!, `other-${index + 1}`));
    const result = await importFile('strangers', [...lines.slice(1), ...strangers]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'data import: imported 299 of 300 problems; 1 not in the results file (first 1: arith-000); 7 rows name a problem the dataset lacks, left out (first 5: other-1, other-2, other-3, other-4, other-5)',
    );
    expect(readRunDirectory(result.out).records).toHaveLength(299);
    expect((await importFile('strangers-strict', [...lines, ...strangers], ['--require-complete'])).code).not.toBe(0);
  });

  it('fail the import when no row names a problem of the dataset', async () => {
    const result = await importFile('none', [renamed(lines[0]!, 'other-1'), renamed(lines[1]!, 'other-2')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/none\.jsonl, row 1, field "problem_id": problem "other-1" is not in the dataset, nor is any other row's \(2 rows;/);
  });
});

describe('an import of graded scores', () => {
  /** The example's rows with their verdict replaced by a graded score: right answers 0.8, wrong ones 0.3 or 0.5. */
  const graded = lines.map((line, index) => {
    const { is_correct: correct, ...row } = JSON.parse(line) as Record<string, unknown>;
    return JSON.stringify({ ...row, score: correct ? 0.8 : index % 2 === 0 ? 0.3 : 0.5 });
  });
  const verdicts = lines.map((line) => (JSON.parse(line) as { is_correct: boolean }).is_correct);

  it('keeps each score beside the verdict drawn from it at binarizeAt (default 0.5), and records the cut-off', async () => {
    const result = await importFile('scores', graded);
    expect(result.code, result.stderr).toBe(0);
    const run = readRunDirectory(result.out);
    expect(run.records.map((record) => record.grade.score)).toEqual(verdicts.map((correct, index) => (correct ? 0.8 : index % 2 === 0 ? 0.3 : 0.5)));
    // 0.5 reaches the default cut-off: those wrong answers count as correct
    expect(run.records.map((record) => record.grade.correct)).toEqual(verdicts.map((correct, index) => correct || index % 2 === 1));
    expect(run.records[0]!.grade.reason).toMatch(/score recorded in scores\.jsonl, correct when ≥ 0\.5/);
    expect(run.manifest.config['binarizeAt']).toBe(0.5);
    expect(run.records[0]!.schemaVersion).toBe(2);
  });

  it('--binarize-at moves the cut-off; a score outside [0, 1] names the row and column', async () => {
    const strict = await importFile('scores-strict', graded, ['--binarize-at', '0.6']);
    expect(strict.code, strict.stderr).toBe(0);
    expect(readRunDirectory(strict.out).records.map((record) => record.grade.correct)).toEqual(verdicts);
    const bad = await importFile('scores-bad', [graded[0]!.replace(/"score":[0-9.]+/, '"score":1.5'), ...graded.slice(1)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/row 1, field "score": expected a graded score in \[0, 1\], got 1\.5/);
  });
});
