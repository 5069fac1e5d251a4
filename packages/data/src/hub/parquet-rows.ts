import { gunzipSync } from 'node:zlib';
import { fileSystemError, InvalidInputError } from '@confide/core';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import type { ColumnSource } from 'hyparquet-writer';
import { readFileBytes } from '../io/json-lines.js';

export type ParquetRow = Record<string, unknown>;

/**
 * hyparquet and its decompressors, imported when a Parquet file is first read: about 350 KB that every command
 * importing `@confide/data` would otherwise load, though only the hub, import and export commands read Parquet.
 */
async function parquetReader() {
  const [hyparquet, { compressors }] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  return { hyparquet, compressors };
}

/** A value as JSON can hold it: INT64 becomes a number (a string past 2^53), dates become ISO strings. */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainValue(inner)]));
  }
  return value;
}

/**
 * Reads every row of a Parquet file (SNAPPY, ZSTD, GZIP, BROTLI, LZ4 through hyparquet-compressors). A file that is
 * not valid Parquet throws one InvalidInputError naming `name`.
 */
export async function readParquetRows(bytes: Uint8Array, name: string): Promise<ParquetRow[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { hyparquet, compressors } = await parquetReader();
  let rows: Record<string, unknown>[];
  try {
    rows = await hyparquet.parquetReadObjects({ file: buffer, compressors });
  } catch (error) {
    throw new InvalidInputError({ file: name, problem: `not a readable Parquet file (${(error as Error).message})` });
  }
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plainValue(value)])));
}

/**
 * A Parquet file to read a part at a time: hyparquet reads the byte ranges it needs from the file. A gzipped file
 * (`.parquet.gz`) cannot be read by range, so it is gunzipped into memory first (binary, never a string).
 */
async function openParquet(path: string, name = path): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
  const { hyparquet } = await parquetReader();
  let file: AsyncBuffer;
  if (/\.gz$/i.test(path)) {
    let bytes: Buffer;
    try {
      bytes = gunzipSync(readFileBytes(path));
    } catch (error) {
      throw fileSystemError(error, path);
    }
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    file = { byteLength: buffer.byteLength, slice: (start, end) => buffer.slice(start, end) };
  } else file = await hyparquet.asyncBufferFromFile(path);
  try {
    return { file, metadata: await hyparquet.parquetMetadataAsync(file) };
  } catch (error) {
    throw new InvalidInputError({ file: name, problem: `not a readable Parquet file (${(error as Error).message})` });
  }
}

/** The top-level column names of a Parquet file, from its schema (no rows read). */
export async function parquetColumnNames(path: string): Promise<string[]> {
  const { metadata } = await openParquet(path);
  const { hyparquet } = await parquetReader();
  return hyparquet.parquetSchema(metadata).children.map((child) => child.element.name);
}

/**
 * Calls `onRow` with each row of a Parquet file, a row group at a time (SNAPPY, ZSTD, GZIP, BROTLI, LZ4 through
 * hyparquet-compressors), values as JSON holds them. A file that is not valid Parquet fails naming `name` (the path).
 */
export async function forEachParquetRow(path: string, onRow: (row: ParquetRow) => void, name = path): Promise<void> {
  const { file, metadata } = await openParquet(path, name);
  const { hyparquet, compressors } = await parquetReader();
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await hyparquet.parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors });
    } catch (error) {
      throw new InvalidInputError({ file: name, problem: `not a readable Parquet file (${(error as Error).message})` });
    }
    for (const row of rows) onRow(Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plainValue(value)])));
    rowStart = rowEnd;
  }
}

export type ParquetColumnType = 'STRING' | 'BOOLEAN' | 'INT64' | 'DOUBLE' | 'JSON';

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
}

function valueType(value: unknown): ParquetColumnType | 'integer' {
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'DOUBLE';
  return 'JSON';
}

/**
 * The columns of `rows` (every key, in first-seen order) and a Parquet type for each: strings, booleans, integers
 * (INT64), other numbers (DOUBLE), anything else as JSON. A column that mixes kinds throws naming the row and field.
 */
export function parquetColumnsOf(rows: readonly ParquetRow[], file?: string): ParquetColumn[] {
  const types = new Map<string, ParquetColumnType | 'integer' | undefined>();
  rows.forEach((row, index) => {
    for (const [name, value] of Object.entries(row)) {
      const known = types.get(name);
      if (value === null || value === undefined) {
        if (!types.has(name)) types.set(name, undefined);
        continue;
      }
      let type = valueType(value);
      if ((known === 'integer' && type === 'DOUBLE') || (known === 'DOUBLE' && type === 'integer')) type = 'DOUBLE';
      else if (known !== undefined && known !== type) {
        throw new InvalidInputError({
          file,
          row: index + 1,
          field: name,
          problem: `holds ${type === 'integer' ? 'an integer' : type} where earlier rows hold ${known === 'integer' ? 'integers' : known}`,
        });
      }
      types.set(name, type);
    }
  });
  return [...types].map(([name, type]) => ({ name, type: type === 'integer' ? 'INT64' : (type ?? 'STRING') }));
}

const FEATURE_DTYPES: Record<Exclude<ParquetColumnType, 'JSON'>, string> = {
  STRING: 'string',
  BOOLEAN: 'bool',
  INT64: 'int64',
  DOUBLE: 'float64',
};

/** The `datasets` library's feature for a column (how it types the column when it loads the file). */
export function datasetFeatureDtype(type: ParquetColumnType): string {
  return type === 'JSON' ? 'string' : FEATURE_DTYPES[type];
}

/**
 * Writes rows as one SNAPPY-compressed Parquet file with hyparquet-writer (imported here, on first use). Object and
 * array columns are stored as Parquet JSON (read back as the same values); missing keys become nulls. The same rows
 * always give the same bytes.
 */
export async function writeParquetRows(rows: readonly ParquetRow[], options: { columns?: ParquetColumn[]; createdBy?: string } = {}): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const columns = options.columns ?? parquetColumnsOf(rows);
  const columnData: ColumnSource[] = columns.map((column) => ({
    name: column.name,
    type: column.type,
    data: rows.map((row) => {
      const value = row[column.name] ?? null;
      return column.type === 'INT64' && typeof value === 'number' ? BigInt(value) : value;
    }),
  }));
  const simple = columns.every((column) => column.type !== 'JSON');
  const features = Object.fromEntries(columns.map((column) => [column.name, { dtype: datasetFeatureDtype(column.type), _type: 'Value' }]));
  const buffer = parquetWriteBuffer({
    columnData,
    createdBy: options.createdBy ?? 'confide',
    // the `datasets` library reads its column types from this key
    kvMetadata: simple ? [{ key: 'huggingface', value: JSON.stringify({ info: { features } }) }] : [],
  });
  return new Uint8Array(buffer);
}
