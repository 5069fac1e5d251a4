import { closeSync, existsSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError, InvalidInputError, type QuantisedLogprobs, type TokenConfidence } from '@confide/core';
import { makeFolder, writeFileAtomic } from '../io/atomic-write.js';
import {
  encodeLogprobs,
  entryBytes,
  entryKey,
  LOGPROBS_FORMAT,
  LOGPROBS_MAGIC,
  LOGPROBS_VERSION,
  logprobsIndexPath,
  readLogprobsSidecar,
  type LogprobsEntry,
  type LogprobsHeader,
} from './logprobs-sidecar.js';

/** The tokens file of a sidecar written a piece at a time. */
const STREAMED_TOKENS_FILE = 'tokens.bin';

/** Writes the whole of `bytes` at `position` of an open file. */
function writeAll(descriptor: number, bytes: Buffer, position: number | null): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(descriptor, bytes, written, bytes.length - written, position === null ? null : position + written);
}

/**
 * A sidecar appended to as answers arrive (a live run's `stages/<log>.logprobs/`): each answer's logprobs go to the
 * end of the tokens file, then its line to the index, so an index line always points at logprobs written whole. Files
 * are made with the first answer: a run that records no logprobs leaves none.
 *
 * Resumed (the folder holds an index), it keeps what a killed run finished and nothing twice: the index is rewritten
 * (through a rename) without a last line cut short and without the answers `keep` refuses (those whose record never
 * reached the stage log: they are asked again), and the tokens file is cut after the last answer kept. Logprobs of a
 * refused answer in the middle stay in the tokens file unread (at most one per request in flight at the kill); a run
 * folder's sidecar, written whole when the run completes, holds none.
 */
export class LogprobsSidecarWriter {
  readonly #keys = new Set<string>();
  #tokens: number | undefined;
  #index: number | undefined;
  #end = LOGPROBS_MAGIC.length;

  constructor(
    readonly folder: string,
    keep: (entry: LogprobsEntry) => boolean = () => true,
  ) {
    const existing = readLogprobsSidecar(folder, { unfinished: true });
    if (existing === null) return;
    const kept = existing.entries.filter(keep);
    for (const entry of kept) {
      this.#keys.add(entryKey(entry.problemId, entry.model));
      this.#end = Math.max(this.#end, entry.offset + entryBytes(entry));
    }
    writeFileAtomic(logprobsIndexPath(folder), [existing.header, ...kept].map((line) => JSON.stringify(line) + '\n').join(''));
    this.#openFiles(existing.header.tokens);
    try {
      ftruncateSync(this.#tokens!, this.#end);
    } catch (error) {
      throw fileSystemError(error, join(folder, existing.header.tokens));
    }
  }

  /** How many answers the sidecar holds. */
  get size(): number {
    return this.#keys.size;
  }

  has(problemId: string, model: string): boolean {
    return this.#keys.has(entryKey(problemId, model));
  }

  /** Appends one answer's logprobs and its index line; an answer already held is refused (it would be read twice). */
  append(problemId: string, model: string, logprobs: QuantisedLogprobs, summary: TokenConfidence): LogprobsEntry {
    const key = entryKey(problemId, model);
    if (this.#keys.has(key)) throw new InvalidInputError({ file: logprobsIndexPath(this.folder), field: 'problemId', problem: `${problemId} (model ${model}) is already in the logprobs sidecar` });
    if (this.#tokens === undefined) this.#create();
    const bytes = encodeLogprobs(logprobs);
    const entry: LogprobsEntry = { problemId, model, k: logprobs.k, positions: logprobs.positions, offset: this.#end, summary };
    try {
      writeAll(this.#tokens!, bytes, this.#end);
    } catch (error) {
      throw fileSystemError(error, join(this.folder, STREAMED_TOKENS_FILE));
    }
    this.#end += bytes.length;
    try {
      writeAll(this.#index!, Buffer.from(JSON.stringify(entry) + '\n', 'utf8'), null);
    } catch (error) {
      throw fileSystemError(error, logprobsIndexPath(this.folder));
    }
    this.#keys.add(key);
    return entry;
  }

  close(): void {
    if (this.#tokens !== undefined) closeSync(this.#tokens);
    if (this.#index !== undefined) closeSync(this.#index);
    this.#tokens = undefined;
    this.#index = undefined;
  }

  /** The first answer: the tokens file with its magic, the index with its header. */
  #create(): void {
    makeFolder(this.folder);
    const tokensPath = join(this.folder, STREAMED_TOKENS_FILE);
    const header: LogprobsHeader = { format: LOGPROBS_FORMAT, version: LOGPROBS_VERSION, tokens: STREAMED_TOKENS_FILE, scale: 1024 };
    writeFileAtomic(tokensPath, LOGPROBS_MAGIC);
    writeFileAtomic(logprobsIndexPath(this.folder), JSON.stringify(header) + '\n');
    this.#end = LOGPROBS_MAGIC.length;
    this.#openFiles(STREAMED_TOKENS_FILE);
  }

  #openFiles(tokensFile: string): void {
    const tokensPath = join(this.folder, tokensFile);
    const indexPath = logprobsIndexPath(this.folder);
    try {
      this.#tokens = openSync(tokensPath, 'r+');
    } catch (error) {
      throw fileSystemError(error, tokensPath);
    }
    try {
      this.#index = openSync(indexPath, 'a');
    } catch (error) {
      throw fileSystemError(error, indexPath);
    }
  }
}

/** Whether a folder holds a sidecar (its index). */
export function hasLogprobsSidecar(folder: string): boolean {
  return existsSync(logprobsIndexPath(folder));
}
