import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '@confide/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonLinesWriter } from '../io/json-lines-writer.js';
import { readRunRecordsFile } from './run-directory.js';

/** Plain JSON text in the test's records file: 200 MB, as the issue asks; what a whole-file reader would hold as one string. */
const PLAIN_BYTES = 200_000_000;
const TEXT_CHARACTERS = 10_000;

function record(index: number): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'large',
    problemId: `p${index}`,
    gold: String(index % 97),
    generation: {
      model: 'm',
      text: `answer ${index}: ${'the reasoning goes on. '.repeat(TEXT_CHARACTERS / 23)}`.slice(0, TEXT_CHARACTERS),
      answer: String(index % 97),
      confidenceToken: null,
      usage: { input: 100, output: 3000, thinking: 0 },
      latencyMs: 1200,
      finishReason: 'stop',
    },
    grade: { correct: index % 3 !== 0, evaluator: 'e' },
  };
}

/**
 * Every way a reader could turn a file into one string in this process goes through one of these: decoding bytes
 * (Buffer#toString, TextDecoder), splitting or joining text, or parsing it. The longest string any of them made or was
 * given while `work` ran.
 */
function longestStringDuring(work: () => void): number {
  let longest = 0;
  const note = <T>(value: T): T => {
    if (typeof value === 'string' && value.length > longest) longest = value.length;
    return value;
  };
  const originals = {
    toString: Buffer.prototype.toString,
    decode: TextDecoder.prototype.decode,
    split: String.prototype.split,
    join: Array.prototype.join,
    parse: JSON.parse,
  };
  Buffer.prototype.toString = function (this: Buffer, ...args: Parameters<Buffer['toString']>) {
    return note(originals.toString.apply(this, args));
  };
  TextDecoder.prototype.decode = function (this: InstanceType<typeof TextDecoder>, input?: Parameters<InstanceType<typeof TextDecoder>['decode']>[0], options?: { stream?: boolean }) {
    return note(originals.decode.call(this, input, options));
  };
  String.prototype.split = function (this: string, ...args: [never]) {
    note(String(this));
    return originals.split.apply(this, args);
  } as typeof String.prototype.split;
  Array.prototype.join = function (this: unknown[], separator?: string) {
    return note(originals.join.call(this, separator));
  };
  JSON.parse = (text: string, reviver?: Parameters<typeof JSON.parse>[1]) => originals.parse(note(text), reviver);
  try {
    work();
  } finally {
    Buffer.prototype.toString = originals.toString;
    TextDecoder.prototype.decode = originals.decode;
    String.prototype.split = originals.split;
    Array.prototype.join = originals.join;
    JSON.parse = originals.parse;
  }
  return longest;
}

describe('a 200 MB records file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'confide-large-records-'));
  const path = join(folder, 'records.jsonl.gz');
  let count = 0;

  beforeAll(() => {
    const writer = new JsonLinesWriter(path);
    let plain = 0;
    while (plain < PLAIN_BYTES) {
      const line = JSON.stringify(record(count++));
      writer.writeLine(line);
      plain += line.length + 1;
    }
    writer.close();
  }, 120_000);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reads every record without making a string longer than a few lines (the spy sees a whole-file reader)', () => {
    let records: RunRecord[] = [];
    const longest = longestStringDuring(() => {
      records = readRunRecordsFile(path);
    });
    expect(records).toHaveLength(count);
    expect(records[count - 1]!.problemId).toBe(`p${count - 1}`);
    expect(records.filter((entry) => entry.grade.correct)).toHaveLength(count - Math.ceil(count / 3));
    // a line is about 10 kB; the reader decodes a gzip member (about 1 MiB) at most, never the file's 200 MB
    expect(longest).toBeGreaterThan(TEXT_CHARACTERS);
    expect(longest).toBeLessThan(2 ** 21);
    // and the spy does catch a string of the file's size: the same file read whole
    expect(longestStringDuring(() => void Buffer.concat([Buffer.from(records[0]!.generation.text), Buffer.alloc(PLAIN_BYTES, 0x20)]).toString('utf8'))).toBeGreaterThan(PLAIN_BYTES);
  }, 180_000);

  it('is counted in a process whose heap (96 MB) could not hold its text as one string', () => {
    expect(statSync(path).size).toBeGreaterThan(0);
    const dataSource = resolve(fileURLToPath(new URL('../index.ts', import.meta.url)));
    const script = `
      const { forEachRunRecord } = await import(${JSON.stringify(dataSource)});
      let correct = 0;
      const records = forEachRunRecord(${JSON.stringify(path)}, (record) => { if (record.grade.correct) correct++; });
      console.log(JSON.stringify({ records, correct }));
    `;
    const child = spawnSync(process.execPath, ['--max-old-space-size=96', '--conditions=@confide/source', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ records: count, correct: count - Math.ceil(count / 3) });
  }, 180_000);
});
