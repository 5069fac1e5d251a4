import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { forEachTableRow, STOP, tableColumnNames, type TableRow } from './table-rows.js';

const folder = mkdtempSync(join(tmpdir(), 'confide-table-rows-'));
const rows = Array.from({ length: 7 }, (_, index) => ({ id: `p${index}`, text: `say "hi", ${index}\nthen stop`, correct: index % 2 === 0 }));

async function rowsOf(file: string): Promise<{ rows: TableRow[]; numbers: number[] }> {
  const read: TableRow[] = [];
  const numbers: number[] = [];
  await forEachTableRow(file, (row, rowNumber) => {
    read.push(row);
    numbers.push(rowNumber);
  });
  return { rows: read, numbers };
}

describe('forEachTableRow streams every format, gzipped or not, in order', () => {
  it('JSON Lines from a gzip file written by another tool (one member), and stops early when asked', async () => {
    const file = join(folder, 'r.jsonl.gz');
    writeFileSync(file, gzipSync(rows.map((row) => JSON.stringify(row)).join('\n\n') + '\n', { level: 9 }));
    expect(await rowsOf(file)).toEqual({ rows, numbers: [1, 2, 3, 4, 5, 6, 7] });
    let seen = 0;
    expect(await forEachTableRow(file, () => (++seen === 2 ? STOP : undefined))).toEqual({ rows: 2 });
  });

  it('CSV with quoted newlines and quotes, through csv-parse’s stream; its header gives the column names', async () => {
    const file = join(folder, 'r.csv.gz');
    const cell = (value: unknown) => `"${String(value).replace(/"/g, '""')}"`;
    writeFileSync(file, gzipSync(`\ufeffid,text,correct\n${rows.map((row) => [row.id, row.text, row.correct ? 'True' : 'False'].map(cell).join(',')).join('\n')}\n`));
    const read = await rowsOf(file);
    expect(read.rows.map((row) => row['text'])).toEqual(rows.map((row) => row.text));
    expect(read.rows[1]).toEqual({ id: 'p1', text: rows[1]!.text, correct: 'False' });
    expect(await tableColumnNames(file)).toEqual({ names: ['id', 'text', 'correct'], complete: true });
  });

  it('Parquet a row group at a time (three groups here), its schema giving the column names', async () => {
    const file = join(folder, 'r.parquet');
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'id', type: 'STRING', data: rows.map((row) => row.id) },
        { name: 'text', type: 'STRING', data: rows.map((row) => row.text) },
        { name: 'correct', type: 'BOOLEAN', data: rows.map((row) => row.correct) },
      ],
      rowGroupSize: 3,
    });
    writeFileSync(file, new Uint8Array(buffer));
    expect(await rowsOf(file)).toEqual({ rows, numbers: [1, 2, 3, 4, 5, 6, 7] });
    expect(await tableColumnNames(file)).toEqual({ names: ['id', 'text', 'correct'], complete: true });
  });

  it('JSON rows need not share their keys: every key of every row, or the first row’s when asked', async () => {
    const file = join(folder, 'r.json');
    writeFileSync(file, JSON.stringify({ summary: { total: 2 }, results: [{ id: 'a' }, { id: 'b', extra: 1 }] }));
    expect(await tableColumnNames(file)).toEqual({ names: ['id', 'extra'], complete: true });
    expect(await tableColumnNames(file, { firstRowOnly: true })).toEqual({ names: ['id'], complete: false });
    expect(await forEachTableRow(file, () => undefined)).toEqual({ rows: 2, summary: { total: 2 } });
  });

  it('a bad line names the file and the line; a cut-short gzip names the file', async () => {
    const bad = join(folder, 'bad.jsonl');
    writeFileSync(bad, '{"id": "a"}\n{"id": \n');
    await expect(forEachTableRow(bad, () => undefined)).rejects.toThrow(/bad\.jsonl, row 2: not valid JSON/);
    const cut = join(folder, 'cut.jsonl.gz');
    const whole = gzipSync(rows.map((row) => JSON.stringify(row)).join('\n'));
    writeFileSync(cut, whole.subarray(0, whole.length - 12));
    await expect(forEachTableRow(cut, () => undefined)).rejects.toThrow(`${cut}: file is truncated (the gzip data ends early)`);
  });
});

describe('forEachTableRow stops on an aborted signal', () => {
  const rows = Array.from({ length: 3000 }, (_, index) => ({ id: `p${index}`, question: `q${index}` }));
  const files = {
    jsonl: ['big.jsonl', rows.map((row) => JSON.stringify(row)).join('\n') + '\n'],
    csv: ['big.csv', 'id,question\n' + rows.map((row) => `${row.id},${row.question}`).join('\n') + '\n'],
    json: ['big.json', JSON.stringify(rows)],
  } as const;

  it.each(Object.keys(files) as Array<keyof typeof files>)('%s: CANCELLED naming the file, at a row the signal was seen (every 1,024 rows)', async (format) => {
    const [name, text] = files[format];
    const path = join(folder, name);
    writeFileSync(path, text);
    const controller = new AbortController();
    let seen = 0;
    const read = forEachTableRow(path, (_, rowNumber) => {
      seen = rowNumber;
      if (rowNumber === 1500) controller.abort();
    }, { signal: controller.signal });
    await expect(read).rejects.toMatchObject({ code: 'CANCELLED', message: `reading ${path} cancelled after 2048 rows` });
    expect(seen).toBe(2047);
    // without a signal the same file reads whole
    let all = 0;
    await forEachTableRow(path, () => void all++);
    expect(all).toBe(3000);
  });
});
