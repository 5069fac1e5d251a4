import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { fileSystemError, FileSystemError } from '@confide/core';

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
  readonly #descriptor: number;

  constructor(
    readonly path: string,
    private readonly onFileBytes: ((bytes: Buffer) => void) | undefined,
  ) {
    try {
      this.#descriptor = openSync(path, 'r');
    } catch (error) {
      throw fileSystemError(error, path);
    }
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

/**
 * Calls `onChunk` with a file's plain bytes, in order, a bounded piece at a time, without holding the whole file:
 * a `.gz` file is inflated one gzip member at a time (every member of a multi-member file, as gunzip does), any other
 * file is read a mebibyte at a time. `onFileBytes` sees the file's bytes as stored (to hash them on the way).
 * Truncated or corrupt gzip fails naming the file, in plain words.
 */
export function forEachPlainChunk(path: string, onChunk: (bytes: Buffer) => void, options: { onFileBytes?: (bytes: Buffer) => void } = {}): void {
  const window = new FileWindow(path, options.onFileBytes);
  try {
    if (!isGzipPath(path)) {
      while (window.readMore()) {
        onChunk(window.bytes);
        window.drop(window.bytes.length);
      }
      return;
    }
    let members = 0;
    for (;;) {
      window.fill(2);
      if (window.bytes.length === 0) return;
      // bytes after a member that do not start another are ignored, as gunzip does
      if (members > 0 && (window.bytes[0] !== 0x1f || window.bytes[1] !== 0x8b)) return;
      onChunk(inflateMember(window));
      members++;
    }
  } finally {
    window.close();
  }
}

/** The sha256 of a file's bytes as stored, read a piece at a time. */
export function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const window = new FileWindow(path, (bytes) => hash.update(bytes));
  try {
    while (window.readMore()) window.drop(window.bytes.length);
  } finally {
    window.close();
  }
  return hash.digest('hex');
}
