import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { readRunDirectory, workspaceRoot } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { captureOutput } from '../../tests/capture-output.js';

afterEach(() => vi.restoreAllMocks());

// the live MATH-500 replay experiment: core/replay clients of the bundled runs stand in for both models
const experiment = join(workspaceRoot(), 'experiments', 'paper-math500-live');
let folder: string;
let whole: ReturnType<typeof readRunDirectory>;
let wholeSummary: Record<string, unknown>;

/** A record without its timing: the latency is the replay client's own clock, different on every run. */
const untimed = (record: RunRecord) => ({ ...record, generation: { ...record.generation, latencyMs: null } });
/** A side run's records in problem order: a side run lists its answers in the order they completed. */
const byProblem = (records: RunRecord[]) => records.map(untimed).sort((left, right) => (left.problemId < right.problemId ? -1 : 1));
/** A summary without what names the folder it was written from. */
const summaryOf = (run: string) => JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as Record<string, unknown>;
/** A manifest's numbers: without the git state, which another commit on this checkout may change between runs. */
const manifestOf = (run: string) => {
  const { git: _git, ...rest } = readRunDirectory(run).manifest;
  return rest;
};

async function runShards(count: number, out: string, indices = Array.from({ length: count }, (_, index) => index + 1)): Promise<string[]> {
  const folders: string[] = [];
  for (const index of indices) {
    const { err } = captureOutput();
    expect(await runCli(['run', experiment, '--no-cache', '--out', out, '--shard', `${index}/${count}`])).toBe(0);
    expect(err.join('')).toMatch(new RegExp(`^run: shard ${index}/${count}: (\\d+) of 500 problems\\n`));
    vi.restoreAllMocks();
    folders.push(`${out}.shard-${index}-of-${count}`);
  }
  return folders;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'cli-merge-'));
  captureOutput();
  expect(await runCli(['run', experiment, '--no-cache', '--out', join(folder, 'whole')])).toBe(0);
  vi.restoreAllMocks();
  whole = readRunDirectory(join(folder, 'whole'));
  wholeSummary = summaryOf(join(folder, 'whole'));
}, 120_000);

describe.each([2, 3])('confide run --shard i/%i, then confide merge', (count) => {
  it('gives the run in one piece, record for record (latency aside), with the same manifest and summary', { timeout: 180_000 }, async () => {
    const shards = await runShards(count, join(folder, `s${count}`));
    const sizes = shards.map((shard) => (JSON.parse(readFileSync(join(shard, 'shard.json'), 'utf8')) as { problems: number }).problems);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(500);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);

    const merged = join(folder, `merged-${count}`);
    const { out } = captureOutput();
    expect(await runCli(['merge', ...shards, '--out', merged])).toBe(0);
    expect(out[0]).toBe(`paper-math500-live: 419/500 correct (83.8 %) graded by core/recorded, from ${count} shards`);
    expect(out).toContain('cost: answers $1.249972 · with router $1.249972 · all calls $1.267097');
    expect(out).toContain('expected: 419 correct ✓ · $1.249972 ✓');
    expect(out.find((line) => line.startsWith('spent:'))).toMatch(new RegExp(`^spent: \\$1\\.267097 \\(the shards: ${Array(count).fill('\\$\\d\\.\\d{6}').join(' \\+ ')}\\)`));

    const run = readRunDirectory(merged);
    expect(run.records.map(untimed)).toEqual(whole.records.map(untimed));
    expect(manifestOf(merged)).toEqual(manifestOf(join(folder, 'whole')));
    expect(summaryOf(merged)).toEqual(wholeSummary);
    expect(readFileSync(join(merged, 'report.md'), 'utf8')).toBe(readFileSync(join(folder, 'whole', 'report.md'), 'utf8'));
    for (const side of ['small', 'large']) {
      expect(byProblem(readRunDirectory(join(merged, side)).records)).toEqual(byProblem(readRunDirectory(join(folder, 'whole', side)).records));
    }
    // nothing left beside it: no staging folder, no lock
    expect(readdirSync(folder).filter((name) => name.startsWith('.'))).toEqual([]);

    // the merged run holds the joined stage logs: a resume finds nothing missing
    if (count === 2) {
      const topUp = captureOutput();
      expect(await runCli(['run', experiment, '--no-cache', '--out', merged, '--resume'])).toBe(0);
      expect(topUp.err.join('')).toMatch(/resuming \(500 small and \d+ large answers recorded\); cost at most \$1\.267097/);
      expect(readRunDirectory(merged).records.map(untimed)).toEqual(whole.records.map(untimed));
      vi.restoreAllMocks();
    }

    // status adds the shards up
    const status = captureOutput();
    expect(await runCli(['status', ...shards])).toBe(0);
    expect(status.out.at(-1)).toMatch(new RegExp(`^total: 500/500 problems done, ${count}/${count} shards finished, \\d+ calls, .*; spent \\$1\\.267097$`));
  });
});

