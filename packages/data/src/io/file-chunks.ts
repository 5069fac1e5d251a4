import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { fileSystemError, FileSystemError, runSteps } from '@confide/core';
import type { FileProgress } from './read-steps.js';

/** How many bytes of a file are read at a time. */
const READ_SIZE = 1 << 20;

/** Whether a path names a gzipped file (by its name). */
export function isGzipPath(path: string): boolean {
  return /\.gz$/i.test(path);
}

function truncated(path: string): FileSystemError {
  return new FileSystemError('IO_ERROR', path, 'file is truncated (the gzip data ends early)');
}

function corrupt(path: string, what = ''): FileSystemError {
  return new FileSystemError('IO_ERROR', path, `file is corrupt or not gzip${what}`);
}

/**
 * The length of the gzip member header at the start of `bytes` (RFC 1952: 10 bytes, then the optional extra field,
 * name, comment and header CRC its flags announce); undefined when `bytes` ends before the header does.
 */
function gzipHeaderLength(bytes: Buffer, path: string): number | undefined {
  const magic = [0x1f, 0x8b, 8];
  if (magic.some((byte, index) => index < bytes.length && bytes[index] !== byte)) throw corrupt(path);
  if (bytes.length < 10) return undefined;
  const flags = bytes[3]!;
  let at = 10;
  if (flags & 0x04) {
    if (bytes.length < at + 2) return undefined;
    at += 2 + bytes.readUInt16LE(at);
  }
  for (const flag of [0x08, 0x10]) {
    if (!(flags & flag)) continue;
    const end = bytes.indexOf(0, at);
    if (end < 0) return undefined;
    at = end + 1;
  }
  if (flags & 0x02) at += 2;
  return at > bytes.length ? undefined : at;
}

/** A file read a piece at a time into a window of unread bytes. */
class FileWindow {
  bytes: Buffer = Buffer.alloc(0);
  ended = false;
  /** The file's size when it was opened. */
  readonly size: number;
  /** Bytes of the file read so far, as stored (the window's unread bytes among them). */
  #read = 0;
  readonly #descriptor: number;

  constructor(
    readonly path: string,
    private readonly onFileBytes: ((bytes: Buffer) => void) | undefined,
  ) {
    let descriptor: number;
    try {
      descriptor = openSync(path, 'r');
    } catch (error) {
      throw fileSystemError(error, path);
    }
    try {
      this.size = fstatSync(descriptor).size;
    } catch (error) {
      closeSync(descriptor);
      throw fileSystemError(error, path);
    }
    this.#descriptor = descriptor;
  }

  /** Bytes of the file used so far, as stored: read and no longer in the window. */
  get consumed(): number {
    return this.#read - this.bytes.length;
  }

  /** Reads at least `wanted` more bytes into the window (fewer at the end of the file); false when none were left. */
  readMore(wanted = READ_SIZE): boolean {
    if (this.ended) return false;
    const chunk = Buffer.allocUnsafe(Math.max(READ_SIZE, wanted));
    let filled = 0;
    while (filled < chunk.length) {
      let read: number;
      try {
        read = readSync(this.#descriptor, chunk, filled, chunk.length - filled, null);
      } catch (error) {
        throw fileSystemError(error, this.path);
      }
      if (read === 0) {
        this.ended = true;
        break;
      }
      filled += read;
    }
    if (filled === 0) return false;
    this.#read += filled;
    const fresh = chunk.subarray(0, filled);
    this.onFileBytes?.(fresh);
    this.bytes = this.bytes.length === 0 ? fresh : Buffer.concat([this.bytes, fresh]);
    return true;
  }

  /** Reads until the window holds `length` bytes or the file ends. */
  fill(length: number): void {
    while (this.bytes.length < length && this.readMore(length - this.bytes.length));
  }

  drop(length: number): void {
    this.bytes = this.bytes.subarray(length);
  }

  close(): void {
    closeSync(this.#descriptor);
  }
}

/**
 * Inflates the gzip member at the start of the window, reading more of the file until the member is whole. A member
 * Confide writes holds about a mebibyte of text (see JsonLinesWriter), so the window stays small; a file written as
 * one member (before run format 2.1, or by another tool) is inflated whole, as bytes.
 */
function inflateMember(window: FileWindow): Buffer {
  const { path } = window;
  let headerLength = gzipHeaderLength(window.bytes, path);
  while (headerLength === undefined) {
    if (!window.readMore()) throw truncated(path);
    headerLength = gzipHeaderLength(window.bytes, path);
  }
  for (;;) {
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateRawSync(window.bytes.subarray(headerLength), { info: true }) as unknown as typeof inflated;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'Z_BUF_ERROR' && window.readMore(window.bytes.length)) continue;
      if (code === 'Z_BUF_ERROR') throw truncated(path);
      if (code === 'Z_DATA_ERROR') throw corrupt(path);
      throw fileSystemError(error, path);
    }
    const end = headerLength + inflated.engine.bytesWritten;
    window.fill(end + 8);
    if (window.bytes.length < end + 8) throw truncated(path);
    const checksum = window.bytes.readUInt32LE(end);
    const size = window.bytes.readUInt32LE(end + 4);
    if (checksum !== crc32(inflated.buffer) || size !== inflated.buffer.length % 2 ** 32) throw corrupt(path, ' (a checksum does not match)');
    window.drop(end + 8);
    return inflated.buffer;
  }
}

