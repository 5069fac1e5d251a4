import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceTable, RUN_RECORD_SCHEMA_VERSION, SEED_PRICES_2025_11, type Problem, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { readRunDirectory, readRunProblems, runPriceTable, writeRunDirectory, type RunDirectoryToWrite } from './run-directory.js';
import { RunStore } from './run-store.js';

const prices = PriceTable.parse({
  id: 'my-prices',
  version: '2026-12-01',
  currency: 'USD',
  source: 'a test',
  thinkingBilledAs: 'output',
  models: { m: { inputPerMillion: 1, outputPerMillion: 2 } },
});

const problems: Problem[] = [
  { id: 'p1', problem: 'What is 1+1?', answer: '2', solution: 'long worked solution', subject: 'arith', level: 1 },
  { id: 'p2', problem: 'What is 2+2?', answer: '4' },
];

function record(problemId: string, gold: string): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'mine',
    problemId,
    gold,
    generation: { model: 'm', text: gold, answer: gold, confidenceToken: null, usage: { input: 10, output: 5, thinking: 0 }, latencyMs: null, finishReason: null },
    grade: { correct: true, evaluator: 'e' },
  };
}

function run(overrides: Partial<RunDirectoryToWrite> = {}): RunDirectoryToWrite {
  return {
    manifest: {
      runId: 'mine',
      description: 'a run of my own',
      dataset: 'file:data/mine.csv@sha256:abc',
      config: {},
      plugins: [],
      git: { commit: null, dirty: null },
      packageVersions: {},
      priceTable: prices,
      records: 2,
    },
    records: [record('p1', '2'), record('p2', '4')],
    problems,
    ...overrides,
  };
}

const temporary = () => mkdtempSync(join(tmpdir(), 'run-directory-'));

describe('run manifest v2: a run stands alone', () => {
  it('carries its price table and problems, and keeps working when the folder is copied elsewhere and the original removed', () => {
    const original = join(temporary(), 'runs', 'mine');
    writeRunDirectory(original, run());
    const copy = join(temporary(), 'elsewhere', 'copied');
    cpSync(original, copy, { recursive: true });
    rmSync(original, { recursive: true });

    const read = new RunStore({ baseFolder: tmpdir() }).load(copy);
    expect(read.manifest.schemaVersion).toBe(2);
    expect(runPriceTable(read.manifest)).toEqual(prices);
    expect(readRunProblems(read)).toEqual([
      { id: 'p1', problem: 'What is 1+1?', answer: '2', subject: 'arith', level: 1 },
      { id: 'p2', problem: 'What is 2+2?', answer: '4' },
    ]);
  });

  it('parses a problems file once per hash: two runs that carry the same one share its problems, each in its own array', () => {
    const [first, second] = [temporary(), temporary()];
    writeRunDirectory(first, run());
    writeRunDirectory(second, run());
    const one = readRunProblems(readRunDirectory(first))!;
    const other = readRunProblems(readRunDirectory(second))!;
    expect(other).toEqual(one);
    expect(other).not.toBe(one);
    expect(other[0]).toBe(one[0]);
    // another file (another hash) is parsed for itself
    const third = temporary();
    writeRunDirectory(third, run({ problems: [{ id: 'p1', problem: 'What is 1+2?', answer: '3' }] }));
    expect(readRunProblems(readRunDirectory(third))).toEqual([{ id: 'p1', problem: 'What is 1+2?', answer: '3' }]);
  });

  it('pins the problems by hash: an edited problems file fails naming it', () => {
    const folder = temporary();
    writeRunDirectory(folder, run());
    writeFileSync(join(folder, 'problems.jsonl.gz'), 'not the same bytes');
    expect(() => readRunProblems(readRunDirectory(folder))).toThrow(/problems\.jsonl\.gz: sha256 .* the problems changed/);
  });

  it('records an absolute upstream source relative to the run folder', () => {
    const root = temporary();
    const folder = join(root, 'runs', 'mine');
    const manifest = writeRunDirectory(folder, run({ manifest: { ...run().manifest, source: { kind: 'recorded', origin: join(root, 'data', 'results.jsonl'), files: [] } } }));
    expect(manifest.source?.origin).toBe('../../data/results.jsonl');
  });

  it('a side run can point at a problems file its parent run holds', () => {
    const parent = temporary();
    writeRunDirectory(parent, run());
    const side = join(parent, 'small');
    const manifest = writeRunDirectory(side, run({ problems: { path: '../problems.jsonl.gz' } }));
    expect(manifest.problems).toMatchObject({ path: '../problems.jsonl.gz', count: 2 });
    expect(readRunProblems(readRunDirectory(side))?.map((problem) => problem.id)).toEqual(['p1', 'p2']);
  });
});

describe('run manifest v1 still loads', () => {
  function writeV1(folder: string, priceTable: { id: string; version: string }) {
    writeRunDirectory(folder, run({ problems: null }));
    const v2 = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const { problems: _problems, pipelineCheck: _pipelineCheck, ...rest } = v2;
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ ...rest, schemaVersion: 1, priceTable }));
  }

  it('resolves a bundled price table by id, with a note, and carries no problems', () => {
    const folder = temporary();
    writeV1(folder, { id: SEED_PRICES_2025_11.id, version: SEED_PRICES_2025_11.version });
    const read = readRunDirectory(folder);
    expect(runPriceTable(read.manifest)).toEqual(SEED_PRICES_2025_11);
    expect(read.notes?.join('\n')).toMatch(/price table seed-math500 resolved by id/);
    expect(readRunProblems(read)).toBeNull();
  });

  it('a price table Confide does not bundle is named, with the flag that gives it', () => {
    const folder = temporary();
    writeV1(folder, { id: 'somebody-elses', version: '2026-01-01' });
    expect(() => runPriceTable(readRunDirectory(folder).manifest)).toThrow(/somebody-elses@2026-01-01, which is not bundled; pass --price-table/);
  });

  it('a schema version it does not know is refused naming the file and the key', () => {
    const folder = temporary();
    writeRunDirectory(folder, run());
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ ...manifest, schemaVersion: 7 }));
    expect(() => readRunDirectory(folder)).toThrow(/manifest\.json, field "schemaVersion": 7 is not a version this Confide reads \(1 or 2\)/);
  });
});
