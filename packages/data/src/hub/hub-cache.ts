import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '@confide/core';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic-write.js';
import { describeZodIssue } from '../io/json-lines.js';
import { confideCacheFolder } from '../cache-folder.js';
import { hubRepoFolder, type HubRepo } from './hub-repo.js';

/** One file of a repository at a commit, as the hub lists it. */
export const HubFileEntry = z.strictObject({
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  /** Git blob id of what git stores (the LFS pointer for an LFS file). */
  gitOid: z.string().regex(/^[0-9a-f]{40}$/),
  /** sha256 of the content, for LFS files (the hub lists it); absent for files stored in git. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type HubFileEntry = z.infer<typeof HubFileEntry>;

/** The full file listing of a repository at one commit. A commit never changes, so neither does its listing. */
export const HubListing = z.strictObject({
  repo: z.string(),
  type: z.enum(['dataset', 'model']),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  hubUrl: z.string(),
  listedAt: z.string(),
  files: z.array(HubFileEntry),
});
export type HubListing = z.infer<typeof HubListing>;

const HubRef = z.strictObject({ commit: z.string().regex(/^[0-9a-f]{40}$/), resolvedAt: z.string() });
export type HubRef = z.infer<typeof HubRef>;

/** `CONFIDE_HUB_CACHE`, else `hub/` in Confide's cache folder (the user's cache directory, never the checkout). */
export function defaultHubCacheFolder(): string {
  return process.env['CONFIDE_HUB_CACHE'] ?? join(confideCacheFolder(), 'hub');
}

/** A repository path is used as a file path in the cache: refuse anything that could leave the snapshot folder. */
export function assertSafeRepoPath(path: string): void {
  const segments = path.split('/');
  if (path.includes('\\') || path.includes('\0') || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new InvalidInputError({ field: 'path', problem: `the hub listed a file path that is not safe to store: "${path}"` });
  }
}

function readValidated<Schema extends z.ZodType>(file: string, schema: Schema): z.infer<Schema> | undefined {
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidInputError({ file, problem: `cache file is not valid JSON (${(error as Error).message}); delete it to re-download` });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError({ file, ...describeZodIssue(parsed.error) });
  return parsed.data;
}

/** The cache folder of one hub: its host (`huggingface.co`, `127.0.0.1_8080`), so two hubs never share refs. */
export function hubCacheKey(hubUrl: string): string {
  return new URL(hubUrl).host.replace(/[^A-Za-z0-9.-]/g, '_');
}

/**
 * The local copy of hub repositories, keyed by hub, repository and resolved commit:
 *
 * ```
 * <root>/<hub host>/<datasets|models>/<owner>/<name>/
 *   refs/<revision>.json       the commit a branch or tag resolved to, and when
 *   listings/<commit>.json     every file of the repository at that commit (path, size, git oid, sha256)
 *   snapshots/<commit>/<path>  downloaded files, each verified against the listing before it is renamed into place
 *   tmp/                       downloads in progress (<pid>-<id>.part), removed on failure
 * ```
 *
 * Nothing in `snapshots/` is ever partial: a file appears there only by a rename after its size and hash matched.
 */
export class HubCache {
  /** The folder of this hub inside the cache root. */
  readonly folder: string;

  constructor(
    readonly root: string,
    readonly hubUrl: string,
  ) {
    this.folder = join(root, hubCacheKey(hubUrl));
  }

  repoFolder(repo: HubRepo): string {
    return join(this.folder, hubRepoFolder(repo), ...repo.name.split('/'));
  }

  snapshotFolder(repo: HubRepo, commit: string): string {
    return join(this.repoFolder(repo), 'snapshots', commit);
  }

  filePath(repo: HubRepo, commit: string, path: string): string {
    assertSafeRepoPath(path);
    return join(this.snapshotFolder(repo, commit), ...path.split('/'));
  }

  temporaryFolder(repo: HubRepo): string {
    return join(this.repoFolder(repo), 'tmp');
  }

  private refFile(repo: HubRepo, revision: string): string {
    return join(this.repoFolder(repo), 'refs', `${encodeURIComponent(revision)}.json`);
  }

  private listingFile(repo: HubRepo, commit: string): string {
    return join(this.repoFolder(repo), 'listings', `${commit}.json`);
  }

  readRef(repo: HubRepo, revision: string): HubRef | undefined {
    return readValidated(this.refFile(repo, revision), HubRef);
  }

  writeRef(repo: HubRepo, revision: string, commit: string): void {
    const ref: HubRef = { commit, resolvedAt: new Date().toISOString() };
    writeFileAtomic(this.refFile(repo, revision), `${JSON.stringify(ref, null, 2)}\n`);
  }

  readListing(repo: HubRepo, commit: string): HubListing | undefined {
    return readValidated(this.listingFile(repo, commit), HubListing);
  }

  writeListing(repo: HubRepo, listing: HubListing): void {
    writeFileAtomic(this.listingFile(repo, listing.commit), `${JSON.stringify(listing, null, 2)}\n`);
  }

  /** Whether the file is in the snapshot with the listed size (it was verified before it was renamed there). */
  hasFile(repo: HubRepo, commit: string, entry: HubFileEntry): boolean {
    const file = this.filePath(repo, commit, entry.path);
    return existsSync(file) && statSync(file).size === entry.size;
  }

  /** Removes downloads left in `tmp/` by processes that no longer run (a killed pull). */
  removeStaleDownloads(repo: HubRepo): void {
    const folder = this.temporaryFolder(repo);
    if (!existsSync(folder)) return;
    for (const name of readdirSync(folder)) {
      const pid = Number(/^(\d+)-/.exec(name)?.[1]);
      if (!Number.isInteger(pid) || !processIsRunning(pid)) rmSync(join(folder, name), { force: true });
    }
  }

  /** The files left in `tmp/` (tests assert there are none after a failed pull). */
  pendingDownloads(repo: HubRepo): string[] {
    const folder = this.temporaryFolder(repo);
    return existsSync(folder) ? readdirSync(folder) : [];
  }

  ensureTemporaryFolder(repo: HubRepo): string {
    const folder = this.temporaryFolder(repo);
    mkdirSync(folder, { recursive: true });
    return folder;
  }
}

function processIsRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
