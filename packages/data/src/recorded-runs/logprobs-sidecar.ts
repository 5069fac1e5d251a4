import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  fileSystemError,
  InvalidInputError,
  NotFoundError,
  runSteps,
  summariseTokenConfidence,
  TokenConfidence,
  TopLogprobsCount,
  type QuantisedLogprobs,
  type RunRecord,
  type TokenConfidenceOptions,
} from '@confide/core';
import { z } from 'zod';
import { openFileAtomic, renameInPlace, writeFileAtomic } from '../io/atomic-write.js';
import { jsonLineSteps } from '../io/json-lines.js';
import type { ReadSteps } from '../io/read-steps.js';

/**
 * A run's logprobs sidecar: the top-k logprobs of every token of its answers, kept beside the records (which carry
 * only each answer's DeepConf summary). A folder of two files:
 *
 *   logprobs/index.jsonl   line 1, the header: {format: "confide-logprobs", version: 1, tokens: <the tokens file>,
 *                          scale: 1024}; then one line per answer: {problemId, model, k, positions, offset, summary}
 *                          (offset: the answer's first byte in the tokens file; summary: its TokenConfidence)
 *   logprobs/<tokens>      8 bytes "CFLOGP01", then each answer's logprobs: `positions` rows of k unsigned 16-bit
 *                          little-endian integers, row after row, each −logprob × 1024 rounded (capped at 65535,
 *                          64 nats), most likely first
 *
 * A run folder's sidecar is written whole (tokens file first, named by its content hash, then the index through a
 * rename); a live run's stage sidecar (`stages/<log>.logprobs/`, tokens file `tokens.bin`) is appended to as answers
 * arrive (LogprobsSidecarWriter). The index is read and checked with zod; a bad line names the file and the line.
 */
export const LOGPROBS_FOLDER = 'logprobs';
export const LOGPROBS_INDEX_FILE = 'index.jsonl';
export const LOGPROBS_FORMAT = 'confide-logprobs';
export const LOGPROBS_VERSION = 1;
/** The first bytes of a tokens file. */
export const LOGPROBS_MAGIC = Buffer.from('CFLOGP01', 'latin1');
/** The bytes of one stored logprob. */
const VALUE_BYTES = 2;

export const LogprobsHeader = z.strictObject({
  format: z.literal(LOGPROBS_FORMAT),
  version: z.literal(LOGPROBS_VERSION),
  /** The tokens file, in the same folder. */
  tokens: z.string().regex(/^[A-Za-z0-9._-]+\.bin$/, 'a file name in the sidecar folder, ending in .bin'),
  /** Stored values are −logprob × scale. */
  scale: z.literal(1024),
});
export type LogprobsHeader = z.infer<typeof LogprobsHeader>;

export const LogprobsEntry = z
  .strictObject({
    problemId: z.string().min(1),
    /** The generation's model (a delegated run's records answer with two). */
    model: z.string().min(1),
    k: TopLogprobsCount,
    positions: z.number().int().nonnegative(),
    offset: z.number().int().min(LOGPROBS_MAGIC.length),
    summary: TokenConfidence,
  })
  .refine((entry) => entry.summary.k === entry.k && entry.summary.tokens === entry.positions, { message: "the summary's k and tokens must be the entry's" });
export type LogprobsEntry = z.infer<typeof LogprobsEntry>;

const IndexLine = z.union([LogprobsHeader, LogprobsEntry]);

/** The bytes an entry's logprobs take in the tokens file. */
export function entryBytes(entry: Pick<LogprobsEntry, 'k' | 'positions'>): number {
  return entry.k * entry.positions * VALUE_BYTES;
}

/** The key of an entry: the same problem may be answered by two models in one run. */
export function entryKey(problemId: string, model: string): string {
  return `${model}\u0000${problemId}`;
}

/** A sidecar as read: its folder, header and entries (in file order), with each entry's 1-based index line. */
export interface LogprobsSidecar {
  folder: string;
  header: LogprobsHeader;
  entries: LogprobsEntry[];
  lines: number[];
  /** The size of the tokens file in bytes. */
  tokensBytes: number;
}

