import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describeZodError, fileSystemError, InvalidInputError } from '@confide/core';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';

/** Gunzips the bytes of `path`; truncated or corrupt gzip data is an IO_ERROR naming the file, in plain words. */
export function gunzipFile(bytes: Uint8Array, path: string): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw fileSystemError(error, path);
  }
}

/** Reads a file's bytes as stored; a failure names the file, in plain words. */
export function readFileBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw fileSystemError(error, path);
  }
}

/** Reads a file as text, gunzipping it when its name ends in `.gz`; truncated gzip names the file. */
export function readTextFile(path: string): string {
  const bytes = readFileBytes(path);
  return (/\.gz$/i.test(path) ? gunzipFile(bytes, path) : bytes).toString('utf8');
}

/** A row that is any JSON object: a table from another harness, before its columns are mapped. */
export const JsonObjectRow = z.custom<Record<string, unknown>>(
  (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
  'expected an object per row',
);

/** The first issue of a zod error as the field path and message of an InvalidInputError. */
export function describeZodIssue(error: z.ZodError): { field: string | undefined; problem: string } {
  const { key, message } = describeZodError(error);
  return { field: key, problem: message };
}

/** The text up to its last newline: what a writer that appends whole lines had finished when it was killed. */
export function completeLines(text: string): string {
  return text.endsWith('\n') || text === '' ? text : text.slice(0, text.lastIndexOf('\n') + 1);
}

/**
 * Parses JSON Lines text, validating each line with `schema`. A bad line throws an InvalidInputError naming the file,
 * the 1-based line and the field.
 */
export function parseJsonLines<Schema extends z.ZodType>(text: string, path: string, schema: Schema): z.infer<Schema>[] {
  const lines = text.split('\n');
  const rows: z.infer<Schema>[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const cutShort = index === lines.length - 1 && !text.endsWith('\n');
      throw new InvalidInputError({ file: path, row: index + 1, problem: cutShort ? 'the last line is cut short (truncated file)' : `not valid JSON (${(error as Error).message})` });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidInputError({ file: path, row: index + 1, ...describeZodIssue(parsed.error) });
    rows.push(parsed.data);
  }
  return rows;
}

/**
 * Reads JSON Lines (optionally gzipped) with parseJsonLines. `allowTruncatedLastLine` drops a last line without its
 * newline (an append-only log whose writer was killed mid-line).
 */
export function readJsonLines<Schema extends z.ZodType>(path: string, schema: Schema, options: { allowTruncatedLastLine?: boolean } = {}): z.infer<Schema>[] {
  const text = readTextFile(path);
  return parseJsonLines(options.allowTruncatedLastLine ? completeLines(text) : text, path, schema);
}

/** Serialises rows as JSON Lines, gzipped (deterministically: no file name or time in the header) for `.gz` paths. */
export function writeJsonLines(path: string, rows: readonly unknown[]): void {
  const text = rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
  writeFileAtomic(path, path.endsWith('.gz') ? gzipSync(text, { level: 9 }) : text);
}
