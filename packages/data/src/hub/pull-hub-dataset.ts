import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InvalidInputError, NotFoundError } from '@confide/core';
import type { HubFileEntry, HubListing } from './hub-cache.js';
import type { HubConnection } from './hub-connection.js';
import type { HubProgressListener } from './hub-progress.js';
import { parseHubRepo } from './hub-repo.js';
import { pullHubSnapshot } from './hub-snapshot.js';
import { readParquetRows } from './parquet-rows.js';
import { type ConfidenceSftExample, hasSeedColumns, mapSeedRows } from './seed-sft-example.js';

export interface PullHubDatasetOptions {
  /** `owner/name`, e.g. `HuggingFaceH4/MATH-500` */
  repo: string;
  /** Branch, tag or commit id; `main` by default. */
  revision?: string;
  /** Only this split (as named by the data files: train, test, validation, ...). */
  split?: string;
  /** Only these data files (repository paths), instead of every data file. */
  files?: readonly string[];
  offline?: boolean;
  refresh?: boolean;
  cacheFolder?: string;
  connection?: HubConnection;
  onProgress?: HubProgressListener;
}

/** Where a pulled dataset came from, exactly: what a run manifest records to get the same rows again. */
export interface HubDatasetSource {
  kind: 'hub';
  hubUrl: string;
  repo: string;
  revision: string;
  commit: string;
  split: string | undefined;
  files: { path: string; sha256: string; rows: number }[];
}

export interface PulledHubSplit {
  name: string;
  files: string[];
  rows: Record<string, unknown>[];
  /** The rows as training examples with Confide's tokens, when they have the seed's columns (`question`, `tagged_response`). */
  examples: ConfidenceSftExample[] | undefined;
}

export interface PulledHubDataset {
  source: HubDatasetSource;
  /** `hf://datasets/<owner>/<name>@<commit>`: a dataset reference for a run manifest. */
  reference: string;
  /** The cached snapshot folder. */
  folder: string;
  /** The dataset card (README.md), when the repository has one. */
  card: string | undefined;
  splits: PulledHubSplit[];
  /** True when nothing was asked of the hub. */
  fromCache: boolean;
}

const DATA_FILE = /\.(parquet|jsonl|jsonl\.gz|ndjson)$/;

/** Whether a repository file holds rows Confide reads: Parquet or JSON Lines (optionally gzipped). */
export function isHubDataFile(path: string): boolean {
  return DATA_FILE.test(path) && !path.split('/').some((segment) => segment.startsWith('.'));
}

const SPLIT_WORDS: Record<string, string> = {
  train: 'train',
  training: 'train',
  test: 'test',
  testing: 'test',
  eval: 'test',
  evaluation: 'test',
  validation: 'validation',
  valid: 'validation',
  val: 'validation',
  dev: 'validation',
};

/**
 * The split a data file belongs to, by the hub's naming convention: the first word of its path (folders, then the
 * file name, split at `/ _ . -` and digits) that names a split (`data/train-00000-of-00001.parquet` -> train,
 * `test.jsonl` -> test); `train` when none does.
 */
export function splitOfHubPath(path: string): string {
  for (const word of path.toLowerCase().split(/[/_.\-\s0-9]+/)) {
    const split = SPLIT_WORDS[word];
    if (split !== undefined) return split;
  }
  return 'train';
}

function parseJsonLines(bytes: Buffer, name: string): Record<string, unknown>[] {
  const text = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const rows: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InvalidInputError({ file: name, row: index + 1, problem: `not valid JSON (${(error as Error).message})` });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InvalidInputError({ file: name, row: index + 1, problem: 'is not a JSON object' });
    }
    rows.push(value as Record<string, unknown>);
  });
  return rows;
}

