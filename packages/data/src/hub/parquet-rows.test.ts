import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { parquetColumnsOf, readParquetRows, writeParquetRows } from './parquet-rows.js';
import { mapSeedRows } from './seed-sft-example.js';

const rows = [
  { id: 'a', level: 3, score: 0.25, correct: true, tags: ['x', 'y'], note: null },
  { id: 'b', level: 5, score: 1, correct: false, tags: [], note: 'π ≈ 3.14' },
  { id: 'c', level: 2 ** 40, score: -2.5, correct: true, tags: ['z'] },
];

describe('Parquet rows', () => {
  it('round-trips strings, integers, doubles, booleans, JSON values and nulls', async () => {
    const bytes = await writeParquetRows(rows);
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('PAR1');
    expect(await readParquetRows(bytes, 'rows.parquet')).toEqual([
      { ...rows[0] },
      { ...rows[1] },
      { ...rows[2], note: null },
    ]);
  });

  it('types each column from its values', () => {
    expect(parquetColumnsOf(rows)).toEqual([
      { name: 'id', type: 'STRING' },
      { name: 'level', type: 'INT64' },
      { name: 'score', type: 'DOUBLE' },
      { name: 'correct', type: 'BOOLEAN' },
      { name: 'tags', type: 'JSON' },
      { name: 'note', type: 'STRING' },
    ]);
  });

  it('writes the same bytes for the same rows', async () => {
    expect(Buffer.from(await writeParquetRows(rows)).equals(Buffer.from(await writeParquetRows(rows)))).toBe(true);
  });

  it('rejects a column that mixes kinds, naming row and field', () => {
    expect(() => parquetColumnsOf([{ level: 1 }, { level: 'Level 2' }], 'train.jsonl')).toThrow(
      /train\.jsonl, row 2, field "level": holds STRING where earlier rows hold integers/,
    );
  });

  it.each([
    ['not Parquet at all', async () => Buffer.from('{"problem": "1+1"}\n')],
    ['a Parquet file cut in half', async () => Buffer.from(await writeParquetRows(rows)).subarray(0, 300)],
    ['a Parquet file with its footer damaged', async () => {
      const bytes = Buffer.from(await writeParquetRows(rows));
      bytes.fill(7, bytes.length - 60, bytes.length - 8);
      return bytes;
    }],
  ])('throws one InvalidInputError for %s', async (_name, damaged) => {
    const error = await readParquetRows(new Uint8Array(await damaged()), 'owner/repo/data/train.parquet').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/^owner\/repo\/data\/train\.parquet: not a readable Parquet file/);
  });

  it('reads a ZSTD file written by pyarrow (the seed dataset layout) and maps its columns', async () => {
    const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', 'seed-sample-zstd.parquet')));
    const read = await readParquetRows(bytes, 'seed-sample-zstd.parquet');
    expect(read).toHaveLength(4);
    expect(read[3]).toEqual({
      question: 'Évaluez $2^{10}$ (UTF-8 check: π ≈ 3.14).',
      tagged_response: '$2^{10} = 1024$, so $\\boxed{1024}$.  <C_MATH>\n',
      check: true,
      level: 2,
    });
    const examples = mapSeedRows(read, 'seed-sample-zstd.parquet');
    expect(examples.map((example) => [example.confidenceToken, example.correct])).toEqual([
      ['<|c_math|>', true],
      ['<|c_math|>', true],
      ['<|u_math|>', false],
      ['<|c_math|>', true],
    ]);
    expect(examples[3]!.response).toBe('$2^{10} = 1024$, so $\\boxed{1024}$.<|c_math|>');
  });
});