export interface ReadLogprobsOptions {
  /** A live run's stage sidecar: a last index line cut short by a kill is dropped. */
  unfinished?: boolean;
}

/** The index path of the sidecar folder `folder`. */
export function logprobsIndexPath(folder: string): string {
  return join(folder, LOGPROBS_INDEX_FILE);
}

/**
 * Reads a sidecar's index (null when the folder has none): the header, then every entry, each checked; an entry
 * given twice, or one past the end of the tokens file, fails naming the index file and the line.
 */
export function readLogprobsSidecar(folder: string, options: ReadLogprobsOptions = {}): LogprobsSidecar | null {
  return runSteps(readLogprobsSidecarSteps(folder, options));
}

/** `readLogprobsSidecar` as steps: yields how far into the index it got after each piece (ReadSteps). */
export function* readLogprobsSidecarSteps(folder: string, options: ReadLogprobsOptions = {}): ReadSteps<LogprobsSidecar | null> {
  const indexPath = logprobsIndexPath(folder);
  if (!existsSync(indexPath)) return null;
  let header: LogprobsHeader | undefined;
  const entries: LogprobsEntry[] = [];
  const lines: number[] = [];
  const seen = new Set<string>();
  yield* jsonLineSteps(
    indexPath,
    IndexLine,
    (line, lineNumber) => {
      if (header === undefined) {
        if (!('format' in line)) throw new InvalidInputError({ file: indexPath, row: lineNumber, problem: `the first line must be the header {format: "${LOGPROBS_FORMAT}", …}` });
        header = line;
        return;
      }
      if ('format' in line) throw new InvalidInputError({ file: indexPath, row: lineNumber, problem: 'a second header' });
      const key = entryKey(line.problemId, line.model);
      if (seen.has(key)) throw new InvalidInputError({ file: indexPath, row: lineNumber, field: 'problemId', problem: `${line.problemId} (model ${line.model}) is given twice` });
      seen.add(key);
      entries.push(line);
      lines.push(lineNumber);
    },
    { allowTruncatedLastLine: options.unfinished ?? false },
  );
  if (header === undefined) throw new InvalidInputError({ file: indexPath, problem: 'empty: no header line' });
  const tokensPath = join(folder, header.tokens);
  const tokensBytes = tokensFileSize(tokensPath);
  entries.forEach((entry, index) => {
    if (entry.offset + entryBytes(entry) > tokensBytes) {
      throw new InvalidInputError({ file: indexPath, row: lines[index]!, field: 'offset', problem: `${entry.problemId}'s logprobs end past the end of ${header!.tokens} (${tokensBytes} bytes)` });
    }
  });
  return { folder, header, entries, lines, tokensBytes };
}

/** The size of a tokens file whose first bytes are the magic; a missing or foreign file fails naming it. */
function tokensFileSize(path: string): number {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r');
  } catch (error) {
    throw fileSystemError(error, path);
  }
  try {
    const magic = Buffer.alloc(LOGPROBS_MAGIC.length);
    const read = readSync(descriptor, magic, 0, magic.length, 0);
    if (read < magic.length || !magic.equals(LOGPROBS_MAGIC)) throw new InvalidInputError({ file: path, problem: `not a logprobs tokens file (it does not start with ${LOGPROBS_MAGIC.toString('latin1')})` });
    return fstatSync(descriptor).size;
  } finally {
    closeSync(descriptor);
  }
}

/** The stored logprobs of one entry, read from the tokens file. */
export function readEntryLogprobs(sidecar: LogprobsSidecar, entry: LogprobsEntry): QuantisedLogprobs {
  const path = join(sidecar.folder, sidecar.header.tokens);
  const bytes = Buffer.alloc(entryBytes(entry));
  const descriptor = openSync(path, 'r');
  try {
    for (let done = 0; done < bytes.length; ) {
      const read = readSync(descriptor, bytes, done, bytes.length - done, entry.offset + done);
      if (read === 0) throw new InvalidInputError({ file: path, problem: `ends inside ${entry.problemId}'s logprobs` });
      done += read;
    }
  } finally {
    closeSync(descriptor);
  }
  const values = new Uint16Array(entry.k * entry.positions);
  for (let index = 0; index < values.length; index++) values[index] = bytes.readUInt16LE(index * VALUE_BYTES);
  return { k: entry.k, positions: entry.positions, values };
}

