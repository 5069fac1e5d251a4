import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NotFoundError } from '@confide/core';
import { type HubCache, type HubFileEntry } from './hub-cache.js';
import { type HubConnection, type HubFetch, hubFailure, HubRequestError } from './hub-connection.js';
import { hubLibrary } from './hub-library.js';
import type { HubProgressListener } from './hub-progress.js';
import { describeHubRepo, type HubRepo } from './hub-repo.js';

export interface DownloadToCacheOptions<Result> {
  connection: HubConnection;
  hubFetch: HubFetch;
  cache: HubCache;
  repo: HubRepo;
  commit: string;
  entry: HubFileEntry;
  /** Reads (and so validates) the downloaded file before it is moved into the cache; what it returns is returned. */
  read: (file: string, entry: HubFileEntry) => Promise<Result>;
  onProgress?: HubProgressListener;
}

/**
 * Downloads one file of a commit into the cache: streamed to `tmp/`, checked against the listed size and hash (sha256
 * for LFS files, the git blob id otherwise), read by `read` (a Parquet file that does not parse fails here), then
 * renamed into the snapshot. On any failure the temporary file is removed, so the cache never holds part of a file.
 */
export async function downloadToCache<Result>(options: DownloadToCacheOptions<Result>): Promise<Result> {
  const { connection, hubFetch, cache, repo, commit, entry } = options;
  const context = { connection, repo, revision: commit, path: entry.path, access: 'read' as const, hubFetch };
  const { downloadFile } = await hubLibrary();
  const temporary = join(cache.ensureTemporaryFolder(repo), `${process.pid}-${randomUUID()}.part`);
  try {
    let blob: Blob | null;
    try {
      blob = await downloadFile({
        repo: { type: repo.type, name: repo.name },
        path: entry.path,
        revision: commit,
        hubUrl: connection.hubUrl,
        accessToken: connection.accessToken,
        fetch: hubFetch.fetch,
      });
    } catch (error) {
      throw hubFailure(error, context);
    }
    if (blob === null) throw new NotFoundError(`${describeHubRepo(repo)}@${commit} has no file "${entry.path}"`);

    const sha256 = createHash('sha256');
    const gitOid = createHash('sha1').update(`blob ${entry.size}\0`);
    let bytes = 0;
    const handle = await open(temporary, 'w');
    try {
      const reader = blob.stream().getReader();
      options.onProgress?.({ kind: 'download', repo: repo.name, path: entry.path, bytes: 0, totalBytes: entry.size });
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new HubRequestError(
            `${describeHubRepo(repo)} file "${entry.path}": the download stopped after ${bytes} of ${entry.size} bytes (${reason})`,
            { cause: error },
          );
        }
        if (chunk.done) break;
        await handle.write(chunk.value);
        sha256.update(chunk.value);
        gitOid.update(chunk.value);
        bytes += chunk.value.length;
        if (bytes < entry.size) options.onProgress?.({ kind: 'download', repo: repo.name, path: entry.path, bytes, totalBytes: entry.size });
      }
    } finally {
      await handle.close();
    }
    if (bytes !== entry.size) {
      throw new HubRequestError(`${describeHubRepo(repo)} file "${entry.path}": the download was truncated: got ${bytes} of ${entry.size} bytes`);
    }
    const matches = entry.sha256 !== undefined ? sha256.digest('hex') === entry.sha256 : gitOid.digest('hex') === entry.gitOid;
    if (!matches) {
      throw new HubRequestError(
        `${describeHubRepo(repo)} file "${entry.path}": the downloaded bytes do not match the hub's ${entry.sha256 !== undefined ? 'sha256' : 'git blob id'}`,
      );
    }
    options.onProgress?.({ kind: 'download', repo: repo.name, path: entry.path, bytes, totalBytes: entry.size });
    const result = await options.read(temporary, entry);
    const target = cache.filePath(repo, commit, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(temporary, target);
    return result;
  } finally {
    rmSync(temporary, { force: true });
  }
}
