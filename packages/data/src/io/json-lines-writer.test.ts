import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { forEachPlainChunk } from './file-chunks.js';
import { readJsonLines, writeJsonLines } from './json-lines.js';
import { GZIP_MEMBER_CHARACTERS, JsonLinesWriter } from './json-lines-writer.js';

const Row = z.strictObject({ index: z.number(), text: z.string() });
const rows = Array.from({ length: 6000 }, (_, index) => ({ index, text: `row ${index} ${'é∑ '.repeat(index % 400)}` }));
const text = rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
const folder = () => mkdtempSync(join(tmpdir(), 'confide-json-lines-'));

describe('JSON Lines, written and read a row at a time', () => {
  it('writes gzip in members of about a mebibyte that gunzip reads as one stream, and reads them back member by member', () => {
    const path = join(folder(), 'records.jsonl.gz');
    const written = writeJsonLines(path, rows);
    expect(written.rows).toBe(rows.length);
    expect(gunzipSync(readFileSync(path)).toString('utf8')).toBe(text);
    const pieces: number[] = [];
    forEachPlainChunk(path, (chunk) => pieces.push(chunk.length));
    expect(pieces.length).toBeGreaterThan(2);
    expect(Math.max(...pieces)).toBeLessThan(GZIP_MEMBER_CHARACTERS * 4);
    expect(readJsonLines(path, Row)).toEqual(rows);
  });

  it('reads a file written as one gzip member at level 9 (run folders written before) and a plain file', () => {
    const directory = folder();
    writeFileSync(join(directory, 'old.jsonl.gz'), gzipSync(text, { level: 9 }));
    writeFileSync(join(directory, 'plain.jsonl'), text);
    expect(readJsonLines(join(directory, 'old.jsonl.gz'), Row)).toEqual(rows);
    expect(readJsonLines(join(directory, 'plain.jsonl'), Row)).toEqual(rows);
  });

  it('writes the same bytes for the same rows (no name or time in any gzip header)', () => {
    const directory = folder();
    writeJsonLines(join(directory, 'a.jsonl.gz'), rows);
    writeJsonLines(join(directory, 'b.jsonl.gz'), rows);
    expect(readFileSync(join(directory, 'a.jsonl.gz'))).toEqual(readFileSync(join(directory, 'b.jsonl.gz')));
  });

  it('an empty gzip file is still gzip', () => {
    const path = join(folder(), 'empty.jsonl.gz');
    writeJsonLines(path, []);
    expect(gunzipSync(readFileSync(path)).length).toBe(0);
    expect(readJsonLines(path, Row)).toEqual([]);
  });

  it('a multi-member file cut short, or with a changed byte, fails naming the file', () => {
    const directory = folder();
    const whole = join(directory, 'whole.jsonl.gz');
    writeJsonLines(whole, rows);
    const bytes = readFileSync(whole);
    const cut = join(directory, 'cut.jsonl.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(() => readJsonLines(cut, Row)).toThrow(`${cut}: file is truncated (the gzip data ends early)`);
    const changed = Buffer.from(bytes);
    changed[Math.floor(bytes.length * 0.7)]! ^= 0x55;
    const corrupt = join(directory, 'corrupt.jsonl.gz');
    writeFileSync(corrupt, changed);
    expect(() => readJsonLines(corrupt, Row)).toThrow(new RegExp(`${corrupt.replace(/[.]/g, '\\.')}: file is corrupt or not gzip`));
  });

  it('a writer that fails part-way leaves the earlier file whole and no temporary file behind', () => {
    const directory = folder();
    const path = join(directory, 'records.jsonl.gz');
    writeJsonLines(path, rows.slice(0, 10));
    const before = readFileSync(path);
    function* failing() {
      yield* rows;
      throw new Error('the source failed');
    }
    expect(() => writeJsonLines(path, failing())).toThrow('the source failed');
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(directory)).toEqual(['records.jsonl.gz']);
    const writer = new JsonLinesWriter(path);
    writer.write(rows[0]);
    writer.abort();
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(directory)).toEqual(['records.jsonl.gz']);
  });
});
