import { describe, expect, it } from 'vitest';
import { JsonTableScanner } from './json-table-scanner.js';

/** Scans `text` pushed `pieceSize` bytes at a time (1: every byte its own chunk, so every value spans chunks). */
function scan(text: string, pieceSize: number): { rows: unknown[]; summary: unknown; count: number } {
  const rows: unknown[] = [];
  const scanner = new JsonTableScanner('t.json', (value, rowNumber) => {
    expect(rowNumber).toBe(rows.length + 1);
    rows.push(value);
  });
  const bytes = Buffer.from(text, 'utf8');
  for (let start = 0; start < bytes.length; start += pieceSize) scanner.push(bytes.subarray(start, start + pieceSize));
  const count = scanner.end();
  return { rows, summary: scanner.summary, count };
}

const tricky = [
  { id: 'a', text: 'brackets ] } [ { and "quotes" and a comma, and a backslash \\', n: 1.5e3 },
  { id: 'b', text: 'ünïcödé — ∑ 🙂', nested: { list: [1, [2, { three: 3 }]], empty: {} } },
  { id: 'c', text: '' },
];

describe.each([1, 3, 7, 1 << 16])('JsonTableScanner, %i bytes at a time', (pieceSize) => {
  it('gives every row of a top-level array, strings with brackets, quotes and multi-byte characters whole', () => {
    const { rows, count } = scan(`\ufeff[\n ${tricky.map((row) => JSON.stringify(row)).join(' ,\n')} ]\n`, pieceSize);
    expect(rows).toEqual(tricky);
    expect(count).toBe(3);
  });

  it("gives the rows of the seed's {summary, results} and keeps the summary, whatever the key order", () => {
    const text = JSON.stringify({ meta: { results: [9] }, results: tricky, summary: { correct: 2, total: 3 } }, null, 2);
    expect(scan(text, pieceSize)).toEqual({ rows: tricky, summary: { correct: 2, total: 3 }, count: 3 });
  });

  it('reads {"data": [...]} and an empty array', () => {
    expect(scan('{"data":[{"x":1},{"x":2}]}', pieceSize).rows).toEqual([{ x: 1 }, { x: 2 }]);
    expect(scan('[]', pieceSize).rows).toEqual([]);
  });
});

describe('JsonTableScanner refuses what is not a table, naming the file (and the row)', () => {
  it.each([
    ['a truncated file', JSON.stringify({ results: tricky }).slice(0, 60), /t\.json: not valid JSON \(the file ends before its value does: cut short\?\)/],
    ['an empty file', '', /t\.json: not valid JSON \(no value: the file is empty\)/],
    ['a bare number', '42', /expected an array of rows/],
    ['an object without rows', '{"summary": {"total": 1}}', /expected an array of rows/],
    ['a bad row', '[{"id": 1}, {"id": 2,}]', /t\.json, row 2: not valid JSON/],
    ['rows without a comma', '[{"id": 1} {"id": 2}]', /t\.json, row 1: not valid JSON/],
    ['a comma before the end', '[{"id": 1},]', /t\.json, row 2: not valid JSON \(a comma before "\]"\)/],
    ['text after the value', '[{"id": 1}] x', /not valid JSON \(text after the end of its value\)/],
    ['both results and data', '{"results": [{"a": 1}], "data": [{"a": 2}]}', /holds both a "results" and a "data" array/],
  ])('%s', (_name, text, message) => {
    expect(() => scan(text, 5)).toThrow(message);
  });
});
