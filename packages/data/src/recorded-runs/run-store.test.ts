import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FAILED_FINISH_REASON, FAILED_REASON_PREFIX, NotFoundError, RUN_RECORD_SCHEMA_VERSION, type RunRecord, type StepProgress } from '@confide/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

describe('RunStore.loadCooperatively', () => {
  afterEach(() => vi.restoreAllMocks());

  /** A run of 2,500 answers of about a kilobyte each: its records file holds three gzip members, read a member at a time. */
  function writeLargerRun(): string {
    const folder = join(mkdtempSync(join(tmpdir(), 'run-store-cooperative-')), 'run');
    const run = loadBundledRun('qwen-1.5b');
    const records = Array.from({ length: 2500 }, (_, index) => ({ ...record(`q${index}`, index % 3 === 0), generation: { ...record('x', true).generation, text: `answer ${index}: ${'so it goes. '.repeat(85)}` } }));
    writeRunDirectory(folder, { manifest: { ...run.manifest, records: records.length }, records, problems: null });
    return folder;
  }

  /** A clock that moves a second per reading: every piece read is a turn (LoopTurns yields at most every 200 ms). */
  function everyStepATurn(): void {
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 1000));
  }

  it('reads the run load reads, reporting bytes of its records file up to the file size; a later load is served from the cache', async () => {
    everyStepATurn();
    const folder = writeLargerRun();
    const progress: StepProgress[] = [];
    const store = new RunStore();
    const run = await store.loadCooperatively(folder, { onProgress: (event) => progress.push(event) });
    expect(run).toEqual(new RunStore().load(folder));
    expect(store.load(folder)).toBe(run);
    const size = statSync(join(folder, 'records.jsonl.gz')).size;
    const stage = `reading run ${folder}, bytes of records.jsonl.gz`;
    expect(progress.every((event) => event.stage === stage && event.total === size)).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toEqual({ stage, done: size, total: size });
  });

  it('stops with CANCELLED once the signal is aborted, keeping nothing: the next load reads the run whole', async () => {
    everyStepATurn();
    const folder = writeLargerRun();
    const store = new RunStore();
    const controller = new AbortController();
    await expect(store.loadCooperatively(folder, { onProgress: () => controller.abort(), signal: controller.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
      message: expect.stringMatching(/^reading run .*, bytes of records\.jsonl\.gz cancelled after \d+ of \d+ bytes$/),
    });
    expect((await store.loadCooperatively(folder, {})).records).toHaveLength(2500);
  });

  it('a truncated records file fails naming it', async () => {
    const folder = writeLargerRun();
    const path = join(folder, 'records.jsonl.gz');
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 1000));
    await expect(new RunStore().loadCooperatively(folder, {})).rejects.toThrow(`${path}: file is truncated (the gzip data ends early)`);
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
