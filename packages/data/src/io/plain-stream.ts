import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { fileSystemError } from '@confide/core';
import { isGzipPath } from './file-chunks.js';

/**
 * A file's plain bytes, a piece at a time, as an async stream: gunzipped on the way for a `.gz` path (Node's streaming
 * gunzip, every member). What the importer reads table files through, so no file, gzipped or not, is held whole. A
 * failure (missing file, truncated or corrupt gzip) names the file, in plain words.
 */
export async function* plainChunksOf(path: string): AsyncGenerator<Buffer> {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const gunzip = isGzipPath(path) ? createGunzip({ chunkSize: 1 << 20 }) : undefined;
  const flow = gunzip ? pipeline(file, gunzip) : undefined;
  flow?.catch(() => undefined); // its error also ends the iteration below, which reports it
  try {
    for await (const chunk of gunzip ?? file) yield chunk as Buffer;
    await flow;
  } catch (error) {
    throw fileSystemError(error, path);
  } finally {
    file.destroy();
    gunzip?.destroy();
  }
}