/** Picks the data files to fetch: the requested ones, or per split the Parquet files (the JSONL ones if a split has none). */
function selectDataFiles(listing: HubListing, options: PullHubDatasetOptions): HubFileEntry[] {
  const where = `dataset ${listing.repo}@${listing.commit}`;
  const dataFiles = listing.files.filter((entry) => isHubDataFile(entry.path));
  if (options.files !== undefined && options.files.length > 0) {
    return options.files.map((path) => {
      const entry = listing.files.find((candidate) => candidate.path === path);
      if (entry === undefined) {
        throw new NotFoundError(`${where} has no file "${path}" (data files: ${dataFiles.map((file) => file.path).join(', ') || 'none'})`);
      }
      if (!isHubDataFile(path)) throw new InvalidInputError({ file: path, problem: 'is not a Parquet or JSON Lines file' });
      return entry;
    });
  }
  if (dataFiles.length === 0) {
    throw new NotFoundError(`${where} has no Parquet or JSON Lines data files (files: ${listing.files.map((file) => file.path).join(', ') || 'none'})`);
  }
  const splits = [...new Set(dataFiles.map((entry) => splitOfHubPath(entry.path)))];
  if (options.split !== undefined && !splits.includes(options.split)) {
    throw new NotFoundError(`${where} has no split "${options.split}" (splits: ${splits.join(', ')})`);
  }
  return splits
    .filter((split) => options.split === undefined || split === options.split)
    .flatMap((split) => {
      const files = dataFiles.filter((entry) => splitOfHubPath(entry.path) === split);
      const parquet = files.filter((entry) => entry.path.endsWith('.parquet'));
      return parquet.length > 0 ? parquet : files;
    });
}

interface ReadFile {
  sha256: string;
  rows: Record<string, unknown>[] | undefined;
  text: string | undefined;
}

/**
 * Pulls a dataset repository from the hub (or the cache): lists its files at the resolved commit, downloads its
 * Parquet or JSON Lines shards (and README.md), reads them, and maps the seed's annotated columns to Confide's tokens.
 * The result names the exact commit and file hashes, for the run manifest.
 */
export async function pullHubDataset(options: PullHubDatasetOptions): Promise<PulledHubDataset> {
  const repo = parseHubRepo(options.repo, 'dataset');
  const snapshot = await pullHubSnapshot<ReadFile>({
    repo,
    revision: options.revision,
    offline: options.offline,
    refresh: options.refresh,
    cacheFolder: options.cacheFolder,
    connection: options.connection,
    onProgress: options.onProgress,
    select: (files, listing) => {
      const data = selectDataFiles(listing, options);
      const card = files.find((entry) => entry.path === 'README.md');
      return card === undefined ? data : [card, ...data];
    },
    read: async (file, entry) => {
      const bytes = readFileSync(file);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const name = `${repo.name}/${entry.path}`;
      if (entry.path === 'README.md') return { sha256, rows: undefined, text: bytes.toString('utf8') };
      const rows = entry.path.endsWith('.parquet') ? await readParquetRows(bytes, name) : parseJsonLines(bytes, name);
      return { sha256, rows, text: undefined };
    },
  });

  const splits: PulledHubSplit[] = [];
  for (const { entry, result } of snapshot.files) {
    if (result.rows === undefined) continue;
    const name = splitOfHubPath(entry.path);
    let split = splits.find((candidate) => candidate.name === name);
    if (split === undefined) {
      split = { name, files: [], rows: [], examples: undefined };
      splits.push(split);
    }
    split.files.push(entry.path);
    split.rows.push(...result.rows);
  }
  for (const split of splits) {
    if (!hasSeedColumns(split.rows)) continue;
    split.examples = snapshot.files
      .filter(({ entry, result }) => result.rows !== undefined && splitOfHubPath(entry.path) === split.name)
      .flatMap(({ entry, result }) => mapSeedRows(result.rows!, `${repo.name}/${entry.path}`));
  }
  return {
    source: {
      kind: 'hub',
      hubUrl: snapshot.hubUrl,
      repo: repo.name,
      revision: snapshot.revision,
      commit: snapshot.commit,
      split: options.split,
      files: snapshot.files
        .filter(({ result }) => result.rows !== undefined)
        .map(({ entry, result }) => ({ path: entry.path, sha256: result.sha256, rows: result.rows!.length })),
    },
    reference: `hf://datasets/${repo.name}@${snapshot.commit}`,
    folder: snapshot.folder,
    card: snapshot.files.find(({ entry }) => entry.path === 'README.md')?.result.text,
    splits,
    fromCache: snapshot.fromCache,
  };
}
