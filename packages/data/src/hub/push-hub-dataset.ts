import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, NotFoundError } from '@confide/core';
import { JsonObjectRow, readJsonLines } from '../io/json-lines.js';
import { renderDatasetCard } from './dataset-card.js';
import { commitToHub, ensureHubRepo, listHubPaths } from './hub-commit.js';
import { type HubConnection, hubConnectionFromEnvironment, HubFetch } from './hub-connection.js';
import type { HubProgressListener } from './hub-progress.js';
import type { HubProvenance } from './hub-provenance.js';
import { parseHubRepo } from './hub-repo.js';
import { parquetColumnsOf, type ParquetRow, readParquetRows, writeParquetRows } from './parquet-rows.js';

/** One split of a dataset to publish: its rows, and the Parquet files they came from when they came from Parquet. */
export interface BuiltDatasetSplit {
  name: string;
  rows: ParquetRow[];
  /** Parquet files to upload unchanged (one shard each, with its row count); when absent the rows are written as shards. */
  parquet?: { bytes: Uint8Array; rows: number }[];
}

const SPLIT_NAME = /^\w+(\.\w+)*$/;
const BUILT_FILE = /^([A-Za-z0-9_]+)([-.].*)?\.(jsonl|jsonl\.gz|parquet)$/;

/**
 * Reads a built dataset folder: one split per file stem (`train.jsonl`, `test.jsonl.gz`, `heldout.parquet`, or shards
 * `train-00000-of-00002.parquet`). Parquet files are kept as they are; JSON Lines are read as rows.
 */
export async function readBuiltDataset(folder: string): Promise<BuiltDatasetSplit[]> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new NotFoundError(`dataset folder ${folder} does not exist`);
  const bySplit = new Map<string, { jsonl: string[]; parquet: string[] }>();
  for (const name of readdirSync(folder).sort()) {
    const match = BUILT_FILE.exec(name);
    if (match === null) continue;
    const files = bySplit.get(match[1]!) ?? { jsonl: [], parquet: [] };
    (match[3] === 'parquet' ? files.parquet : files.jsonl).push(name);
    bySplit.set(match[1]!, files);
  }
  if (bySplit.size === 0) {
    throw new NotFoundError(`dataset folder ${folder} has no <split>.jsonl, <split>.jsonl.gz or <split>.parquet files`);
  }
  const splits: BuiltDatasetSplit[] = [];
  for (const [name, files] of bySplit) {
    if (files.jsonl.length > 0 && files.parquet.length > 0) {
      throw new InvalidInputError({ file: join(folder, files.parquet[0]!), problem: `split "${name}" has both JSON Lines and Parquet files; keep one kind` });
    }
    if (files.parquet.length > 0) {
      const rows: ParquetRow[] = [];
      const parquet: { bytes: Uint8Array; rows: number }[] = [];
      for (const file of files.parquet) {
        const bytes = new Uint8Array(readFileSync(join(folder, file)));
        const fileRows = await readParquetRows(bytes, join(folder, file));
        rows.push(...fileRows);
        parquet.push({ bytes, rows: fileRows.length });
      }
      splits.push({ name, rows, parquet });
    } else {
      const rows: ParquetRow[] = [];
      for (const file of files.jsonl) {
        const path = join(folder, file);
        rows.push(...(readJsonLines(path, JsonObjectRow) as ParquetRow[]));
      }
      splits.push({ name, rows });
    }
  }
  return splits;
}

export interface DatasetShard {
  split: string;
  /** `data/<split>-00000-of-00002.parquet`, the layout `datasets` writes and reads. */
  path: string;
  bytes: Uint8Array;
  rows: number;
  sha256: string;
}

function shardPath(split: string, index: number, count: number): string {
  return `data/${split}-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.parquet`;
}

