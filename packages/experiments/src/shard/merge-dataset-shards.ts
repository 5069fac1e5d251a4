import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfideError, RunRecord, type PluginRegistry } from '@confide/core';
import {
  forEachJsonLine,
  loadProblems,
  parseSftDatasetConfig,
  PRICE_TABLE_FILE,
  resolvePriceTable,
  SFT_ANSWERS_LOG,
  SFT_CONFIG_FILE,
  writeFileAtomic,
  type HubProvenance,
  type SftDatasetConfig,
  type SftDatasetSummary,
} from '@confide/data';
import { canonicalJson } from '@confide/inference';
import { runDatasetBuild } from '../dataset/run-dataset-build.js';
import { checkRunMatchesShards, checkShardCoverage, checkShardIdentity, checkShardsFinished, shardLabel, shardProblemIdsOf } from './merge-shards.js';
import { readShardFolder, runIdentity } from './shard-manifest.js';
import { logTotals } from './shard-status.js';

export interface MergeDatasetShardsOptions {
  shardFolders: readonly string[];
  /** The dataset's folder: must not hold anything yet. */
  outFolder: string;
  registry: PluginRegistry;
  /** The config's folder (its dataset file and price table are relative to it); default: the one the shards name. */
  baseFolder?: string;
  /** The card's provenance, made once the config is known. */
  provenance: (config: SftDatasetConfig) => HubProvenance;
  command?: string;
  write?: (text: string) => void;
}

export interface MergeDatasetShardsResult {
  name: string;
  summary: SftDatasetSummary;
  spentUsd: number;
  shardSpentUsd: number[];
  files: string[];
}

/**
 * Merges the shards of a dataset build: the same checks as a live run's merge (one build's shards, finished, covering
 * the split's problems once), then their graded answers are joined into one answers log and the build is finished
 * from it through `runDatasetBuild`, sending nothing: balancing runs over the whole set, so the SFT files, card and
 * graded run are those of a build in one piece. Written beside `outFolder` and renamed into place; nothing on an error.
 */
export async function mergeDatasetShards(options: MergeDatasetShardsOptions): Promise<MergeDatasetShardsResult> {
  const shards = options.shardFolders.map(readShardFolder);
  checkShardIdentity(shards);
  const first = shards[0]!;
  if (first.manifest.kind !== 'dataset') throw new ConfideError('SHARD_MISMATCH', `${shardLabel(first)} is a ${first.manifest.kind} shard: merge it with mergeShards`);
  const name = first.manifest.name ?? basename(options.outFolder);
  const configPath = join(first.folder, SFT_CONFIG_FILE);
  const config = parseSftDatasetConfig(JSON.parse(readFileSync(configPath, 'utf8')), configPath);
  const baseFolder = options.baseFolder ?? first.manifest.experimentFolder ?? process.cwd();
  const prices = resolvePriceTable(config.priceTable, baseFolder);
  const all = (await loadProblems(config.split, { baseFolder })).problems;
  const selected = config.limit === undefined ? all : all.slice(0, config.limit);
  checkRunMatchesShards(runIdentity({ experiment: config, prices, problems: selected, confideVersion: first.manifest.identity.confideVersion }), `the dataset config in ${baseFolder}`, first);
  checkShardsFinished(shards);
  checkShardCoverage(
    shards.map((shard) => ({ label: shardLabel(shard), ids: shardProblemIdsOf(shard) })),
    selected.filter((problem) => problem.answer !== null).map((problem) => problem.id),
  );

  const out = options.outFolder;
  if (existsSync(out) && readdirSync(out).length > 0) throw new ConfideError('RUN_EXISTS', `${out} is not empty: merge writes a new dataset folder (choose another --out, or remove it)`);
  const staging = join(dirname(out), `.${basename(out)}.merging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging, { recursive: true });
    writeFileAtomic(join(staging, SFT_CONFIG_FILE), canonicalJson(config) + '\n');
    const lines: string[] = [];
    for (const shard of shards) forEachJsonLine(join(shard.folder, SFT_ANSWERS_LOG), RunRecord, (record) => lines.push(JSON.stringify(record) + '\n'), { allowTruncatedLastLine: true });
    writeFileAtomic(join(staging, SFT_ANSWERS_LOG), lines.join(''));
    const outcome = await runDatasetBuild({
      config,
      registry: options.registry,
      outFolder: staging,
      name,
      provenance: options.provenance(config),
      source: configPath,
      baseFolder,
      resume: true,
      recordedOnly: true,
      cachePath: null,
      command: options.command ?? `confide merge --out ${out}`,
      ...(options.write ? { write: options.write } : {}),
    });
    if (outcome.status !== 'complete') {
      throw new ConfideError('SHARD_COVERAGE', `the shards' answer logs do not hold every graded answer the build needs (${outcome.reason}): resume the shards, then merge again`);
    }
    if (existsSync(out)) rmSync(out, { recursive: true }); // empty (checked above)
    mkdirSync(dirname(out), { recursive: true });
    renameSync(staging, out);
    const shardSpentUsd = shards.map((shard) => {
      const shardPrices = existsSync(join(shard.folder, PRICE_TABLE_FILE)) ? (JSON.parse(readFileSync(join(shard.folder, PRICE_TABLE_FILE), 'utf8')) as typeof prices) : prices;
      return logTotals([join(shard.folder, SFT_ANSWERS_LOG)], shardPrices).spentUsd;
    });
    return { name, summary: outcome.summary, spentUsd: outcome.spentUsd, shardSpentUsd, files: outcome.files.map((file) => (file.startsWith(staging) ? join(out, file.slice(staging.length + 1)) : file)) };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
