import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describeZodError, fileSystemError, InvalidInputError, runSteps } from '@confide/core';
import { z } from 'zod';
import { forEachPlainChunk } from './file-chunks.js';
import { writeJsonLinesFile } from './json-lines-writer.js';
import { lineSteps, type LinesRead } from './line-reader.js';
import type { ReadSteps } from './read-steps.js';

/** Gunzips bytes already in memory (a download); truncated or corrupt gzip data is an IO_ERROR naming `path`. */
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

/**
 * Reads a small file as text, gunzipping it when its name ends in `.gz`; truncated gzip names the file. Records,
 * problems and logs are read line by line instead (forEachLine, readJsonLines): a file's text is never one string.
 */
export function readTextFile(path: string): string {
  const chunks: Buffer[] = [];
  forEachPlainChunk(path, (chunk) => chunks.push(chunk));
  return Buffer.concat(chunks).toString('utf8');
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
 * Parses one line of JSON Lines and validates it with `schema`; a bad line throws an InvalidInputError naming the file,
 * the 1-based line and the field. `cutShort`: the line is the last one and has no newline (a truncated file).
 */
export function parseJsonLine<Schema extends z.ZodType>(line: string, path: string, lineNumber: number, schema: Schema, cutShort = false): z.infer<Schema> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InvalidInputError({ file: path, row: lineNumber, problem: cutShort ? 'the last line is cut short (truncated file)' : `not valid JSON (${(error as Error).message})` });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError({ file: path, row: lineNumber, ...describeZodIssue(parsed.error) });
  return parsed.data;
}

/**
 * Parses JSON Lines text already in memory (a download), validating each line with `schema`. A bad line throws an
 * InvalidInputError naming the file, the 1-based line and the field.
 */
export function parseJsonLines<Schema extends z.ZodType>(text: string, path: string, schema: Schema): z.infer<Schema>[] {
  const lines = text.split('\n');
  const rows: z.infer<Schema>[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    rows.push(parseJsonLine(line, path, index + 1, schema, index === lines.length - 1 && !text.endsWith('\n')));
  }
  return rows;
}

export interface ReadJsonLinesOptions {
  /** Drop a last line without its newline (an append-only log whose writer was killed mid-line). */
  allowTruncatedLastLine?: boolean;
  /** Sees the file's bytes as stored (to hash them on the way). */
  onFileBytes?: (bytes: Buffer) => void;
}

/**
 * Calls `onRow` with each row of a JSON Lines file (gzipped for `.gz` paths), validated by `schema`, reading a line at
 * a time, as steps: yields how far into the file it got after each piece (ReadSteps). Blank lines are skipped; a bad
 * line fails naming the file and the line.
 */
export function jsonLineSteps<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  onRow: (row: z.infer<Schema>, lineNumber: number) => void,
  options: ReadJsonLinesOptions = {},
): ReadSteps<LinesRead> {
  return lineSteps(
    path,
    (line, lineNumber, terminated) => {
      if (line.trim() === '') return;
      if (!terminated && options.allowTruncatedLastLine) return;
      onRow(parseJsonLine(line, path, lineNumber, schema, !terminated), lineNumber);
    },
    options.onFileBytes ? { onFileBytes: options.onFileBytes } : {},
  );
}

/**
 * Calls `onRow` with each row of a JSON Lines file (gzipped for `.gz` paths), validated by `schema`, reading a line at
 * a time: no string of the file's size is made. Blank lines are skipped; a bad line fails naming the file and the line.
 */
export function forEachJsonLine<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  onRow: (row: z.infer<Schema>, lineNumber: number) => void,
  options: ReadJsonLinesOptions = {},
): LinesRead {
  return runSteps(jsonLineSteps(path, schema, onRow, options));
}

/** The rows of a JSON Lines file (optionally gzipped) as a list, read a line at a time, as steps (ReadSteps). */
export function* readJsonLinesSteps<Schema extends z.ZodType>(path: string, schema: Schema, options: ReadJsonLinesOptions = {}): ReadSteps<z.infer<Schema>[]> {
  const rows: z.infer<Schema>[] = [];
  yield* jsonLineSteps(path, schema, (row) => rows.push(row), options);
  return rows;
}

/** The rows of a JSON Lines file (optionally gzipped) as a list, read a line at a time (forEachJsonLine). */
export function readJsonLines<Schema extends z.ZodType>(path: string, schema: Schema, options: ReadJsonLinesOptions = {}): z.infer<Schema>[] {
  return runSteps(readJsonLinesSteps(path, schema, options));
}

/**
 * Writes rows as JSON Lines, a row at a time through a temporary file and a rename; `.gz` paths are gzipped in members
 * (JsonLinesWriter). Gives the sha256 and size of the bytes written.
 */
export function writeJsonLines(path: string, rows: Iterable<unknown>): { sha256: string; bytes: number; rows: number } {
  return writeJsonLinesFile(path, rows);
}