/** Encodes stored logprobs as the tokens file holds them (little-endian). */
export function encodeLogprobs(logprobs: QuantisedLogprobs): Buffer {
  const bytes = Buffer.alloc(logprobs.values.length * VALUE_BYTES);
  for (let index = 0; index < logprobs.values.length; index++) bytes.writeUInt16LE(logprobs.values[index]!, index * VALUE_BYTES);
  return bytes;
}

/**
 * The records with each answer's summary from the sidecar (the index wins over a summary the record carries; a record
 * the sidecar has no entry for is left as it is). Records are replaced, not changed.
 */
export function withTokenConfidence(records: RunRecord[], sidecar: LogprobsSidecar): RunRecord[] {
  const byKey = new Map(sidecar.entries.map((entry) => [entryKey(entry.problemId, entry.model), entry]));
  return records.map((record) => {
    const entry = byKey.get(entryKey(record.problemId, record.generation.model));
    return entry === undefined ? record : { ...record, generation: { ...record.generation, tokenConfidence: entry.summary } };
  });
}

/** One answer a whole sidecar is written with: its entry in a source sidecar (its logprobs are copied from there). */
export interface SidecarCopy {
  source: LogprobsSidecar;
  entry: LogprobsEntry;
}

/**
 * Writes the sidecar folder `folder` whole from entries of other sidecars, in the order given: the tokens file first
 * (named by its content hash, through a temporary file), then the index through a rename, which makes it current;
 * tokens files the new index does not name are removed last. Gives the index path.
 */
export function writeLogprobsSidecar(folder: string, copies: readonly SidecarCopy[]): string {
  const writing = join(folder, '.tokens-writing.bin');
  const tokensFile = openFileAtomic(writing);
  const hash = createHash('sha256');
  let offset = LOGPROBS_MAGIC.length;
  const entries: LogprobsEntry[] = [];
  try {
    tokensFile.append(LOGPROBS_MAGIC);
    hash.update(LOGPROBS_MAGIC);
    for (const { source, entry } of copies) {
      const bytes = encodeLogprobs(readEntryLogprobs(source, entry));
      tokensFile.append(bytes);
      hash.update(bytes);
      entries.push({ ...entry, offset });
      offset += bytes.length;
    }
    tokensFile.commit();
  } catch (error) {
    tokensFile.abort();
    throw error;
  }
  const tokens = `tokens-${hash.digest('hex').slice(0, 16)}.bin`;
  renameInPlace(writing, join(folder, tokens), join(folder, tokens));
  const header: LogprobsHeader = { format: LOGPROBS_FORMAT, version: LOGPROBS_VERSION, tokens, scale: 1024 };
  const indexPath = logprobsIndexPath(folder);
  writeFileAtomic(indexPath, [header, ...entries].map((line) => JSON.stringify(line) + '\n').join(''));
  for (const name of readdirSync(folder)) if (name.endsWith('.bin') && name !== tokens) rmSync(join(folder, name), { force: true });
  return indexPath;
}

/**
 * The sidecar's summaries computed again from its tokens with other windows (groups of `groupWindow` tokens, the last
 * `tailTokens`), the index rewritten through a rename, the tokens file untouched: what a run read afterwards scores.
 * Gives the sidecar as rewritten.
 */
export function resummariseLogprobsSidecar(folder: string, windows: TokenConfidenceOptions): LogprobsSidecar {
  const sidecar = readLogprobsSidecar(folder);
  if (sidecar === null) throw new NotFoundError(`no logprobs sidecar at ${folder} (no ${LOGPROBS_INDEX_FILE}): record token logprobs with the model client option "logprobs": k`);
  const entries = sidecar.entries.map((entry) => ({ ...entry, summary: summariseTokenConfidence(readEntryLogprobs(sidecar, entry), windows) }));
  writeFileAtomic(logprobsIndexPath(folder), [sidecar.header, ...entries].map((line) => JSON.stringify(line) + '\n').join(''));
  return { ...sidecar, entries };
}
