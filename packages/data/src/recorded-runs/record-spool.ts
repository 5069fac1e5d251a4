import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileSystemError } from '@confide/core';
import { makeFolder, renameInPlace } from '../io/atomic-write.js';
import { JsonLinesWriter } from '../io/json-lines-writer.js';
import { forEachLine } from '../io/line-reader.js';
import type { RecordsFileSource } from './run-directory.js';

const BUFFER_BYTES = 1 << 20;

/** A growable column of numbers. */
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

  get last(): number {
    return this.values[this.length - 1]!;
  }
}

/** Plain lines in a temporary file, each with its offset and length, read back in any order. */
class PlainLineSpool {
  readonly #descriptor: number;
  readonly #offsets = new Column();
  readonly #lengths = new Column();
  #pending: string[] = [];
  #pendingBytes = 0;
  #bytes = 0;

  constructor(readonly path: string) {
    try {
      this.#descriptor = openSync(path, 'w+');
    } catch (error) {
      throw fileSystemError(error, path);
    }
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line, 'utf8');
    this.#offsets.push(this.#bytes + this.#pendingBytes);
    this.#lengths.push(bytes);
    this.#pending.push(line, '\n');
    this.#pendingBytes += bytes + 1;
    if (this.#pendingBytes >= BUFFER_BYTES) this.flush();
  }

  flush(): void {
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

  /** The line written `entry`-th (0-based), read on its own. */
  line(entry: number): string {
    const offset = this.#offsets.values[entry]!;
    const length = this.#lengths.values[entry]!;
    const bytes = Buffer.allocUnsafe(length);
    let read = 0;
    try {
      while (read < length) {
        const got = readSync(this.#descriptor, bytes, read, length - read, offset + read);
        if (got === 0) break;
        read += got;
      }
    } catch (error) {
      throw fileSystemError(error, this.path);
    }
    return bytes.toString('utf8', 0, read);
  }

  remove(): void {
    closeSync(this.#descriptor);
    rmSync(this.path, { force: true });
  }
}

/**
 * Serialised records held on disk while an import reads its file, so that no record stays in memory, written out in
 * the dataset's order. While rows come in that order (the usual case) each line goes straight into a gzipped records
 * file beside the run (`.<name>.<pid>.in-order.jsonl.gz` in `folder`), renamed into place when the run is written. A
 * row out of order turns it into a plain spool (`.<name>.<pid>.spool.tmp`), read back a line at a time in the dataset's
 * order. What stays in memory is a number or three per record.
 */
export class RecordSpool implements RecordsFileSource {
  readonly #folder: string;
  readonly #stem: string;
  readonly #order = new Column();
  #inOrderPath: string;
  #inOrder: JsonLinesWriter | undefined;
  #plain: PlainLineSpool | undefined;
  #removed = false;

  constructor(folder: string, name = 'records') {
    makeFolder(folder);
    this.#folder = folder;
    this.#stem = `.${name}.${process.pid}.${Date.now()}`;
    this.#inOrderPath = join(folder, `${this.#stem}.in-order.jsonl.gz`);
    this.#inOrder = new JsonLinesWriter(this.#inOrderPath);
  }

  get count(): number {
    return this.#order.length;
  }

  /** Appends one serialised record (without its newline) and where in the dataset it belongs. */
  write(datasetIndex: number, line: string): void {
    if (this.#inOrder !== undefined && this.#order.length > 0 && datasetIndex <= this.#order.last) this.#spoolPlain();
    this.#order.push(datasetIndex);
    if (this.#inOrder !== undefined) this.#inOrder.writeLine(line);
    else this.#plain!.write(line);
  }

  /** The first row out of order: what was written in order is copied into a plain spool, which takes every line after. */
  #spoolPlain(): void {
    this.#inOrder!.close();
    this.#inOrder = undefined;
    this.#plain = new PlainLineSpool(join(this.#folder, `${this.#stem}.spool.tmp`));
    forEachLine(this.#inOrderPath, (line) => this.#plain!.write(line));
    rmSync(this.#inOrderPath, { force: true });
  }

  /** Writes the records file at `path` (through a temporary file and a rename) in the dataset's order; gives the count. */
  writeRecordsFile(path: string): number {
    if (this.#inOrder !== undefined) {
      this.#inOrder.close();
      this.#inOrder = undefined;
      if (dirname(resolve(path)) === resolve(this.#folder)) {
        renameInPlace(this.#inOrderPath, path, path);
        return this.count;
      }
      // another folder (perhaps another file system): copied a line at a time
      const writer = new JsonLinesWriter(path);
      try {
        forEachLine(this.#inOrderPath, (line) => writer.writeLine(line));
      } catch (error) {
        writer.abort();
        throw error;
      }
      return writer.close().rows;
    }
    const plain = this.#plain!;
    plain.flush();
    const order = this.#order.values;
    const sequence = Uint32Array.from({ length: this.count }, (_, index) => index).sort((left, right) => order[left]! - order[right]!);
    const writer = new JsonLinesWriter(path);
    try {
      for (const entry of sequence) writer.writeLine(plain.line(entry));
    } catch (error) {
      writer.abort();
      throw error;
    }
    return writer.close().rows;
  }

  /** Deletes whatever the spool still holds on disk (safe to call twice, and after the records file is written). */
  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    this.#inOrder?.abort();
    rmSync(this.#inOrderPath, { force: true });
    this.#plain?.remove();
  }
}