/** A piece of a file's plain bytes, and how far into the file (as stored) reading it took. */
export interface PlainChunk {
  bytes: Buffer;
  /** Bytes of the file used so far, as stored (compressed, for a `.gz` file); at the last chunk, the file's size. */
  done: number;
  /** The file's size, as stored, when it was opened. */
  total: number;
}

/**
 * A file's plain bytes, in order, a bounded piece at a time, without holding the whole file: a `.gz` file is inflated
 * one gzip member at a time (every member of a multi-member file, as gunzip does), any other file is read a mebibyte
 * at a time. `onFileBytes` sees the file's bytes as stored (to hash them on the way). Truncated or corrupt gzip fails
 * naming the file, in plain words. The file is closed when the generator ends, fails or is returned early.
 */
export function* plainChunks(path: string, options: { onFileBytes?: (bytes: Buffer) => void } = {}): Generator<PlainChunk, void, void> {
  const window = new FileWindow(path, options.onFileBytes);
  const at = (bytes: Buffer): PlainChunk => ({ bytes, done: Math.min(window.consumed, window.size), total: window.size });
  try {
    if (!isGzipPath(path)) {
      while (window.readMore()) {
        const bytes = window.bytes;
        window.drop(bytes.length);
        yield at(bytes);
      }
      return;
    }
    let members = 0;
    for (;;) {
      window.fill(2);
      if (window.bytes.length === 0) return;
      // bytes after a member that do not start another are ignored, as gunzip does
      if (members > 0 && (window.bytes[0] !== 0x1f || window.bytes[1] !== 0x8b)) return;
      const member = inflateMember(window);
      members++;
      yield at(member);
    }
  } finally {
    window.close();
  }
}

/** Calls `onChunk` with a file's plain bytes, in order, a bounded piece at a time (`plainChunks`, run through). */
export function forEachPlainChunk(path: string, onChunk: (bytes: Buffer) => void, options: { onFileBytes?: (bytes: Buffer) => void } = {}): void {
  for (const chunk of plainChunks(path, options)) onChunk(chunk.bytes);
}

/**
 * The sha256 of a file's bytes as stored, read a piece at a time, as steps: yields how far it got after each piece
 * (`sha256OfFile` runs it through; `readCooperatively` drives it with turns of the event loop).
 */
export function* sha256OfFileSteps(path: string): Generator<FileProgress, string, void> {
  const hash = createHash('sha256');
  const window = new FileWindow(path, (bytes) => hash.update(bytes));
  try {
    while (window.readMore()) {
      window.drop(window.bytes.length);
      yield { path, done: Math.min(window.consumed, window.size), total: window.size };
    }
  } finally {
    window.close();
  }
  return hash.digest('hex');
}

/** The sha256 of a file's bytes as stored, read a piece at a time. */
export function sha256OfFile(path: string): string {
  return runSteps(sha256OfFileSteps(path));
}
