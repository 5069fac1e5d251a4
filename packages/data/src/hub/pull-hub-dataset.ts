import { readFileSync } from 'node:fs';
import { InvalidInputError, NotFoundError } from '@confide/core';
import { sha256OfFile } from '../io/file-chunks.js';
import { JsonObjectRow, parseJsonLine } from '../io/json-lines.js';
import { forEachLine } from '../io/line-reader.js';
import type { HubFileEntry, HubListing } from './hub-cache.js';
import { cardDataFiles, globToRegExp } from './card-data-files.js';
import type { HubConnection } from './hub-connection.js';
import type { HubProgressListener } from './hub-progress.js';
import { parseHubRepo } from './hub-repo.js';
import { pullHubSnapshot } from './hub-snapshot.js';
import { forEachParquetRow } from './parquet-rows.js';
import { type ConfidenceSftExample, hasSeedColumns, mapSeedRows } from './seed-sft-example.js';

export interface PullHubDatasetOptions {
  /** `owner/name`, e.g. `HuggingFaceH4/MATH-500` */
  repo: string;
  /** Branch, tag or commit id; `main` by default. */
  revision?: string;
  /** Only this split (as the card's `configs` or the file names define them: train, test, validation, ...). */
  split?: string;
  /** The card config whose data files to read (`default` when the card has one). */
  config?: string;
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

/**
 * The rows of a downloaded data file, read from the cache a row at a time (JSON Lines a line at a time, gunzipped when
 * its name ends in `.gz`; Parquet a row group at a time); a bad row fails naming `name` (the repository's path).
 */
async function downloadedRows(file: string, name: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  if (name.endsWith('.parquet')) await forEachParquetRow(file, (row) => rows.push(row), name);
  else {
    forEachLine(file, (line, lineNumber, terminated) => {
      if (line.trim() !== '') rows.push(parseJsonLine(line, name, lineNumber, JsonObjectRow, !terminated));
    });
  }
  return rows;
}

/** A data file to fetch, with the split it belongs to. */
interface SelectedFile {
  entry: HubFileEntry;
  split: string;
}

/**
 * Which data files make up which split: the card's `configs` data files when it declares them, else the naming
 * convention ({@link splitOfHubPath}). Per split, Parquet files win over JSON Lines ones (a repository that has
 * both holds the same rows twice).
 */
export function assignSplits(listing: HubListing, card: string | undefined, config?: string): Map<string, HubFileEntry[]> {
  const where = `dataset ${listing.repo}@${listing.commit}`;
  const splits = new Map<string, HubFileEntry[]>();
  const declared = cardDataFiles(card, config, `${listing.repo}/README.md`);
  if (declared !== undefined) {
    for (const { split, patterns } of declared) {
      const expressions = patterns.map(globToRegExp);
      const matched = listing.files.filter((entry) => expressions.some((expression) => expression.test(entry.path)));
      if (matched.length === 0) throw new NotFoundError(`${where}: the card's data files for split "${split}" (${patterns.join(', ')}) match no file`);
      const readable = matched.filter((entry) => isHubDataFile(entry.path));
      if (readable.length === 0) {
        throw new InvalidInputError({ file: `${listing.repo}/${matched[0]!.path}`, problem: `split "${split}" is stored in a format Confide does not read (Parquet and JSON Lines only)` });
      }
      splits.set(split, [...(splits.get(split) ?? []), ...readable]);
    }
  } else {
    for (const entry of listing.files.filter((file) => isHubDataFile(file.path))) {
      const split = splitOfHubPath(entry.path);
      splits.set(split, [...(splits.get(split) ?? []), entry]);
    }
  }
  for (const [split, files] of splits) {
    const parquet = files.filter((entry) => entry.path.endsWith('.parquet'));
    if (parquet.length > 0) splits.set(split, parquet);
  }
  return splits;
}

/** Picks the data files to fetch: the requested ones, or every file of every split (or of the one asked for). */
function selectDataFiles(listing: HubListing, card: string | undefined, options: PullHubDatasetOptions): SelectedFile[] {
  const where = `dataset ${listing.repo}@${listing.commit}`;
  const splits = assignSplits(listing, card, options.config);
  const splitOf = (path: string) => [...splits].find(([, files]) => files.some((entry) => entry.path === path))?.[0] ?? splitOfHubPath(path);
  if (options.files !== undefined && options.files.length > 0) {
    const dataFiles = listing.files.filter((entry) => isHubDataFile(entry.path));
    return options.files.map((path) => {
      const entry = listing.files.find((candidate) => candidate.path === path);
      if (entry === undefined) {
        throw new NotFoundError(`${where} has no file "${path}" (data files: ${dataFiles.map((file) => file.path).join(', ') || 'none'})`);
      }
      if (!isHubDataFile(path)) throw new InvalidInputError({ file: `${listing.repo}/${path}`, problem: 'is not a Parquet or JSON Lines file' });
      return { entry, split: splitOf(path) };
    });
  }
  if (splits.size === 0) {
    throw new NotFoundError(`${where} has no Parquet or JSON Lines data files (files: ${listing.files.map((file) => file.path).join(', ') || 'none'})`);
  }
  if (options.split !== undefined && !splits.has(options.split)) {
    throw new NotFoundError(`${where} has no split "${options.split}" (splits: ${[...splits.keys()].join(', ')})`);
  }
  return [...splits]
    .filter(([split]) => options.split === undefined || split === options.split)
    .flatMap(([split, files]) => files.map((entry) => ({ entry, split })));
}

interface ReadFile {
  sha256: string;
  rows: Record<string, unknown>[];
}

/**
 * Pulls a dataset repository from the hub (or the cache): resolves the revision to a commit, reads the card
 * (README.md) for the split layout, downloads the Parquet or JSON Lines shards, reads them, and maps the seed's
 * annotated columns to Confide's tokens.
 * The result names the exact commit and file hashes, for the run manifest.
 */
export async function pullHubDataset(options: PullHubDatasetOptions): Promise<PulledHubDataset> {
  const repo = parseHubRepo(options.repo, 'dataset');
  const common = {
    repo,
    offline: options.offline,
    cacheFolder: options.cacheFolder,
    connection: options.connection,
  };
  // 1. resolve the revision and read the card, which may say which files make up which split
  const cardSnapshot = await pullHubSnapshot<string>({
    ...common,
    revision: options.revision,
    refresh: options.refresh,
    onProgress: options.onProgress,
    select: (files) => files.filter((entry) => entry.path === 'README.md'),
    read: async (file) => readFileSync(file, 'utf8'),
  });
  const card = cardSnapshot.files[0]?.result;
  // 2. the data files of that same commit (its listing is cached now, so this asks only for the files)
  let selected: SelectedFile[] = [];
  const snapshot = await pullHubSnapshot<ReadFile>({
    ...common,
    revision: cardSnapshot.commit,
    onProgress: options.onProgress && ((event) => event.kind !== 'resolve' && options.onProgress!(event)),
    select: (_files, listing) => {
      selected = selectDataFiles(listing, card, options);
      return selected.map(({ entry }) => entry);
    },
    read: async (file, entry) => ({ sha256: sha256OfFile(file), rows: await downloadedRows(file, `${repo.name}/${entry.path}`) }),
  });

  const splits: PulledHubSplit[] = [];
  snapshot.files.forEach(({ entry, result }, index) => {
    const name = selected[index]!.split;
    let split = splits.find((candidate) => candidate.name === name);
    if (split === undefined) {
      split = { name, files: [], rows: [], examples: undefined };
      splits.push(split);
    }
    split.files.push(entry.path);
    split.rows.push(...result.rows);
  });
  for (const split of splits) {
    if (!hasSeedColumns(split.rows)) continue;
    split.examples = snapshot.files
      .filter((_file, index) => selected[index]!.split === split.name)
      .flatMap(({ entry, result }) => mapSeedRows(result.rows, `${repo.name}/${entry.path}`));
  }
  return {
    source: {
      kind: 'hub',
      hubUrl: snapshot.hubUrl,
      repo: repo.name,
      revision: cardSnapshot.revision,
      commit: snapshot.commit,
      split: options.split,
      files: snapshot.files.map(({ entry, result }) => ({ path: entry.path, sha256: result.sha256, rows: result.rows.length })),
    },
    reference: `hf://datasets/${repo.name}@${snapshot.commit}`,
    folder: snapshot.folder,
    card,
    splits,
    fromCache: cardSnapshot.fromCache && snapshot.fromCache,
  };
}
