import { existsSync } from 'node:fs';
import { InvalidInputError, NotFoundError } from '@confide/core';
import { parse as parseCsv } from 'csv-parse/sync';
import { readParquetRows } from '../hub/parquet-rows.js';
import { gunzipFile, JsonObjectRow, parseJsonLines, readFileBytes } from './json-lines.js';

export type TableRow = Record<string, unknown>;

/** The one list of table-file extensions (each optionally `.gz`): what readTableRows reads. */
export const TABLE_FILE_EXTENSIONS = ['jsonl', 'json', 'csv', 'parquet'] as const;

/** A table file's name: one of TABLE_FILE_EXTENSIONS, optionally gzipped (`.jsonl.gz`). */
export const TABLE_FILE = new RegExp(`\\.(${TABLE_FILE_EXTENSIONS.join('|')})(\\.gz)?$`, 'i');

/** A table file's name (or path) without its table extension: `r.jsonl.gz` -> `r`; any other name as it is. */
export function tableFileStem(name: string): string {
  return name.replace(TABLE_FILE, '');
}

/**
 * The rows of a table file: JSON Lines, CSV (with a header), Parquet, or JSON — an array of rows, or an object whose
 * `results` (the seed's `{summary, results}`) or `data` is one, its `summary` given back beside. Any of them may be
 * gzipped. A bad or cut-short line fails naming the file and the line; nothing is guessed.
 */
export async function readTableRows(file: string): Promise<{ rows: TableRow[]; summary?: TableRow; bytes: Buffer }> {
  if (!existsSync(file)) throw new NotFoundError(`no file at ${file}`);
  const bytes = readFileBytes(file);
  const plain = /\.gz$/i.test(file) ? gunzipFile(bytes, file) : bytes;
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
  if (name.endsWith('.jsonl')) return { rows: parseJsonLines(text, file, JsonObjectRow), bytes };
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
