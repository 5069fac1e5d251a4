import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export type RepoType = 'dataset' | 'model';

/** One file of a commit. Content is kept in memory: the stand-in is meant for test-sized repositories. */
export interface StoredFile {
  content: Buffer;
  /** Git blob id of what git stores: the file itself, or its LFS pointer for an LFS file. */
  gitOid: string;
  sha256: string;
  lfs: boolean;
}

export interface Commit {
  oid: string;
  parent: string | null;
  title: string;
  date: string;
  files: ReadonlyMap<string, StoredFile>;
}

export interface Repository {
  type: RepoType;
  /** `owner/name` */
  name: string;
  private: boolean;
  /** Where the files of `main` are mirrored on disk. */
  folder: string;
  commits: Map<string, Commit>;
  /** Branch name -> commit oid. */
  refs: Map<string, string>;
}

/** Extensions the hub stores in LFS by default (a subset of its default `.gitattributes`). */
const LFS_EXTENSIONS = [
  '.parquet', '.arrow', '.safetensors', '.bin', '.pt', '.pth', '.ckpt', '.h5', '.onnx', '.npy', '.npz', '.pkl',
  '.msgpack', '.gz', '.zip', '.zst', '.tar', '.7z', '.model', '.tflite',
];
const LFS_SIZE_THRESHOLD = 10 * 1024 * 1024;

export const DEFAULT_GITATTRIBUTES = LFS_EXTENSIONS.map((extension) => `*${extension} filter=lfs diff=lfs merge=lfs -text`).join('\n') + '\n';

/** Whether the hub would store this file in LFS: by extension, by size, or because its first bytes are binary. */
export function isLfsPath(path: string, size: number, sample?: Buffer): boolean {
  if (LFS_EXTENSIONS.some((extension) => path.endsWith(extension))) return true;
  if (size >= LFS_SIZE_THRESHOLD) return true;
  return sample !== undefined && sample.includes(0);
}

export function sha256Hex(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The id git gives a blob: sha1 of `blob <size>\0<content>`. */
export function gitBlobOid(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

export function storedFile(content: Buffer, lfs: boolean): StoredFile {
  const sha256 = sha256Hex(content);
  const gitOid = lfs ? gitBlobOid(Buffer.from(lfsPointer(sha256, content.length))) : gitBlobOid(content);
  return { content, gitOid, sha256, lfs };
}

let commitCounter = 0;

/** A commit id: sha1 over the parent, the title and the tree, plus a counter so two equal commits still differ. */
export function makeCommit(parent: string | null, title: string, files: ReadonlyMap<string, StoredFile>): Commit {
  const hash = createHash('sha1').update(`parent ${parent ?? ''}\ntitle ${title}\ncounter ${commitCounter++}\n`);
  for (const path of [...files.keys()].sort()) hash.update(`${path} ${files.get(path)!.gitOid}\n`);
  return { oid: hash.digest('hex'), parent, title, date: new Date().toISOString(), files };
}

function walkFiles(folder: string): string[] {
  const paths: string[] = [];
  const visit = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) paths.push(relative(folder, full).split(sep).join('/'));
    }
  };
  visit(folder);
  return paths.sort();
}

function typeFolder(type: RepoType): string {
  return type === 'dataset' ? 'datasets' : 'models';
}

export function repositoryKey(type: RepoType, name: string): string {
  return `${typeFolder(type)}/${name}`;
}

/**
 * The repositories the stand-in serves, read from `<root>/datasets/<owner>/<name>/` and `<root>/models/<owner>/<name>/`.
 * What is on disk becomes the first commit of `main`; commits pushed later are kept in memory (every revision stays
 * downloadable) and mirrored to disk, so the folder always shows `main`.
 */
export class RepositoryStore {
  readonly repositories = new Map<string, Repository>();
  /** LFS objects uploaded but not yet committed, by sha256. */
  readonly lfsObjects = new Map<string, Buffer>();

  constructor(
    readonly root: string,
    privateRepos: readonly string[] = [],
  ) {
    for (const type of ['dataset', 'model'] as const) {
      const typeRoot = join(root, typeFolder(type));
      if (!existsSync(typeRoot)) continue;
      for (const owner of readdirSync(typeRoot, { withFileTypes: true })) {
        if (!owner.isDirectory()) continue;
        for (const repo of readdirSync(join(typeRoot, owner.name), { withFileTypes: true })) {
          if (!repo.isDirectory()) continue;
          const name = `${owner.name}/${repo.name}`;
          this.load(type, name, privateRepos.includes(repositoryKey(type, name)));
        }
      }
    }
  }

  private load(type: RepoType, name: string, isPrivate: boolean): void {
    const folder = join(this.root, typeFolder(type), name);
    const files = new Map<string, StoredFile>();
    for (const path of walkFiles(folder)) {
      const content = readFileSync(join(folder, path));
      files.set(path, storedFile(content, isLfsPath(path, content.length, content.subarray(0, 512))));
    }
    const commit = makeCommit(null, 'initial commit', files);
    this.repositories.set(repositoryKey(type, name), {
      type,
      name,
      private: isPrivate,
      folder,
      commits: new Map([[commit.oid, commit]]),
      refs: new Map([['main', commit.oid]]),
    });
  }

  get(type: RepoType, name: string): Repository | undefined {
    return this.repositories.get(repositoryKey(type, name));
  }

  /** Creates an empty repository whose first commit holds the default `.gitattributes`, as the hub does. */
  create(type: RepoType, name: string, isPrivate: boolean, extraFiles: ReadonlyMap<string, Buffer> = new Map()): Repository {
    const folder = join(this.root, typeFolder(type), name);
    const files = new Map<string, StoredFile>([['.gitattributes', storedFile(Buffer.from(DEFAULT_GITATTRIBUTES), false)]]);
    for (const [path, content] of extraFiles) files.set(path, storedFile(content, isLfsPath(path, content.length)));
    const commit = makeCommit(null, 'initial commit', files);
    const repository: Repository = {
      type,
      name,
      private: isPrivate,
      folder,
      commits: new Map([[commit.oid, commit]]),
      refs: new Map([['main', commit.oid]]),
    };
    this.repositories.set(repositoryKey(type, name), repository);
    mirrorToDisk(repository, commit);
    return repository;
  }
}

/** The commit a revision names: a branch, `HEAD` (= main), or a full commit id. */
export function resolveRevision(repository: Repository, revision: string): Commit | undefined {
  const branch = revision === 'HEAD' ? 'main' : revision;
  const oid = repository.refs.get(branch) ?? (/^[0-9a-f]{40}$/.test(revision) ? revision : undefined);
  return oid === undefined ? undefined : repository.commits.get(oid);
}

/** Writes a commit's files into the repository folder (temp file + rename each) and removes the files it dropped. */
export function mirrorToDisk(repository: Repository, commit: Commit): void {
  mkdirSync(repository.folder, { recursive: true });
  for (const path of walkFiles(repository.folder)) {
    if (!commit.files.has(path)) rmSync(join(repository.folder, path));
  }
  for (const [path, file] of commit.files) {
    const target = join(repository.folder, path);
    if (existsSync(target) && statSync(target).size === file.content.length && readFileSync(target).equals(file.content)) continue;
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, file.content);
    renameSync(temporary, target);
  }
}
