import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { openFileAtomic, type AtomicFile } from './atomic-write.js';
import { isGzipPath } from './file-chunks.js';

/**
 * The gzip level of every `.jsonl.gz` Confide writes (records, problems). Level 1 compresses about three times faster
 * than level 9 (about 145 MB/s against 45 MB/s on real records) for files about a fifth larger.
 */
export const JSON_LINES_GZIP_LEVEL = 1;

/** About how much text goes into one gzip member: what a reader inflates at a time. */
export const GZIP_MEMBER_CHARACTERS = 1 << 20;

/**
 * JSON Lines written a row at a time, never as one string: rows are serialised one by one and, for a `.gz` path,
 * compressed in gzip members of about a mebibyte of text each (a multi-member gzip file, which gunzip, Python's gzip
 * and Node read as one stream), deterministically (no name or time in any header). The file goes through a temporary
 * file and a rename on `close`; `abort` (or a failure) leaves the path as it was.
 */
export class JsonLinesWriter {
  readonly #file: AtomicFile;
  readonly #gzip: boolean;
  readonly #hash = createHash('sha256');
  #pending: string[] = [];
  #pendingCharacters = 0;
  #rows = 0;
  #bytes = 0;

  constructor(readonly path: string) {
    this.#gzip = isGzipPath(path);
    this.#file = openFileAtomic(path);
  }

  /** Appends one row as one line. */
  write(row: unknown): void {
    this.writeLine(JSON.stringify(row));
  }

  /** Appends one line of JSON text already serialised (without its newline). */
  writeLine(line: string): void {
    this.#pending.push(line, '\n');
    this.#pendingCharacters += line.length + 1;
    this.#rows++;
    if (this.#pendingCharacters >= GZIP_MEMBER_CHARACTERS) this.#flush();
  }

  /** Rows written so far. */
  get rows(): number {
    return this.#rows;
  }

  #flush(): void {
    // a gzip file without rows is still one (empty) member, so gunzip reads it
    if (this.#pending.length === 0 && !(this.#gzip && this.#bytes === 0)) return;
    const text = Buffer.from(this.#pending.join(''), 'utf8');
    this.#pending = [];
    this.#pendingCharacters = 0;
    const bytes = this.#gzip ? gzipSync(text, { level: JSON_LINES_GZIP_LEVEL }) : text;
    this.#hash.update(bytes);
    this.#bytes += bytes.length;
    this.#file.append(bytes);
  }

  /** Writes what is pending and renames the file into place; gives the sha256 and size of the bytes written. */
  close(): { sha256: string; bytes: number; rows: number } {
    try {
      if (this.#pending.length > 0 || this.#bytes === 0) this.#flush();
      this.#file.commit();
    } catch (error) {
      this.#file.abort();
      throw error;
    }
    return { sha256: this.#hash.digest('hex'), bytes: this.#bytes, rows: this.#rows };
  }

  /** Removes the temporary file: the path is left as it was. */
  abort(): void {
    this.#file.abort();
  }
}

/** Writes rows as JSON Lines (gzipped for `.gz` paths) through a JsonLinesWriter; gives the sha256 of the bytes. */
export function writeJsonLinesFile(path: string, rows: Iterable<unknown>): { sha256: string; bytes: number; rows: number } {
  const writer = new JsonLinesWriter(path);
  try {
    for (const row of rows) writer.write(row);
  } catch (error) {
    writer.abort();
    throw error;
  }
  return writer.close();
}
