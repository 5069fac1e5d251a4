import { existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createReadStream } from 'node:fs';
import { ConfideError, fileSystemError, InvalidInputError, NotFoundError } from '@confide/core';
import type { Parser } from 'csv-parse';
import { forEachParquetRow, parquetColumnNames } from '../hub/parquet-rows.js';
import { isGzipPath } from './file-chunks.js';
import { JsonObjectRow, parseJsonLine } from './json-lines.js';
import { JsonTableScanner } from './json-table-scanner.js';
import { LineSplitter } from './line-reader.js';
import { plainChunksOf } from './plain-stream.js';

export type TableRow = Record<string, unknown>;

/** The one list of table-file extensions (each optionally `.gz`): what forEachTableRow reads. */
export const TABLE_FILE_EXTENSIONS = ['jsonl', 'json', 'csv', 'parquet'] as const;

/** A table file's name: one of TABLE_FILE_EXTENSIONS, optionally gzipped (`.jsonl.gz`). */
export const TABLE_FILE = new RegExp(`\\.(${TABLE_FILE_EXTENSIONS.join('|')})(\\.gz)?$`, 'i');

/** A table file's name (or path) without its table extension: `r.jsonl.gz` -> `r`; any other name as it is. */
export function tableFileStem(name: string): string {
  return name.replace(TABLE_FILE, '');
}

/** What `onRow` returns to stop reading (JSON and JSON Lines): the rest of the file is not read. */
export const STOP = 'stop';

/** What reading a table file's rows saw: how many, and a JSON file's `summary` (the seed's `{summary, results}`). */
export interface TableRowsRead {
  rows: number;
  summary?: TableRow;
}

type TableFormat = 'jsonl' | 'json' | 'csv' | 'parquet';

function formatOf(file: string): TableFormat {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  for (const format of ['parquet', 'csv', 'jsonl'] as const) if (name.endsWith(`.${format}`)) return format;
  return 'json';
}

function asRow(file: string, value: unknown, row: number): TableRow {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError({ file, row, problem: 'expected an object per row' });
  return value as TableRow;
}

/**
 * The CSV reading every table file shares: a header row, empty lines skipped, a byte-order mark dropped. csv-parse is
 * imported here, when a CSV file is first read, not by every command that imports `@confide/data`.
 */
async function csvParser(extra: { to_line?: number; columns?: (header: string[]) => string[] } = {}): Promise<Parser> {
  const { parse: parseCsv } = await import('csv-parse');
  return parseCsv({ columns: extra.columns ?? true, skip_empty_lines: true, bom: true, ...(extra.to_line !== undefined ? { to_line: extra.to_line } : {}) });
}

/**
 * Reads a CSV file's records through csv-parse's stream (gunzipping on the way), a record at a time. `stopsEarly`: the
 * parser stops before the file ends (`to_line`), which closes the stream early on purpose.
 */
async function forEachCsvRecord(file: string, parser: Parser, onRecord: (record: TableRow) => void, stopsEarly = false): Promise<void> {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  const flow = isGzipPath(file) ? pipeline(source, createGunzip(), parser) : pipeline(source, parser);
  flow.catch(() => undefined); // its error also ends the iteration below, which reports it
  try {
    for await (const record of parser) onRecord(record as TableRow);
    await flow;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (stopsEarly && code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      throw new InvalidInputError({ file, problem: `not valid CSV (${(error as Error).message})` });
    }
    throw fileSystemError(error, file);
  } finally {
    source.destroy();
  }
}

/**
 * Calls `onRow` with each row of a table file, in order, with its 1-based row number, reading a piece of the file at a
 * time (no string of the file's size is made): JSON Lines (a line at a time), CSV with a header (csv-parse's stream),
 * Parquet (hyparquet, a row group at a time), or JSON — an array of rows, or an object whose `results` (the seed's
 * `{summary, results}`) or `data` is one, its `summary` given back (JsonTableScanner). Any of them may be gzipped. A
 * bad or cut-short row fails naming the file and the row; nothing is guessed. A JSON or JSON Lines reader stops early
 * when `onRow` returns STOP.
 */
export async function forEachTableRow(
  file: string,
  onEachRow: (row: TableRow, rowNumber: number) => void | typeof STOP,
  options: { signal?: AbortSignal } = {},
): Promise<TableRowsRead> {
  if (!existsSync(file)) throw new NotFoundError(`no file at ${file}`);
  // the rows come a piece of the file at a time, between turns of the event loop: an aborted signal stops the read
  const { signal } = options;
  const onRow = (row: TableRow, rowNumber: number) => {
    if (signal?.aborted && rowNumber % 1024 === 0) throw new ConfideError('CANCELLED', `reading ${file} cancelled after ${rowNumber} rows`);
    return onEachRow(row, rowNumber);
  };
  const format = formatOf(file);
  let rows = 0;
  let stopped = false;
  if (format === 'parquet') {
    await forEachParquetRow(file, (row) => onRow(row, ++rows));
    return { rows };
  }
  if (format === 'csv') {
    await forEachCsvRecord(file, await csvParser(), (record) => onRow(record, ++rows));
    return { rows };
  }
  if (format === 'jsonl') {
    const splitter = new LineSplitter((line, lineNumber, terminated) => {
      if (stopped || line.trim() === '') return;
      stopped = onRow(parseJsonLine(line, file, lineNumber, JsonObjectRow, !terminated), ++rows) === STOP;
    });
    for await (const chunk of plainChunksOf(file)) {
      splitter.push(chunk);
      if (stopped) return { rows };
    }
    splitter.end();
    return { rows };
  }
  const scanner = new JsonTableScanner(file, (value, rowNumber) => {
    if (!stopped) stopped = onRow(asRow(file, value, rowNumber), ++rows) === STOP;
  });
  for await (const chunk of plainChunksOf(file)) {
    scanner.push(chunk);
    if (stopped) return { rows };
  }
  scanner.end();
  return { rows, ...(scanner.summary ? { summary: scanner.summary } : {}) };
}

/**
 * The column names of a table file, in first-seen order: a CSV's header, a Parquet file's schema, or every key of
 * every row of a JSON or JSON Lines file (read in a pass of its own, a row at a time: rows need not share their keys).
 * `firstRowOnly`: for JSON and JSON Lines, only the first row's keys (`complete` says whether the names are all of them).
 */
export async function tableColumnNames(file: string, options: { firstRowOnly?: boolean; signal?: AbortSignal } = {}): Promise<{ names: string[]; complete: boolean }> {
  if (!existsSync(file)) throw new NotFoundError(`no file at ${file}`);
  const format = formatOf(file);
  if (format === 'parquet') return { names: await parquetColumnNames(file), complete: true };
  if (format === 'csv') {
    let header: string[] = [];
    await forEachCsvRecord(file, await csvParser({ to_line: 1, columns: (names) => (header = names) }), () => undefined, true);
    return { names: header, complete: true };
  }
  const names = new Set<string>();
  await forEachTableRow(
    file,
    (row) => {
      for (const key in row) names.add(key);
      return options.firstRowOnly ? STOP : undefined;
    },
    options.signal ? { signal: options.signal } : {},
  );
  return { names: [...names], complete: !options.firstRowOnly };
}
