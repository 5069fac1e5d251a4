import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfideError, type PriceTable, type Problem } from '@confide/core';
import { MANIFEST_FILE, SFT_RUN_FOLDER, writeFileAtomic } from '@confide/data';
import { canonicalJson } from '@confide/inference';
import { z } from 'zod';
import { idsSha256, type ShardSpec } from './shard-partition.js';

/** The file a shard's run folder holds from its start: which shard it is and what run it is a part of. */
export const SHARD_MANIFEST_FILE = 'shard.json';

/** What every shard of one run must share: a merge refuses shards that differ in any of these. */
export const RunIdentity = z.strictObject({
  /** sha256 of the experiment's canonical JSON (the run's `run-config.json`). */
  configSha256: z.string(),
  /** sha256 of the price table's canonical JSON (the run's `price-table.json`). */
  priceTableSha256: z.string(),
  /** sha256 of the whole dataset (after `limit`): each problem's canonical JSON, one per line, in order. */
  datasetSha256: z.string(),
  /** How many problems the whole dataset has. */
  datasetProblems: z.number().int().nonnegative(),
  /** `confide <version>` of the command that ran the shard. */
  confideVersion: z.string(),
});
export type RunIdentity = z.infer<typeof RunIdentity>;

export const ShardManifest = z.strictObject({
  schemaVersion: z.literal(1),
  /** What the shards make: a live run's run folder, or a dataset build's graded answers (`merge` writes the SFT files). */
  kind: z.enum(['live', 'dataset', 'regrade']).default('live'),
  /** A dataset build's name (its records' run id and its card's title); a regrade's run as it was named. */
  name: z.string().optional(),
  /** A regrade's run: a bundled id or an absolute path. */
  source: z.string().optional(),
  /** 1-based. */
  index: z.number().int().positive(),
  count: z.number().int().positive(),
  /** How many problems this shard holds. */
  problems: z.number().int().nonnegative(),
  /** sha256 of the shard's problem ids, one per line, in the dataset's order. */
  idsHash: z.string(),
  identity: RunIdentity,
  /** The experiment folder the shard was run from (absolute): `merge` loads its plugins from there by default. */
  experimentFolder: z.string().optional(),
});
export type ShardManifest = z.infer<typeof ShardManifest>;

/** The identity of a run over `problems` (the whole dataset) with `experiment` and `prices`. */
export function runIdentity(input: { experiment: unknown; prices: PriceTable; problems: readonly unknown[]; confideVersion: string }): RunIdentity {
  const dataset = createHash('sha256');
  for (const problem of input.problems) dataset.update(canonicalJson(problem) + '\n');
  return {
    configSha256: createHash('sha256').update(canonicalJson(input.experiment)).digest('hex'),
    priceTableSha256: createHash('sha256').update(canonicalJson(input.prices)).digest('hex'),
    datasetSha256: dataset.digest('hex'),
    datasetProblems: input.problems.length,
    confideVersion: input.confideVersion,
  };
}

export function shardManifest(shard: ShardSpec, shardProblems: ReadonlyArray<Pick<Problem, 'id'>>, identity: RunIdentity, experimentFolder?: string): ShardManifest {
  return {
    schemaVersion: 1,
    kind: 'live',
    index: shard.index,
    count: shard.count,
    problems: shardProblems.length,
    idsHash: idsSha256(shardProblems.map((problem) => problem.id)),
    identity,
    ...(experimentFolder !== undefined ? { experimentFolder } : {}),
  };
}

export function writeShardManifest(runFolder: string, manifest: ShardManifest): void {
  writeFileAtomic(join(runFolder, SHARD_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/** A shard folder's `shard.json`; a folder without one (not a shard's run) or with a bad one is a coded error. */
export function readShardManifest(runFolder: string): ShardManifest {
  const path = join(runFolder, SHARD_MANIFEST_FILE);
  if (!existsSync(path)) throw new ConfideError('SHARD_NOT_FOUND', `${runFolder}: no ${SHARD_MANIFEST_FILE}: not the run folder of a shard (confide run <experiment> --shard i/n)`);
  const parsed = ShardManifest.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new ConfideError('SHARD_NOT_FOUND', `${path}: not a shard manifest: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** A shard's run folder as a merge or `status` sees it. */
export interface ShardFolder {
  folder: string;
  manifest: ShardManifest;
  /** Its run completed (it holds manifest.json). */
  finished: boolean;
}

/** Where a shard's folder holds the run's graded answers: the folder itself (live), or `run/` (a dataset build's). */
export function shardRunFolder(shard: { folder: string; manifest: ShardManifest }): string {
  return shard.manifest.kind === 'dataset' ? join(shard.folder, SFT_RUN_FOLDER) : shard.folder;
}

export function readShardFolder(folder: string): ShardFolder {
  const manifest = readShardManifest(folder);
  // a regrade's report folder is written whole: it exists only finished
  const finished = manifest.kind === 'regrade' || existsSync(join(shardRunFolder({ folder, manifest }), MANIFEST_FILE));
  return { folder, manifest, finished };
}
