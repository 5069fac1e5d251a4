import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InvalidInputError, NotFoundError } from '@confide/core';
import { parse as parseCsv } from 'csv-parse/sync';
import { readParquetRows } from '../hub/parquet-rows.js';

export type TableRow = Record<string, unknown>;

/** Extensions a table of rows may have (each optionally `.gz`). */
export const TABLE_FILE = /\.(jsonl|json|csv|parquet)(\.gz)?$/i;

/**
 * The rows of a table file: JSON Lines, CSV (with a header), Parquet, or JSON — an array of rows, or an object whose
 * `results` (the seed's `{summary, results}`) or `data` is one, its `summary` given back beside. Any of them may be
 * gzipped. A bad or cut-short line fails naming the file and the line; nothing is guessed.
 */
export async function readTableRows(file: string): Promise<{ rows: TableRow[]; summary?: TableRow; bytes: Buffer }> {
  if (!existsSync(file)) throw new NotFoundError(`no file at ${file}`);
  const bytes = readFileSync(file);
  const plain = /\.gz$/i.test(file) ? gunzipSync(bytes) : bytes;
  const name = file.toLowerCase().replace(/\.gz$/, '');
  const asRow = (value: unknown, row: number): TableRow => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError({ file, row, problem: 'expected an object per row' });
    return value as TableRow;
  };
  if (name.endsWith('.parquet')) return { rows: await readParquetRows(plain, file), bytes };
  const text = plain.toString('utf8');
  if (name.endsWith('.csv')) {
    try {
      return { rows: parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as TableRow[], bytes };
    } catch (error) {
      throw new InvalidInputError({ file, problem: `not valid CSV (${(error as Error).message})` });
    }
  }
  if (name.endsWith('.jsonl')) {
    const lines = text.split('\n');
    const rows: TableRow[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        const last = index === lines.length - 1 && !text.endsWith('\n');
        throw new InvalidInputError({ file, row: index + 1, problem: last ? 'the last line is cut short (truncated file)' : `not valid JSON (${(error as Error).message})` });
      }
      rows.push(asRow(value, index + 1));
    });
    return { rows, bytes };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError({ file, problem: `not valid JSON (${(error as Error).message})` });
  }
  if (Array.isArray(json)) return { rows: json.map((row, index) => asRow(row, index + 1)), bytes };
  const object = (json ?? {}) as TableRow;
  const list = Array.isArray(object['results']) ? object['results'] : Array.isArray(object['data']) ? object['data'] : undefined;
  if (list === undefined) throw new InvalidInputError({ file, problem: 'expected an array of rows, {"summary", "results": [...]} or {"data": [...]}' });
  const summary = object['summary'];
  return {
    rows: (list as unknown[]).map((row, index) => asRow(row, index + 1)),
    ...(summary !== null && typeof summary === 'object' && !Array.isArray(summary) ? { summary: summary as TableRow } : {}),
    bytes,
  };
}