describe('confide merge refuses', () => {
  let shards: string[];
  beforeAll(async () => {
    shards = await runShards(2, join(folder, 'r2'));
  }, 120_000);

  const refused = async (args: string[], code: string, pattern: RegExp) => {
    const out = join(folder, `refused-${Math.random().toString(36).slice(2)}`);
    const { err } = captureOutput();
    expect(await runCli(['merge', ...args, '--out', out])).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`confide: error \\[${code}\\]: `));
    expect(err.join('')).toMatch(pattern);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(folder).filter((name) => name.includes('merging'))).toEqual([]);
  };

  it('a missing shard, naming the ids in no shard', async () => {
    await refused([shards[0]!], 'SHARD_COVERAGE', /\d+ problems in no shard: test\//);
  });

  it('a shard given twice, naming the ids in more than one shard', async () => {
    await refused([shards[0]!, shards[0]!, shards[1]!], 'SHARD_COVERAGE', /\d+ problems in more than one shard: test\/\S+ \(shards 1\/2 .*, 1\/2 /);
  });

  it('shards of different runs, naming the field and the shards', async () => {
    const other = join(folder, 'other.shard-2-of-2');
    cpSync(shards[1]!, other, { recursive: true });
    const path = join(other, 'shard.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { identity: { priceTableSha256: string } };
    manifest.identity.priceTableSha256 = 'f'.repeat(64);
    writeFileSync(path, JSON.stringify(manifest));
    await refused([shards[0]!, other], 'SHARD_MISMATCH', /shards differ in price table hash \(priceTableSha256\): 1\/2 \(.*r2\.shard-1-of-2\) has [0-9a-f]{64}, 2\/2 \(.*other\.shard-2-of-2\) has f{64}/);
    rmSync(other, { recursive: true });
  });

  it('an unfinished shard, naming it', async () => {
    const unfinished = join(folder, 'unfinished.shard-2-of-2');
    cpSync(shards[1]!, unfinished, { recursive: true });
    rmSync(join(unfinished, 'manifest.json'));
    await refused([shards[0]!, unfinished], 'SHARD_UNFINISHED', /1 of 2 shards have not finished: 2\/2 \(.*unfinished\.shard-2-of-2\): finish each with .*--resume/);
    rmSync(unfinished, { recursive: true });
  });

  it('a folder that is not a shard', async () => {
    await refused([join(folder, 'whole')], 'SHARD_NOT_FOUND', /no shard\.json/);
  });
});

describe('a shard stopped by its budget', () => {
  it('resumes, is counted by status while unfinished, and merges to the run in one piece', { timeout: 180_000 }, async () => {
    const out = join(folder, 'b2');
    const stopped = captureOutput();
    // --budget is per shard: shard 1 of 2 is about half the run's $1.27, so $0.3 stops it part way
    expect(await runCli(['run', experiment, '--no-cache', '--out', out, '--shard', '1/2', '--budget', '0.3'])).toBe(1);
    expect(stopped.err.join('')).toMatch(/confide: error \[BUDGET_EXCEEDED\]: .*Continue with: confide run .* --shard 1\/2 --resume --budget <more>/);
    vi.restoreAllMocks();
    const second = (await runShards(2, out, [2]))[0]!;
    const first = `${out}.shard-1-of-2`;

    const status = captureOutput();
    expect(await runCli(['status', first, second])).toBe(0);
    const total = status.out.at(-1)!;
    expect(total).toMatch(/^total: \d+\/500 problems done, 1\/2 shards finished/);
    expect(Number(/spent \$(\d+\.\d+)$/.exec(total)![1])).toBeLessThan(1.267097);
    vi.restoreAllMocks();

    const early = captureOutput();
    expect(await runCli(['merge', first, second, '--out', join(folder, 'b-merged')])).toBe(1);
    expect(early.err.join('')).toMatch(/\[SHARD_UNFINISHED\]: 1 of 2 shards have not finished: 1\/2 \(.*b2\.shard-1-of-2\)/);
    vi.restoreAllMocks();
    const resumed = captureOutput();
    expect(await runCli(['run', experiment, '--no-cache', '--out', out, '--shard', '1/2', '--resume'])).toBe(0);
    expect(resumed.err.join('')).toMatch(/resuming \(\d+ small and \d+ large answers recorded\)/);
    vi.restoreAllMocks();
    captureOutput();
    expect(await runCli(['merge', first, second, '--out', join(folder, 'b-merged')])).toBe(0);
    expect(readRunDirectory(join(folder, 'b-merged')).records.map(untimed)).toEqual(whole.records.map(untimed));
    expect(summaryOf(join(folder, 'b-merged'))).toEqual(wholeSummary);
  });
});