/** The Parquet shards of a dataset: given Parquet files unchanged, rows written in shards of at most `rowsPerShard`. */
export async function buildDatasetShards(splits: readonly BuiltDatasetSplit[], rowsPerShard = 100_000): Promise<DatasetShard[]> {
  const shards: DatasetShard[] = [];
  for (const split of splits) {
    if (!SPLIT_NAME.test(split.name)) throw new InvalidInputError({ field: 'split', problem: `"${split.name}" is not a valid split name` });
    let contents: readonly { bytes: Uint8Array; rows: number }[];
    if (split.parquet !== undefined) {
      contents = split.parquet;
    } else {
      const columns = parquetColumnsOf(split.rows, split.name);
      const count = Math.max(1, Math.ceil(split.rows.length / rowsPerShard));
      const written: { bytes: Uint8Array; rows: number }[] = [];
      for (let index = 0; index < count; index++) {
        const rows = split.rows.slice(index * rowsPerShard, (index + 1) * rowsPerShard);
        written.push({ bytes: await writeParquetRows(rows, { columns }), rows: rows.length });
      }
      contents = written;
    }
    contents.forEach((content, index) => {
      shards.push({
        split: split.name,
        path: shardPath(split.name, index, contents.length),
        bytes: content.bytes,
        rows: content.rows,
        sha256: createHash('sha256').update(content.bytes).digest('hex'),
      });
    });
  }
  return shards;
}

export interface PushHubDatasetOptions {
  /** `owner/name` */
  repo: string;
  splits: readonly BuiltDatasetSplit[];
  provenance: HubProvenance;
  title?: string;
  description?: string;
  license?: string;
  tags?: string[];
  rowsPerShard?: number;
  private?: boolean;
  branch?: string;
  connection?: HubConnection;
  onProgress?: HubProgressListener;
}

export interface PushedHubDataset {
  repo: string;
  commit: string;
  url: string;
  files: { path: string; sha256: string; bytes: number; rows: number }[];
  card: string;
}

/**
 * Publishes a dataset: Parquet shards under `data/` plus a dataset card (YAML metadata with features, splits, data
 * files and provenance), in one commit. Shards of the pushed splits left from an earlier push are deleted in the
 * same commit, so the repository holds exactly this dataset.
 */
export async function pushHubDataset(options: PushHubDatasetOptions): Promise<PushedHubDataset> {
  const repo = parseHubRepo(options.repo, 'dataset');
  const connection = options.connection ?? hubConnectionFromEnvironment();
  const shards = await buildDatasetShards(options.splits, options.rowsPerShard);
  const columns = parquetColumnsOf(options.splits.flatMap((split) => split.rows));
  const card = renderDatasetCard({
    repo: repo.name,
    title: options.title,
    description: options.description,
    license: options.license,
    tags: options.tags,
    columns,
    provenance: options.provenance,
    splits: options.splits.map((split) => {
      const files = shards.filter((shard) => shard.split === split.name);
      return {
        name: split.name,
        rows: files.reduce((sum, shard) => sum + shard.rows, 0),
        bytes: files.reduce((sum, shard) => sum + shard.bytes.length, 0),
        files: files.map((shard) => ({ path: shard.path, sha256: shard.sha256, rows: shard.rows })),
      };
    }),
  });

  const hubFetch = new HubFetch(connection.fetch);
  await ensureHubRepo({ repo, connection, hubFetch, createIfMissing: true, private: options.private });
  const existing = await listHubPaths({ repo, connection, hubFetch, folder: 'data', revision: options.branch });
  const pushedPaths = new Set(shards.map((shard) => shard.path));
  const stale = existing.filter(
    (path) => !pushedPaths.has(path) && options.splits.some((split) => path.startsWith(`data/${split.name}-`) && path.endsWith('.parquet')),
  );
  const result = await commitToHub(
    {
      repo,
      connection,
      branch: options.branch,
      title: `Publish dataset (${shards.length} Parquet shard${shards.length === 1 ? '' : 's'})`,
      description: `Built by ${options.provenance.builtBy}${options.provenance.gitCommit ? ` at ${options.provenance.gitCommit}` : ''}`,
      files: [
        ...shards.map((shard) => ({ path: shard.path, content: new Blob([shard.bytes]) })),
        { path: 'README.md', content: new Blob([card]) },
      ],
      deletePaths: stale,
      repoEnsured: true,
      onProgress: options.onProgress,
    },
    hubFetch,
  );
  return {
    ...result,
    files: shards.map((shard) => ({ path: shard.path, sha256: shard.sha256, bytes: shard.bytes.length, rows: shard.rows })),
    card,
  };
}
