import { closeSync, openSync, readSync } from 'node:fs';
import { InvalidInputError, type TokenUsage } from '@confide/core';
import { z } from 'zod';

/**
 * One answered sample of another harness's log, as every format reads it: the common shape the importer turns into a
 * problem (id, question, gold, slice) and a run record (text, answer, score, usage, latency) of the run `model` names.
 */
export interface PeerSample {
  /** The model as the log names it (before --model-map). */
  model: string;
  /** The sample's id within its slice (made unique across slices by the reader, e.g. `<task>/<doc_id>`). */
  id: string;
  /** The epoch (inspect_ai); absent where a log has one answer per sample. */
  epoch?: number;
  question: string | null;
  gold: string | null;
  /** The task or benchmark the sample belongs to (lm-eval's task, RouterArena's dataset prefix, inspect's task). */
  slice?: string;
  text: string;
  answer: string | null;
  /** Graded score in [0, 1] as recorded (continuous scores kept). */
  score: number;
  /** The log's own binary verdict where it has one; else the importer binarizes the score. */
  correct?: boolean;
  /** Token counts as recorded; null when the log records none. */
  usage: TokenUsage | null;
  /** A cost in US dollars as the log records it; null when it records none. */
  costUsd: number | null;
  latencyMs: number | null;
  finishReason: string | null;
  /** Where the sample was read (`line 12`, `zip entry samples/3_epoch_1.json`), for errors. */
  place: string;
}

export interface PeerLogReadOptions {
  /** The score to read where a log holds several (inspect's scorer name, lm-eval's metric); default: the first. */
  scorer?: string;
  /** lm-eval: the filter whose rows are read (default: the first filter each task's file names). */
  filter?: string;
  /** A model name for logs that do not record one (RouterArena's file name is the default there). */
  model?: string;
}

/** What a reader saw besides the samples: the source fields it found, and rows it left out with why. */
export interface PeerLogReadSummary {
  fields: Set<string>;
  /** Rows read but not imported (not graded, inference failed, another filter), with the reason: counted, not fatal. */
  leftOut: Map<string, number>;
  /** Source files read (a folder import reads several), each hashed into the manifest. */
  files: string[];
}

/**
 * One log format: a small module behind this interface. `detect` looks at a path cheaply (name, first bytes, first
 * line); `read` calls `onSample` with each sample as it is read (a line, a zip entry), never holding the log whole
 * where the format allows it, and throws an INVALID_INPUT error naming the file, the line or zip entry and the field
 * for anything it cannot read.
 */
export interface PeerLogFormat {
  /** The name `--format` takes. */
  readonly name: string;
  /** The command and what is read, for `--help`, `--inspect` and the README table. */
  readonly reads: string;
  detect(path: string): Promise<boolean>;
  read(path: string, options: PeerLogReadOptions, onSample: (sample: PeerSample) => void): Promise<PeerLogReadSummary>;
}

export function newReadSummary(files: string[]): PeerLogReadSummary {
  return { fields: new Set(), leftOut: new Map(), files };
}

export function leaveOut(summary: PeerLogReadSummary, reason: string): void {
  summary.leftOut.set(reason, (summary.leftOut.get(reason) ?? 0) + 1);
}

/** An error naming the file, the place in it (a line, a zip entry) and the field. */
export function peerLogError(file: string, place: string | undefined, field: string | undefined, problem: string): InvalidInputError {
  return new InvalidInputError({ file: place ? `${file}, ${place}` : file, ...(field !== undefined ? { field } : {}), problem });
}

/** Parses one JSON text (a line, an entry); a failure names the file and place. */
export function parseJsonAt(text: string, file: string, place: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw peerLogError(file, place, undefined, `not JSON (${(error as Error).message})`);
  }
}

/** Validates a parsed value against a format's schema; the first issue names its field. */
export function parseSampleShape<T>(schema: z.ZodType<T>, value: unknown, file: string, place: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw peerLogError(file, place, issue.path.length > 0 ? issue.path.join('.') : undefined, issue.message);
}

/** A recorded score as a number in [0, 1]: numbers, booleans, numeric strings, and inspect's C / I / P / N. */
export function scoreValue(value: unknown, file: string, place: string, field: string): number {
  const letters: Record<string, number> = { C: 1, I: 0, P: 0.5, N: 0 };
  let number: number | undefined;
  if (typeof value === 'boolean') number = value ? 1 : 0;
  else if (typeof value === 'number') number = value;
  else if (typeof value === 'string' && value in letters) number = letters[value];
  else if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value)) number = Number(value);
  if (number === undefined || !Number.isFinite(number)) throw peerLogError(file, place, field, `expected a score (a number in [0, 1], true/false, or C/I/P/N), got ${JSON.stringify(value)}`);
  if (number < 0 || number > 1) throw peerLogError(file, place, field, `expected a score in [0, 1], got ${number}`);
  return number;
}

/** A non-negative integer token count, or a coded error naming the field. */
export function tokenCount(value: unknown, file: string, place: string, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw peerLogError(file, place, field, `expected a non-negative integer token count, got ${JSON.stringify(value)}`);
  return value;
}

/** A sample id as text: a non-empty string or a number; else a coded error. */
export function sampleId(value: unknown, file: string, place: string, field: string): string {
  if ((typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value))) return String(value);
  throw peerLogError(file, place, field, value === undefined || value === null ? 'the sample has no id' : `expected an id (a string or a number), got ${JSON.stringify(value)}`);
}

/** Text of a value that may be a string, a list of chat messages or content parts, or something else (JSON). */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).filter((part) => part !== '').join('\n');
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('content' in object) return textOf(object['content']);
    if (typeof object['text'] === 'string') return object['text'];
  }
  return JSON.stringify(value);
}

/** The first `length` bytes of a file as UTF-8 (format detection reads no more than this). */
export function fileHead(path: string, length: number): string {
  const descriptor = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(length);
    const read = readSync(descriptor, bytes, 0, length, 0);
    return bytes.subarray(0, read).toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}
