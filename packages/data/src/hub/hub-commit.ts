import { InvalidConfigError, NotFoundError } from '@confide/core';
import type { CommitOperation } from '@huggingface/hub';
import { type HubConnection, HubFetch, hubFailure, HubRequestError } from './hub-connection.js';
import { hubLibrary, isHubApiError } from './hub-library.js';
import type { HubProgressListener } from './hub-progress.js';
import { describeHubRepo, type HubRepo, hubRepoUrl } from './hub-repo.js';

export interface HubUploadFile {
  /** Path in the repository. */
  path: string;
  /** The bytes, or a `file:` URL the library streams from disk. */
  content: Blob | URL;
}

export interface CommitToHubOptions {
  repo: HubRepo;
  files: readonly HubUploadFile[];
  /** Repository paths to delete in the same commit. */
  deletePaths?: readonly string[];
  title: string;
  description?: string;
  connection: HubConnection;
  /** `main` by default. */
  branch?: string;
  /** Create the repository when it does not exist (true by default), private when `private`. */
  createIfMissing?: boolean;
  /** Skip the existence check (the caller already called {@link ensureHubRepo}). */
  repoEnsured?: boolean;
  private?: boolean;
  onProgress?: HubProgressListener;
}

export interface HubCommitResult {
  repo: string;
  commit: string;
  /** The repository page. */
  url: string;
}

/** Pushing needs a token; say so before any request is sent. */
export function requireWriteToken(connection: HubConnection, repo: HubRepo): string {
  if (connection.accessToken === undefined) {
    throw new InvalidConfigError(`pushing to ${describeHubRepo(repo)} needs HF_TOKEN: set it to a token with write access`);
  }
  return connection.accessToken;
}

/** Creates the repository unless it exists. */
export async function ensureHubRepo(options: {
  repo: HubRepo;
  connection: HubConnection;
  hubFetch: HubFetch;
  createIfMissing: boolean;
  private?: boolean;
}): Promise<void> {
  const { repo, connection, hubFetch } = options;
  const accessToken = requireWriteToken(connection, repo);
  const context = { connection, hubFetch, repo, access: 'write' as const };
  const { createRepo, repoExists } = await hubLibrary();
  try {
    const exists = await repoExists({ repo, hubUrl: connection.hubUrl, accessToken, fetch: hubFetch.fetch });
    if (exists) return;
    if (!options.createIfMissing) throw new NotFoundError(`there is no ${describeHubRepo(repo)} on ${connection.hubUrl} (or HF_TOKEN cannot see it)`);
    await createRepo({ repo, hubUrl: connection.hubUrl, accessToken, fetch: hubFetch.fetch, ...(options.private ? { visibility: 'private' as const } : {}) });
  } catch (error) {
    // created meanwhile by someone else: fine
    if (isHubApiError(error) && error.statusCode === 409) return;
    throw hubFailure(error, context);
  }
}

/** The paths of a repository's files under `folder` at `revision` (none when the folder does not exist). */
export async function listHubPaths(options: { repo: HubRepo; connection: HubConnection; hubFetch: HubFetch; folder: string; revision?: string }): Promise<string[]> {
  const { repo, connection, hubFetch } = options;
  const paths: string[] = [];
  const { listFiles } = await hubLibrary();
  try {
    for await (const entry of listFiles({
      repo,
      path: options.folder,
      recursive: true,
      revision: options.revision,
      hubUrl: connection.hubUrl,
      accessToken: connection.accessToken,
      fetch: hubFetch.fetch,
    })) {
      if (entry.type === 'file') paths.push(entry.path);
    }
  } catch (error) {
    if (isHubApiError(error) && error.statusCode === 404 && hubFetch.errorCodeFor(error.url) === 'EntryNotFound') return [];
    throw hubFailure(error, { connection, hubFetch, repo, revision: options.revision, access: 'read' });
  }
  return paths;
}

/**
 * Uploads files (and deletes paths) in one commit through `@huggingface/hub`'s commit API: preupload decides
 * what goes to LFS, LFS objects are uploaded, then one commit is made. Progress goes to `onProgress`.
 */
export async function commitToHub(options: CommitToHubOptions, hubFetch = new HubFetch(options.connection.fetch)): Promise<HubCommitResult> {
  const { repo, connection } = options;
  const accessToken = requireWriteToken(connection, repo);
  if (!options.repoEnsured) {
    await ensureHubRepo({ repo, connection, hubFetch, createIfMissing: options.createIfMissing ?? true, private: options.private });
  }
  const operations: CommitOperation[] = [
    ...options.files.map((file) => ({ operation: 'addOrUpdate' as const, path: file.path, content: file.content })),
    ...(options.deletePaths ?? []).map((path) => ({ operation: 'delete' as const, path })),
  ];
  const { commitIter } = await hubLibrary();
  const iterator = commitIter({
    repo,
    operations,
    title: options.title,
    description: options.description,
    branch: options.branch,
    hubUrl: connection.hubUrl,
    accessToken,
    fetch: hubFetch.fetch,
  });
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        const output = next.value;
        if (output === undefined) throw new HubRequestError(`${describeHubRepo(repo)}: the hub did not answer a commit id`);
        options.onProgress?.({ kind: 'commit', repo: repo.name, commit: output.commit.oid });
        return { repo: repo.name, commit: output.commit.oid, url: hubRepoUrl(connection.hubUrl, repo) };
      }
      const event = next.value;
      if (event.event === 'fileProgress') {
        if (event.state === 'error') throw new HubRequestError(`${describeHubRepo(repo)}: uploading "${event.path}" failed`);
        options.onProgress?.({ kind: 'upload', repo: repo.name, path: event.path, fraction: event.progress, state: event.state });
      }
    }
  } catch (error) {
    throw hubFailure(error, { connection, hubFetch, repo, revision: options.branch, access: 'write' });
  }
}
