import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError } from '@confide/core';
import { makeFolder } from '../io/atomic-write.js';
import type { RecordLines } from './run-directory.js';

const BUFFER_BYTES = 1 << 20;

/** A growable typed array's worth of numbers. */
class Column {
  values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}

/**
 * Serialised records kept on disk while an import reads its file, so that no record stays in memory: each line is
 * appended to a temporary file (`.<name>.spool.<pid>.tmp` in `folder`) with its place in the dataset, and `lines()`
 * gives them back in the dataset's order (one sequential read when the file was already in that order, else a read
 * per line). What stays in memory is three numbers a record.
 */
export class RecordSpool implements RecordLines {
  readonly path: string;
  readonly #descriptor: number;
  readonly #offsets = new Column();
  readonly #lengths = new Column();
  readonly #order = new Column();
  #pending: string[] = [];
  #pendingBytes = 0;
  #bytes = 0;
  #inOrder = true;
  #removed = false;

  constructor(folder: string, name = 'records') {
    makeFolder(folder);
    this.path = join(folder, `.${name}.spool.${process.pid}.${Date.now()}.tmp`);
    try {
      this.#descriptor = openSync(this.path, 'w+');
    } catch (error) {
      throw fileSystemError(error, this.path);
    }
  }

  get count(): number {
    return this.#order.length;
  }

  /** Appends one serialised record (without its newline) and where in the dataset it belongs. */
  write(datasetIndex: number, line: string): void {
    const bytes = Buffer.byteLength(line, 'utf8');
    const count = this.#order.length;
    if (count > 0 && datasetIndex <= this.#order.values[count - 1]!) this.#inOrder = false;
    this.#offsets.push(this.#bytes + this.#pendingBytes);
    this.#lengths.push(bytes);
    this.#order.push(datasetIndex);
    this.#pending.push(line, '\n');
    this.#pendingBytes += bytes + 1;
    if (this.#pendingBytes >= BUFFER_BYTES) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const bytes = Buffer.from(this.#pending.join(''), 'utf8');
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      for (let written = 0; written < bytes.length; ) written += writeSync(this.#descriptor, bytes, written, bytes.length - written, this.#bytes + written);
    } catch (error) {
      throw fileSystemError(error, this.path);
    }
    this.#bytes += bytes.length;
  }

  /** The spooled lines in the dataset's order. */
  *lines(): Iterable<string> {
    this.#flush();
    const count = this.#order.length;
    let sequence: ArrayLike<number>;
    if (this.#inOrder) sequence = { length: count } as ArrayLike<number>;
    else {
      const order = this.#order.values;
      sequence = Uint32Array.from({ length: count }, (_, index) => index).sort((left, right) => order[left]! - order[right]!);
    }
    let window = Buffer.alloc(0);
    let windowStart = 0;
    for (let position = 0; position < count; position++) {
      const entry = this.#inOrder ? position : sequence[position]!;
      const offset = this.#offsets.values[entry]!;
      const length = this.#lengths.values[entry]!;
      if (offset < windowStart || offset + length > windowStart + window.length) {
        // in order, a mebibyte at a time; out of order, the line alone
        window = Buffer.allocUnsafe(this.#inOrder ? Math.max(BUFFER_BYTES, length) : length);
        let read = 0;
        try {
          while (read < window.length) {
            const got = readSync(this.#descriptor, window, read, window.length - read, offset + read);
            if (got === 0) break;
            read += got;
          }
        } catch (error) {
          throw fileSystemError(error, this.path);
        }
        window = window.subarray(0, read);
        windowStart = offset;
      }
      yield window.toString('utf8', offset - windowStart, offset - windowStart + length);
    }
  }

  /** Closes and deletes the spool file (safe to call twice). */
  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    closeSync(this.#descriptor);
    rmSync(this.path, { force: true });
  }
}
