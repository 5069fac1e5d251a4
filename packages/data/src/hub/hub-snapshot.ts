import { NotFoundError } from '@confide/core';
import { assertSafeRepoPath, defaultHubCacheFolder, HubCache, type HubFileEntry, type HubListing } from './hub-cache.js';
import { type HubConnection, hubConnectionFromEnvironment, HubFetch, hubFailure, HubRequestError } from './hub-connection.js';
import { downloadToCache } from './hub-download.js';
import { hubLibrary } from './hub-library.js';
import type { HubProgressListener } from './hub-progress.js';
import { describeHubRepo, type HubRepo, isCommitId } from './hub-repo.js';

export interface PullHubSnapshotOptions<Result> {
  repo: HubRepo;
  /** A branch, tag or commit id; `main` by default. */
  revision?: string;
  /** Read the cache only; never contact the hub (fails clearly when something is not cached). */
  offline?: boolean;
  /** Ask the hub what a branch or tag points to now, instead of reusing the commit it resolved to last time. */
  refresh?: boolean;
  /** Cache root; {@link defaultHubCacheFolder} by default. */
  cacheFolder?: string;
  /** Hub URL and token; from the environment (`HF_ENDPOINT`, `HF_TOKEN`) by default. */
  connection?: HubConnection;
  /** Picks the files to fetch from the full listing (all by default); may throw when a requested file is missing. */
  select?: (files: readonly HubFileEntry[], listing: HubListing) => HubFileEntry[];
  /** Reads one file (from the cache, or from its verified download before it enters the cache). */
  read: (file: string, entry: HubFileEntry) => Promise<Result>;
  onProgress?: HubProgressListener;
}

export interface HubSnapshotFile<Result> {
  entry: HubFileEntry;
  /** The file in the cache. */
  file: string;
  result: Result;
}

export interface HubSnapshot<Result> {
  repo: HubRepo;
  /** The revision asked for. */
  revision: string;
  /** The commit it resolved to: record it, and pass it as the revision to get exactly these files again. */
  commit: string;
  hubUrl: string;
  /** The snapshot folder: the repository's files at `commit`, laid out as on the hub. */
  folder: string;
  listing: HubListing;
  files: HubSnapshotFile<Result>[];
  /** True when the pull sent no request at all (everything came from the cache). */
  fromCache: boolean;
}

function listingFromHub(repo: HubRepo, commit: string, hubUrl: string, entries: { type: string; path: string; size: number; oid?: string; lfs?: { oid: string } }[]): HubListing {
  const files: HubFileEntry[] = [];
  for (const entry of entries) {
    if (entry.type !== 'file') continue;
    assertSafeRepoPath(entry.path);
    if (entry.oid === undefined) throw new HubRequestError(`${describeHubRepo(repo)}@${commit}: the hub listed "${entry.path}" without a git oid`);
    files.push({ path: entry.path, size: entry.size, gitOid: entry.oid, ...(entry.lfs ? { sha256: entry.lfs.oid } : {}) });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { repo: repo.name, type: repo.type, commit, hubUrl, listedAt: new Date().toISOString(), files };
}

/**
 * Brings the files of a hub repository at a revision into the local cache and reads them. The revision is resolved
 * to a commit once and remembered: later pulls of the same revision reuse that commit, its listing and its files
 * and send no request (pass `refresh` to ask the hub where a branch points now). A commit id never moves, so it is
 * served from the cache whenever it is there.
 */
export async function pullHubSnapshot<Result>(options: PullHubSnapshotOptions<Result>): Promise<HubSnapshot<Result>> {
  const { repo } = options;
  const revision = options.revision ?? 'main';
  const connection = options.connection ?? hubConnectionFromEnvironment();
  const cache = new HubCache(options.cacheFolder ?? defaultHubCacheFolder(), connection.hubUrl);
  const offline = options.offline === true;
  let requested = false;
  const hubFetch = new HubFetch(connection.fetch);
  /** Every request goes through here, so an offline pull provably sends none. */
  const online = () => {
    if (offline) throw new Error('internal: a request was about to be sent in offline mode');
    requested = true;
    return { connection, hubFetch };
  };

  // 1. the commit
  let commit: string | undefined;
  let cachedRef = false;
  if (isCommitId(revision) && cache.readListing(repo, revision) !== undefined) commit = revision;
  else if (!options.refresh || offline) {
    commit = cache.readRef(repo, revision)?.commit;
    cachedRef = commit !== undefined;
  }
  if (commit === undefined && offline) {
    throw new NotFoundError(`offline: ${describeHubRepo(repo)}@${revision} is not in the cache at ${cache.folder}; pull it once without --offline`);
  }
  if (commit === undefined) {
    online();
    const { datasetInfo, modelInfo } = await hubLibrary();
    try {
      const parameters = {
        name: repo.name,
        revision,
        hubUrl: connection.hubUrl,
        accessToken: connection.accessToken,
        fetch: hubFetch.fetch,
        additionalFields: ['sha' as const],
      };
      const info = repo.type === 'dataset' ? await datasetInfo(parameters) : await modelInfo(parameters);
      commit = info.sha;
    } catch (error) {
      throw hubFailure(error, { connection, hubFetch, repo, revision, access: 'read' });
    }
    if (!isCommitId(commit)) throw new HubRequestError(`${describeHubRepo(repo)}@${revision}: the hub answered a commit id that is not one: "${commit}"`);
  }

  // 2. the listing of that commit
  let listing = cache.readListing(repo, commit);
  if (listing === undefined) {
    if (offline) throw new NotFoundError(`offline: the file listing of ${describeHubRepo(repo)}@${commit} is not in the cache at ${cache.folder}`);
    online();
    const { listFiles } = await hubLibrary();
    const entries = [];
    try {
      for await (const entry of listFiles({
        repo: { type: repo.type, name: repo.name },
        recursive: true,
        revision: commit,
        hubUrl: connection.hubUrl,
        accessToken: connection.accessToken,
        fetch: hubFetch.fetch,
      })) {
        entries.push(entry);
      }
    } catch (error) {
      throw hubFailure(error, { connection, hubFetch, repo, revision: commit, access: 'read' });
    }
    listing = listingFromHub(repo, commit, connection.hubUrl, entries);
    cache.writeListing(repo, listing);
  }
  if (!isCommitId(revision) && (!cachedRef || options.refresh)) cache.writeRef(repo, revision, commit);
  options.onProgress?.({ kind: 'resolve', repo: repo.name, revision, commit, cached: cachedRef });

  // 3. the files
  const selected = options.select ? options.select(listing.files, listing) : [...listing.files];
  cache.removeStaleDownloads(repo);
  const files: HubSnapshotFile<Result>[] = [];
  for (const entry of selected) {
    const file = cache.filePath(repo, commit, entry.path);
    if (cache.hasFile(repo, commit, entry)) {
      options.onProgress?.({ kind: 'cached', repo: repo.name, path: entry.path, totalBytes: entry.size });
      files.push({ entry, file, result: await options.read(file, entry) });
      continue;
    }
    if (offline) {
      throw new NotFoundError(`offline: "${entry.path}" of ${describeHubRepo(repo)}@${commit} is not in the cache at ${cache.folder}; pull it once without --offline`);
    }
    online();
    const result = await downloadToCache({ connection, hubFetch, cache, repo, commit, entry, read: options.read, onProgress: options.onProgress });
    files.push({ entry, file, result });
  }
  return {
    repo,
    revision,
    commit,
    hubUrl: listing.hubUrl,
    folder: cache.snapshotFolder(repo, commit),
    listing,
    files,
    fromCache: !requested,
  };
}
