import { runSteps } from '@confide/core';
import { plainChunks } from './file-chunks.js';
import type { ReadSteps } from './read-steps.js';

const NEWLINE = 0x0a;

/** What reading a file line by line saw. */
export interface LinesRead {
  /** Lines, counting a last line without its newline. */
  lines: number;
  /** Plain bytes up to and including the last newline: what a writer that appends whole lines had finished. */
  completeBytes: number;
}

/** A line handler: the line's text, its 1-based number, and whether it ended in a newline (false: a last line cut short). */
export type OnLine = (text: string, lineNumber: number, terminated: boolean) => void;

/**
 * Splits plain bytes, pushed a piece at a time, into lines, decoding one line at a time: no string longer than a line
 * is made. A newline byte never occurs inside a UTF-8 character, so splitting bytes is splitting text.
 */
export class LineSplitter {
  #pending: Buffer[] = [];
  #lineNumber = 0;
  #plainBytes = 0;
  #completeBytes = 0;

  constructor(private readonly onLine: OnLine) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      const text = this.#pending.length === 0 ? chunk.toString('utf8', start, end) : Buffer.concat([...this.#pending, chunk.subarray(start, end)]).toString('utf8');
      this.#pending = [];
      this.#completeBytes = this.#plainBytes + end + 1;
      this.onLine(text, ++this.#lineNumber, true);
      start = end + 1;
    }
    if (start < chunk.length) this.#pending.push(chunk.subarray(start));
    this.#plainBytes += chunk.length;
  }

  /** Hands over a last line without its newline, if any. */
  end(): LinesRead {
    if (this.#pending.length > 0) this.onLine(Buffer.concat(this.#pending).toString('utf8'), ++this.#lineNumber, false);
    this.#pending = [];
    return { lines: this.#lineNumber, completeBytes: this.#completeBytes };
  }
}

/**
 * Calls `onLine` with each line of a file (gunzipped when its name ends in `.gz`, a gzip member at a time), reading a
 * bounded piece of the file at a time, as steps: yields how far into the file it got after each piece (ReadSteps).
 */
export function* lineSteps(path: string, onLine: OnLine, options: { onFileBytes?: (bytes: Buffer) => void } = {}): ReadSteps<LinesRead> {
  const splitter = new LineSplitter(onLine);
  for (const chunk of plainChunks(path, options)) {
    splitter.push(chunk.bytes);
    yield { path, done: chunk.done, total: chunk.total };
  }
  return splitter.end();
}

/**
 * Calls `onLine` with each line of a file (gunzipped when its name ends in `.gz`, a gzip member at a time), reading a
 * bounded piece of the file at a time: no string of the file's size is made.
 */
export function forEachLine(path: string, onLine: OnLine, options: { onFileBytes?: (bytes: Buffer) => void } = {}): LinesRead {
  return runSteps(lineSteps(path, onLine, options));
}
