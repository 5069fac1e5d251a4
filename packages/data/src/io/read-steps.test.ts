import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConfideError, type StepProgress } from '@confide/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { sha256OfFile, sha256OfFileSteps } from './file-chunks.js';
import { jsonLineSteps, readJsonLines } from './json-lines.js';
import { JsonLinesWriter } from './json-lines-writer.js';
import { readCooperatively, type FileProgress } from './read-steps.js';

const Row = z.strictObject({ id: z.number(), text: z.string() });
type Row = z.infer<typeof Row>;

/** 2,500 rows of about a kilobyte: 2.5 MB of text, so a plain file is read in three pieces and a Confide gzip file holds three members. */
const rows: Row[] = Array.from({ length: 2500 }, (_, id) => ({ id, text: `row ${id}: ${'words and more words '.repeat(48)}` }));
const text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
const MEBIBYTE = 1 << 20;

const folder = mkdtempSync(join(tmpdir(), 'confide-read-steps-'));
const files = {
  /** As Confide writes records and problems: a gzip member per mebibyte of text. */
  'multi-member gzip': (() => {
    const path = join(folder, 'multi.jsonl.gz');
    const writer = new JsonLinesWriter(path);
    for (const row of rows) writer.write(row);
    writer.close();
    return path;
  })(),
  /** As another tool (or Confide before run format 2.1) writes it: one member. */
  'single-member gzip': (() => {
    const path = join(folder, 'single.jsonl.gz');
    writeFileSync(path, gzipSync(text));
    return path;
  })(),
  plain: (() => {
    const path = join(folder, 'plain.jsonl');
    writeFileSync(path, text);
    return path;
  })(),
};

/** Runs steps by hand, noting every progress they yield. */
function stepThrough<Result>(steps: Generator<FileProgress, Result, void>): { result: Result; progress: FileProgress[] } {
  const progress: FileProgress[] = [];
  for (;;) {
    const next = steps.next();
    if (next.done) return { result: next.value, progress };
    progress.push(next.value);
  }
}

describe('reading as steps', () => {
  it('the three files hold the rows as written', () => {
    expect(gunzipSync(readFileSync(files['multi-member gzip'])).toString('utf8')).toBe(text);
    expect(gunzipSync(readFileSync(files['single-member gzip'])).toString('utf8')).toBe(text);
    expect(readFileSync(files.plain, 'utf8')).toBe(text);
  });

  it.each(Object.entries(files))('%s: the steps give every row, in order, and progress that rises to the file size', (kind, path) => {
    const seen: Array<[Row, number]> = [];
    const { result, progress } = stepThrough(jsonLineSteps(path, Row, (row, lineNumber) => seen.push([row, lineNumber])));
    expect(seen.map(([row]) => row)).toEqual(rows);
    expect(seen.map(([, lineNumber]) => lineNumber)).toEqual(rows.map((_, index) => index + 1));
    expect(result).toEqual({ lines: rows.length, completeBytes: Buffer.byteLength(text) });
    // the synchronous reader runs the same steps through
    expect(readJsonLines(path, Row)).toEqual(rows);

    const size = statSync(path).size;
    expect(progress.every((step) => step.path === path && step.total === size)).toBe(true);
    const done = progress.map((step) => step.done);
    expect(done).toEqual([...done].sort((left, right) => left - right));
    expect(done.at(-1)).toBe(size);
    // a step per piece: a mebibyte of a plain file, a gzip member (one member is one piece, read whole)
    const pieces = { 'multi-member gzip': 3, 'single-member gzip': 1, plain: Math.ceil(size / MEBIBYTE) }[kind];
    expect(progress).toHaveLength(pieces!);
  });

  it('hashing as steps gives the sha256 of the bytes as stored, with progress to the file size', () => {
    for (const path of Object.values(files)) {
      const { result, progress } = stepThrough(sha256OfFileSteps(path));
      expect(result).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
      expect(sha256OfFile(path)).toBe(result);
      expect(progress.at(-1)).toEqual({ path, done: statSync(path).size, total: statSync(path).size });
    }
  });

  it('a truncated or corrupt gzip file fails naming it, read either way', async () => {
    const whole = readFileSync(files['multi-member gzip']);
    const truncated = join(folder, 'truncated.jsonl.gz');
    writeFileSync(truncated, whole.subarray(0, whole.length - 1000));
    expect(() => readJsonLines(truncated, Row)).toThrow(`${truncated}: file is truncated (the gzip data ends early)`);
    await expect(readCooperatively(jsonLineSteps(truncated, Row, () => undefined), {}, 'reading')).rejects.toThrow(`${truncated}: file is truncated (the gzip data ends early)`);
    const corrupt = join(folder, 'corrupt.jsonl.gz');
    writeFileSync(corrupt, Buffer.concat([whole.subarray(0, 5000), Buffer.alloc(2000, 7), whole.subarray(7000)]));
    expect(() => readJsonLines(corrupt, Row)).toThrow(`${corrupt}: file is corrupt or not gzip`);
  });
});

describe('readCooperatively', () => {
  afterEach(() => vi.restoreAllMocks());

  /** A clock that moves a second per reading: every step is a turn (LoopTurns yields at most every 200 ms). */
  function everyStepATurn(): void {
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 1000));
  }

  it('gives what running the steps through gives, reporting progress in bytes that ends at the file size', async () => {
    everyStepATurn();
    const path = files['multi-member gzip'];
    const progress: StepProgress[] = [];
    const seen: Row[] = [];
    const result = await readCooperatively(jsonLineSteps(path, Row, (row) => seen.push(row)), { onProgress: (event) => progress.push(event) }, 'reading rows');
    expect(result).toEqual({ lines: rows.length, completeBytes: Buffer.byteLength(text) });
    expect(seen).toEqual(rows);
    const size = statSync(path).size;
    expect(progress.every((event) => event.stage === 'reading rows, bytes of multi.jsonl.gz' && event.total === size)).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toEqual({ stage: 'reading rows, bytes of multi.jsonl.gz', done: size, total: size });
  });

  const openFiles = () => readdirSync('/proc/self/fd').length;

  it.runIf(existsSync('/proc/self/fd'))('stops with CANCELLED at the next turn once the signal is aborted, and closes the file', async () => {
    everyStepATurn();
    const path = files.plain;
    const before = openFiles();
    const controller = new AbortController();
    let seen = 0;
    const reading = readCooperatively(
      jsonLineSteps(path, Row, () => {
        seen++;
      }),
      { onProgress: () => controller.abort(), signal: controller.signal },
      'reading rows',
    );
    const error = await reading.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ConfideError.isInstance(error) && error.code).toBe('CANCELLED');
    expect((error as Error).message).toBe(`reading rows, bytes of plain.jsonl cancelled after ${MEBIBYTE} of ${statSync(path).size} bytes`);
    // the first piece was read, then nothing more
    expect(seen).toBeLessThan(rows.length);
    expect(openFiles()).toBe(before);
  });
});
