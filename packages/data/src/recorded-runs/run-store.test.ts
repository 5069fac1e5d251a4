import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FAILED_FINISH_REASON, FAILED_REASON_PREFIX, NotFoundError, RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { recordedRunsFolder } from '../workspace-paths.js';
import { writeRunDirectory } from './run-directory.js';
import { bundledRunIds, loadBundledRun, runCounts, RunStore } from './run-store.js';

function record(problemId: string, correct: boolean, failed = false): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'live',
    problemId,
    gold: '1',
    generation: { model: 'm', text: failed ? '' : 'x', answer: null, confidenceToken: null, usage: { input: 1, output: 1, thinking: 0 }, latencyMs: null, finishReason: failed ? FAILED_FINISH_REASON : null },
    grade: failed ? { correct: false, evaluator: 'none', reason: `${FAILED_REASON_PREFIX}HTTP 500` } : { correct, evaluator: 'e' },
  };
}

describe('RunStore', () => {
  it('reads a bundled run by id and the same run by path, once', () => {
    const store = new RunStore();
    const byId = store.load('gemini-flash');
    expect(byId.records).toHaveLength(500);
    expect(store.load(store.folderOf('gemini-flash'))).toBe(byId);
    expect(loadBundledRun('gemini-flash').records).toEqual(byId.records);
  });

  it('resolves a relative path against its base folder', () => {
    const base = mkdtempSync(join(tmpdir(), 'run-store-'));
    const run = loadBundledRun('qwen-7b');
    writeRunDirectory(join(base, 'runs', 'mine'), run);
    expect(new RunStore({ baseFolder: join(base, 'experiment') }).records('../runs/mine')).toEqual(run.records);
  });

  it('reads one side of an unfinished live run from its stage log: failed requests and a torn last line left out', () => {
    const run = join(mkdtempSync(join(tmpdir(), 'run-store-live-')), 'run');
    mkdirSync(join(run, 'stages'), { recursive: true });
    writeFileSync(join(run, 'run-config.json'), JSON.stringify({ kind: 'live', dataset: 'math500', priceTable: 'seed-math500' }));
    const lines = [record('a', true), record('b', false, true), record('c', false)].map((line) => JSON.stringify(line)).join('\n');
    writeFileSync(join(run, 'stages', 'small.jsonl'), `${lines}\n{"schemaVersion":1,"runId":"li`);
    const small = new RunStore().load(join(run, 'small'));
    expect(small.records.map((entry) => [entry.problemId, entry.grade.correct])).toEqual([
      ['a', true],
      ['c', false],
    ]);
    expect(small.manifest).toMatchObject({ dataset: 'math500', records: 2, source: { kind: 'live' } });
    expect(small.manifest.description).toContain('unfinished live run');
  });

  it('says what is there when a reference names no run', () => {
    expect(() => new RunStore().load('no-such-run')).toThrow(NotFoundError);
    expect(() => new RunStore().load('no-such-run')).toThrow(/no recorded run "no-such-run" \(bundled: .*gemini-flash/);
    expect(() => new RunStore().load('./nowhere/run')).toThrow(/no run at .*nowhere\/run \(no manifest\.json/);
  });
});

describe('runCounts', () => {
  it('counts the records and verdicts of every bundled run as loading them does', () => {
    for (const id of bundledRunIds()) {
      const loaded = loadBundledRun(id);
      const counts = runCounts(join(recordedRunsFolder(), id));
      expect(counts).toEqual({ manifest: loaded.manifest, records: loaded.records.length, correct: loaded.records.filter((record) => record.grade.correct).length });
    }
  });

  it('reads a verdict written with other spacing or key order, and names a line without one', () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-run-counts-'));
    const run = loadBundledRun('qwen-1.5b');
    writeRunDirectory(folder, { manifest: { ...run.manifest, records: 3 }, records: run.records.slice(0, 3) });
    const text = [
      '{"grade": {"evaluator": "x", "correct": true}}',
      '{"generation": {"text": "quoted \\"grade\\":{\\"correct\\":true"}, "grade" : { "correct" : false }}',
      '{"grade":{"correct":true}}',
    ].join('\n');
    writeFileSync(join(folder, 'records.jsonl.gz'), gzipSync(text));
    expect(runCounts(folder)).toMatchObject({ records: 3, correct: 2 });
    writeFileSync(join(folder, 'records.jsonl.gz'), gzipSync('{"grade":{"correct":true}}\n{"grade":{}}\n'));
    expect(() => runCounts(folder)).toThrow(/records\.jsonl\.gz.*row 2|row 2.*records\.jsonl\.gz/);
  });
});
