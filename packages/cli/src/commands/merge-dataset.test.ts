import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { readRunDirectory } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { captureOutput } from '../../tests/capture-output.js';

afterEach(() => vi.restoreAllMocks());

// a dataset build of 60 MATH-500 problems answered by a replay client of the bundled base-model run, balanced:
// balancing is over the whole set, so only the merge can write the files
let folder: string;
let configPath: string;
const untimed = (record: RunRecord) => ({ ...record, generation: { ...record.generation, latencyMs: null } });
const summaryOf = (dataset: string) => {
  // the card (README.md) names when, by which command and at which commit it was made: the merge's own
  const summary = JSON.parse(readFileSync(join(dataset, 'build', 'summary.json'), 'utf8')) as { files: Array<{ path: string }> };
  return { ...summary, files: summary.files.filter((file) => file.path !== 'README.md') };
};

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'cli-merge-dataset-'));
  configPath = join(folder, 'sft.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      split: 'math500',
      limit: 60,
      client: { id: 'core/replay', options: { run: 'qwen-1.5b' } },
      prompt: { user: 'Problem: {problem}' },
      maxOutputTokens: 1024,
      evaluator: { id: 'core/math' },
      balance: true,
      seed: 3,
    }),
  );
  captureOutput();
  expect(await runCli(['dataset', 'build', configPath, '--out', join(folder, 'whole'), '--name', 'sft-60'])).toBe(0);
  vi.restoreAllMocks();
}, 120_000);

describe.each([2, 3])('confide dataset build --shard i/%i, then confide merge', (count) => {
  it('writes the dataset a build in one piece writes: the same balanced rows, Parquet and graded run', { timeout: 120_000 }, async () => {
    const shards: string[] = [];
    for (let index = 1; index <= count; index++) {
      const { out, err } = captureOutput();
      expect(await runCli(['dataset', 'build', configPath, '--out', join(folder, `d${count}`), '--name', 'sft-60', '--shard', `${index}/${count}`])).toBe(0);
      expect(err.join('')).toMatch(new RegExp(`^dataset: shard ${index}/${count}: \\d+ of 60 problems\\n`));
      expect(out[0]).toMatch(new RegExp(`^sft-60: shard ${index}/${count}: \\d+ problems answered and graded, \\d+ correct`));
      shards.push(join(folder, `d${count}.shard-${index}-of-${count}`));
      expect(existsSync(join(shards.at(-1)!, 'train.jsonl'))).toBe(false);
      vi.restoreAllMocks();
    }
    const merged = join(folder, `merged-${count}`);
    const { out } = captureOutput();
    expect(await runCli(['merge', ...shards, '--out', merged])).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^sft-60: 60 problems of math500 answered by .*: \\d+ correct, \\d+ incorrect, from ${count} shards$`));
    vi.restoreAllMocks();

    const whole = join(folder, 'whole');
    expect(readFileSync(join(merged, 'train.jsonl'))).toEqual(readFileSync(join(whole, 'train.jsonl')));
    expect(readFileSync(join(merged, 'data', 'train-00000-of-00001.parquet'))).toEqual(readFileSync(join(whole, 'data', 'train-00000-of-00001.parquet')));
    expect(summaryOf(merged)).toEqual(summaryOf(whole));
    expect(readRunDirectory(join(merged, 'run')).records.map(untimed)).toEqual(readRunDirectory(join(whole, 'run')).records.map(untimed));

    const status = captureOutput();
    expect(await runCli(['status', ...shards])).toBe(0);
    expect(status.out.at(-1)).toMatch(new RegExp(`^total: 60/60 problems done, ${count}/${count} shards finished, 60 calls`));
  });
});

it('confide merge refuses dataset shards that do not cover the split', { timeout: 60_000 }, async () => {
  captureOutput();
  expect(await runCli(['dataset', 'build', configPath, '--out', join(folder, 'part'), '--name', 'sft-60', '--shard', '1/2'])).toBe(0);
  vi.restoreAllMocks();
  const { err } = captureOutput();
  expect(await runCli(['merge', join(folder, 'part.shard-1-of-2'), '--out', join(folder, 'part-merged')])).toBe(1);
  expect(err.join('')).toMatch(/confide: error \[SHARD_COVERAGE\]: the shards do not cover the dataset once: \d+ problems in no shard: /);
  expect(existsSync(join(folder, 'part-merged'))).toBe(false);
});
