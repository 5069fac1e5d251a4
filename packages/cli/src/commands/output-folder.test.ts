/**
 * Output folders and I/O failures as a user meets them: `--out` refused before any work (nothing printed but the
 * refusal) when it is a file, not writable, a run folder for a report or a report folder for a run; a folder Confide
 * did not write left untouched; a report rewritten with a smaller config keeping nothing stale; and every I/O failure
 * one line, `confide: error [CODE]: <the user's path>: <plain reason>`, never a temporary file's name.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { JsonObjectRow, readJsonLines, recordedRunsFolder, REPORT_MARKER_FILE, setFileSystemFaultForTests, workspaceRoot, writeParquetRows } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { asConfideError, runCli } from '../main.js';
import { buildProgram } from '../program.js';

afterEach(() => {
  setFileSystemFaultForTests(undefined);
  vi.restoreAllMocks();
});

async function cli(args: string[]) {
  const output = captureOutput({ stdout: true });
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, ...output };
}

const root = mkdtempSync(join(tmpdir(), 'confide-out-cli-'));
let count = 0;
const fresh = (name: string) => join(root, `${name}-${++count}`);
const aFile = () => {
  const file = fresh('a-file');
  writeFileSync(file, 'not a folder');
  return file;
};
const byo = join(workspaceRoot(), 'experiments', 'byo-arithmetic');
const ablation = join(workspaceRoot(), 'experiments', 'ablation-math500');
const verifier = join(workspaceRoot(), 'experiments', 'regrade-verifier', 'rules-then-gemini.json');

beforeAll(async () => {
  // the command modules loaded once, as the installed command has them
  for (const command of ['paper', 'ablate', 'view', 'regrade', 'data']) await buildProgram([command]);
});

describe('--out is checked before any work', () => {
  it.each([
    ['ablate (a 28 s ablation)', (out: string) => ['ablate', '--experiment', ablation, '--out', out]],
    ['paper', (out: string) => ['paper', '--out', out]],
    ['view', (out: string) => ['view', 'gemini-flash', '--out', out]],
    ['regrade --evaluator', (out: string) => ['regrade', '--run', 'gemini-flash', '--evaluator', verifier, '--out', out]],
  ])('%s: an --out that is a file is refused before any work, naming it', async (_name, args) => {
    const file = aFile();
    const result = await cli(args(file));
    expect(result.code).toBe(1);
    // refused before any work: the refusal is all it printed (no stage, no progress)
    expect(result.err).toEqual([`confide: error [OUTPUT_REFUSED]: ${file}: is a file, not a folder`]);
    expect(result.out).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });

  it('a report into a run folder (manifest.json) is refused; a run into a report folder too', async () => {
    const run = fresh('run');
    cpSync(join(recordedRunsFolder(), 'gemini-flash'), run, { recursive: true });
    const paper = await cli(['paper', '--out', run]);
    expect(paper.err.at(-1)).toBe(`confide: error [OUTPUT_REFUSED]: ${run}: is a run folder (it holds manifest.json); a paper report goes in a folder of its own: choose another --out`);
    expect(paper.err).toHaveLength(1);

    const report = fresh('report');
    mkdirSync(report);
    writeFileSync(join(report, REPORT_MARKER_FILE), '{"writtenBy":"confide","kind":"paper"}\n');
    const imported = await cli(['data', 'import', join(byo, 'data', 'small-results.jsonl'), '--dataset', join(byo, 'data', 'problems.csv'), '--model', 'sim-small', '--price-table', join(byo, 'prices.json'), '--out', report]);
    expect(imported.err.at(-1)).toBe(`confide: error [OUTPUT_REFUSED]: ${report}: is a Confide paper report folder; a run goes in a folder of its own: choose another --out`);
    expect(readdirSync(report)).toEqual([REPORT_MARKER_FILE]);
  });

  it('a non-empty folder Confide did not write is refused and left untouched', async () => {
    const mine = fresh('my-notes');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.md'), 'mine');
    const result = await cli(['paper', '--out', mine]);
    expect(result.err.at(-1)).toMatch(new RegExp(`^confide: error \\[OUTPUT_REFUSED\\]: ${mine}: is not empty and Confide did not write it`));
    expect(readdirSync(mine)).toEqual(['notes.md']);
    expect(readFileSync(join(mine, 'notes.md'), 'utf8')).toBe('mine');
  });

  it('a folder that cannot be written (EACCES injected through the file-writing seam) is refused before work', async () => {
    const parent = fresh('read-only');
    mkdirSync(parent);
    setFileSystemFaultForTests({ code: 'EACCES', under: parent });
    const result = await cli(['paper', '--out', join(parent, 'report')]);
    expect(result.err).toEqual([`confide: error [OUTPUT_REFUSED]: ${join(parent, 'report')}: not writable: permission denied (in ${parent})`]);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('a report folder Confide wrote is replaced whole', () => {
  it('rewritten with a smaller config, it keeps no stale policies/*.json', { timeout: 120_000 }, async () => {
    const experiment = fresh('byo-arithmetic');
    for (const part of ['data', 'runs']) cpSync(join(byo, part), join(experiment, part), { recursive: true });
    copyFileSync(join(byo, 'prices.json'), join(experiment, 'prices.json'));
    const config = JSON.parse(readFileSync(join(byo, 'experiment.json'), 'utf8')) as { riskControl: Array<{ router: string }>; bootstrap: { resamples: number }; offPolicy: { log: string } };
    config.bootstrap.resamples = 100;
    // the exploration log its offPolicy names beside it (../explore-byo-arithmetic/run), here by its absolute path
    config.offPolicy.log = join(workspaceRoot(), 'experiments', 'explore-byo-arithmetic', 'run');
    const riskControl = config.riskControl[0]!;
    // one policy per risk-control entry: two, then one
    const write = (maxKeptErrorRates: number[]) =>
      writeFileSync(join(experiment, 'experiment.json'), JSON.stringify({ ...config, riskControl: maxKeptErrorRates.map((maxKeptErrorRate) => ({ ...riskControl, maxKeptErrorRate })) }));
    const out = join(experiment, 'report');

    write([0.1, 0.2]);
    const first = await cli(['ablate', '--experiment', experiment, '--out', out]);
    expect(first.code, first.err.join('\n')).toBe(0);
    expect(readdirSync(join(out, 'policies')).sort()).toEqual(['p-confident-kept-error-2.json', 'p-confident-kept-error.json']);

    write([0.1]);
    const second = await cli(['ablate', '--experiment', experiment, '--out', out]);
    expect(second.code, second.err.join('\n')).toBe(0);
    expect(readdirSync(join(out, 'policies'))).toEqual(['p-confident-kept-error.json']);
    expect(readdirSync(out)).toContain(REPORT_MARKER_FILE);
    // nothing left beside it: no staging folder, no earlier report set aside
    expect(readdirSync(experiment).sort()).toEqual(['data', 'experiment.json', 'prices.json', 'report', 'runs']);
  });
});

describe('I/O failures: one line naming the user\'s path, in plain words', () => {
  const pairs = fresh('pairs.jsonl');
  writeFileSync(pairs, `${JSON.stringify({ id: 'a', gold: '1/2', pred: '0.5' })}\n`);

  it('ENOSPC (writing to /dev/full)', async () => {
    const result = await cli(['grade', '--pairs', pairs, '--out', '/dev/full']);
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toBe('confide: error [IO_ERROR]: /dev/full: no space left on device');
  });

  it('EPERM injected at write time names the output file, not the .tmp written beside it', async () => {
    const folder = fresh('out');
    mkdirSync(folder);
    setFileSystemFaultForTests({ code: 'EPERM', under: folder });
    const result = await cli(['grade', '--pairs', pairs, '--out', join(folder, 'verdicts.jsonl')]);
    expect(result.err.at(-1)).toBe(`confide: error [IO_ERROR]: ${join(folder, 'verdicts.jsonl')}: permission denied (operation not permitted)`);
    expect(result.err.join('\n')).not.toMatch(/\.tmp/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a truncated gzip names the file', async () => {
    const run = fresh('truncated-run');
    cpSync(join(recordedRunsFolder(), 'gemini-flash'), run, { recursive: true });
    const records = join(run, 'records.jsonl.gz');
    const bytes = readFileSync(records);
    writeFileSync(records, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const result = await cli(['data', 'show', run, '--limit', '1']);
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toBe(`confide: error [IO_ERROR]: ${records}: file is truncated (the gzip data ends early)`);
  });

  it('a response cache that cannot be opened names the cache path', async () => {
    const cache = fresh('cache.sqlite');
    mkdirSync(cache);
    const result = await cli(['regrade', '--run', 'gemini-flash', '--evaluator', verifier, '--cache', cache, '--out', fresh('regrade')]);
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toMatch(new RegExp(`^confide: error \\[IO_ERROR\\]: ${cache}: cannot open the response cache`));
  });

  it('as a last resort, a raw Node error names the user\'s path, not the temporary file', () => {
    const raw = Object.assign(new Error("EACCES: permission denied, open '/data/out/.summary.json.123.456.tmp'"), {
      code: 'EACCES',
      syscall: 'open',
      path: '/data/out/.summary.json.123.456.tmp',
    });
    expect((asConfideError(raw) as Error).message).toBe('/data/out/summary.json: permission denied');
    const zlib = Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR', errno: -5 });
    expect((asConfideError(zlib) as Error).message).toBe('file is truncated (the gzip data ends early)');
  });
});

describe('confide data import without --out', () => {
  it.each([
    ['r.parquet', (rows: Array<Record<string, unknown>>) => writeParquetRows(rows)],
    ['r.jsonl.gz', async (rows: Array<Record<string, unknown>>) => gzipSync(rows.map((row) => JSON.stringify(row)).join('\n') + '\n')],
  ])('%s becomes the run folder r/ beside it', { timeout: 60_000 }, async (name, encode) => {
    const folder = fresh('import');
    mkdirSync(folder);
    const rows = readJsonLines(join(byo, 'data', 'small-results.jsonl'), JsonObjectRow);
    writeFileSync(join(folder, name), await encode(rows));
    const result = await cli(['data', 'import', join(folder, name), '--dataset', join(byo, 'data', 'problems.csv'), '--model', 'sim-small', '--price-table', join(byo, 'prices.json')]);
    expect(result.code, result.err.join('\n')).toBe(0);
    expect(readdirSync(join(folder, 'r'))).toEqual(expect.arrayContaining(['manifest.json', 'records.jsonl.gz']));
    expect(existsSync(join(folder, name))).toBe(true);
  });
});
