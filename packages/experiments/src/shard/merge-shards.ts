import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfideError, Problem, RunRecord, type PluginRegistry, type RunLookup } from '@confide/core';
import { forEachJsonLine, loadProblems, PROBLEMS_FILE, resolvePriceTable, RUN_CONFIG_FILE, STAGES_FOLDER, writeFileAtomic } from '@confide/data';
import { canonicalJson } from '@confide/inference';
import type { z } from 'zod';
import { LiveExperiment } from '../live/live-experiment.js';
import type { LiveRunSummary } from '../live/live-run-summary.js';
import { LoggedDecision } from '../live/logged-router.js';
import { runLiveExperiment } from '../live/run-live-experiment.js';
import { stageLogTotals, type StageLogTotals } from './shard-status.js';
import { readShardFolder, runIdentity, shardRunFolder, type RunIdentity, type ShardFolder } from './shard-manifest.js';

export const shardLabel = (shard: ShardFolder) => `${shard.manifest.index}/${shard.manifest.count} (${shard.folder})`;
const IDENTITY_FIELDS = ['configSha256', 'priceTableSha256', 'datasetSha256', 'datasetProblems', 'confideVersion'] as const satisfies ReadonlyArray<keyof RunIdentity>;
const IDENTITY_NAMES: Record<keyof RunIdentity, string> = {
  configSha256: 'experiment config hash',
  priceTableSha256: 'price table hash',
  datasetSha256: 'dataset hash',
  datasetProblems: 'dataset size',
  confideVersion: "Confide's version",
};

/** Every shard is of the same run: the same identity and the same number of shards; else SHARD_MISMATCH naming the field and the shards. */
export function checkShardIdentity(shards: readonly ShardFolder[]): void {
  const [first, ...rest] = shards;
  if (first === undefined) throw new ConfideError('SHARD_NOT_FOUND', 'merge: name the shard folders to merge');
  for (const shard of rest) {
    if (shard.manifest.kind !== first.manifest.kind || shard.manifest.name !== first.manifest.name) {
      throw new ConfideError('SHARD_MISMATCH', `shards differ in what they make: ${shardLabel(first)} is a ${first.manifest.kind} shard${first.manifest.name ? ` of ${first.manifest.name}` : ''}, ${shardLabel(shard)} a ${shard.manifest.kind} shard${shard.manifest.name ? ` of ${shard.manifest.name}` : ''}`);
    }
    for (const field of IDENTITY_FIELDS) {
      if (shard.manifest.identity[field] !== first.manifest.identity[field]) {
        throw new ConfideError(
          'SHARD_MISMATCH',
          `shards differ in ${IDENTITY_NAMES[field]} (${field}): ${shardLabel(first)} has ${first.manifest.identity[field]}, ${shardLabel(shard)} has ${shard.manifest.identity[field]}: they are not shards of one run`,
        );
      }
    }
    if (shard.manifest.count !== first.manifest.count) {
      throw new ConfideError('SHARD_MISMATCH', `shards differ in their number of shards: ${shardLabel(first)} is one of ${first.manifest.count}, ${shardLabel(shard)} one of ${shard.manifest.count}`);
    }
  }
}

/** The run's own identity (from the experiment folder) against the shards': the field that differs, in a coded error. */
export function checkRunMatchesShards(run: RunIdentity, where: string, shard: ShardFolder): void {
  for (const field of IDENTITY_FIELDS) {
    if (field === 'confideVersion') continue; // the merge may be made by another version: it sends nothing
    if (run[field] !== shard.manifest.identity[field]) {
      throw new ConfideError('SHARD_MISMATCH', `${where} differs from the shards in ${IDENTITY_NAMES[field]} (${field}): ${run[field]} here, ${shard.manifest.identity[field]} in shard ${shardLabel(shard)}`);
    }
  }
}

/** Every shard finished; else SHARD_UNFINISHED naming them and how to finish them. */
export function checkShardsFinished(shards: readonly ShardFolder[]): void {
  const unfinished = shards.filter((shard) => !shard.finished);
  if (unfinished.length > 0) {
    throw new ConfideError(
      'SHARD_UNFINISHED',
      `${unfinished.length} of ${shards.length} shards have not finished: ${unfinished.map(shardLabel).join(', ')}: finish each with its command and --resume (confide run <experiment> --shard i/n --resume)`,
    );
  }
}

const listed = (ids: readonly string[]) => `${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ` and ${ids.length - 10} more` : ''}`;

/** The shards are disjoint and cover `datasetIds`; else SHARD_COVERAGE naming missing ids, duplicate ids (with their shards) and ids not in the dataset. */
export function checkShardCoverage(shards: ReadonlyArray<{ label: string; ids: readonly string[] }>, datasetIds: readonly string[]): void {
  const holders = new Map<string, string[]>();
  for (const shard of shards) for (const id of shard.ids) holders.set(id, [...(holders.get(id) ?? []), shard.label]);
  const missing = datasetIds.filter((id) => !holders.has(id));
  const inDataset = new Set(datasetIds);
  const duplicates = [...holders].filter(([, where]) => where.length > 1);
  const foreign = [...holders.keys()].filter((id) => !inDataset.has(id));
  const problems = [
    ...(missing.length > 0 ? [`${missing.length} problems in no shard: ${listed(missing)}`] : []),
    ...(duplicates.length > 0 ? [`${duplicates.length} problems in more than one shard: ${listed(duplicates.map(([id, where]) => `${id} (shards ${where.join(', ')})`))}`] : []),
    ...(foreign.length > 0 ? [`${foreign.length} problems not in the dataset: ${listed(foreign)}`] : []),
  ];
  if (problems.length > 0) throw new ConfideError('SHARD_COVERAGE', `the shards do not cover the dataset once: ${problems.join('; ')}`);
}

/** The problem ids a shard carries (a live shard's problems.jsonl.gz, written at its start; a dataset shard's graded run's). */
export function shardProblemIdsOf(shard: ShardFolder): string[] {
  const ids: string[] = [];
  forEachJsonLine(join(shardRunFolder(shard), PROBLEMS_FILE), Problem, (problem) => ids.push(problem.id));
  return ids;
}

export interface MergeShardsOptions {
  shardFolders: readonly string[];
  /** The merged run's folder: must not hold anything yet. */
  outFolder: string;
  registry: PluginRegistry;
  /** The experiment's folder: its dataset file, price table and recorded runs are relative to it. */
  baseFolder: string;
  runs?: RunLookup;
  command?: string;
  write?: (text: string) => void;
}

export interface MergeShardsResult {
  summary: LiveRunSummary;
  /** What each shard's run spent (its summary.json), in the order given. */
  shardSpentUsd: number[];
  /** Every call's tokens (answers kept or delegated away, peers, escalations; the router's are in the summary). */
  usage: StageLogTotals['usage'];
  calls: number;
  files: string[];
}

function copyStageLogs(shards: readonly ShardFolder[], into: string): void {
  const names = new Set(shards.flatMap((shard) => (existsSync(join(shard.folder, STAGES_FOLDER)) ? readdirSync(join(shard.folder, STAGES_FOLDER)) : [])));
  for (const name of [...names].filter((file) => file.endsWith('.jsonl')).sort()) {
    const schema: z.ZodType = name === 'routes.jsonl' ? LoggedDecision : RunRecord;
    const lines: string[] = [];
    for (const shard of shards) {
      const path = join(shard.folder, STAGES_FOLDER, name);
      if (existsSync(path)) forEachJsonLine(path, schema, (item) => lines.push(JSON.stringify(item)), { allowTruncatedLastLine: true });
    }
    writeFileAtomic(join(into, STAGES_FOLDER, name), lines.map((line) => line + '\n').join(''));
  }
}

/**
 * Merges the run folders of a live run's shards into one run: checks they are shards of one run (SHARD_MISMATCH),
 * finished (SHARD_UNFINISHED), disjoint and covering the dataset (SHARD_COVERAGE); then joins their stage logs and
 * finishes the whole run from them through the live run's own path, sending nothing — the same records in the
 * dataset's order, the same summary, report and side runs as a run in one piece. Written into a folder beside
 * `outFolder` and renamed into place; nothing is left on any error.
 */
export async function mergeShards(options: MergeShardsOptions): Promise<MergeShardsResult> {
  const write = options.write ?? (() => undefined);
  const shards = options.shardFolders.map(readShardFolder);
  checkShardIdentity(shards);
  const first = shards[0]!;
  if (first.manifest.kind !== 'live') throw new ConfideError('SHARD_MISMATCH', `${shardLabel(first)} is a ${first.manifest.kind} shard: merge it with mergeDatasetShards`);
  const experiment = LiveExperiment.parse(JSON.parse(readFileSync(join(first.folder, RUN_CONFIG_FILE), 'utf8')));
  const prices = resolvePriceTable(experiment.priceTable, options.baseFolder);
  const loaded = await loadProblems(experiment.dataset, { baseFolder: options.baseFolder });
  const whole = experiment.limit === undefined ? loaded.problems : loaded.problems.slice(0, experiment.limit);
  checkRunMatchesShards(runIdentity({ experiment, prices, problems: whole, confideVersion: first.manifest.identity.confideVersion }), `the experiment in ${options.baseFolder}`, first);
  checkShardsFinished(shards);
  checkShardCoverage(
    shards.map((shard) => ({ label: shardLabel(shard), ids: shardProblemIdsOf(shard) })),
    whole.map((problem) => problem.id),
  );

  const out = options.outFolder;
  if (existsSync(out) && readdirSync(out).length > 0) throw new ConfideError('RUN_EXISTS', `${out} is not empty: merge writes a new run folder (choose another --out, or remove it)`);
  const staging = join(dirname(out), `.${basename(out)}.merging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging, { recursive: true });
    writeFileAtomic(join(staging, RUN_CONFIG_FILE), canonicalJson(experiment) + '\n');
    copyStageLogs(shards, staging);
    const result = await runLiveExperiment({
      experiment,
      registry: options.registry,
      problems: whole,
      baseFolder: options.baseFolder,
      ...(options.runs ? { runs: options.runs } : {}),
      outFolder: staging,
      resume: true,
      recordedOnly: true,
      cachePath: null,
      command: options.command ?? `confide merge --out ${out}`,
      write: (text) => {
        if (!text.startsWith('run: ')) write(text); // the run's own lines would describe a run that sends requests
      },
    });
    if (result.status !== 'complete') {
      throw new ConfideError('SHARD_COVERAGE', `the shards' stage logs do not hold every answer the run needs (${result.reason}): resume the shards, then merge again`);
    }
    const { usage, calls } = stageLogTotals(staging, prices);
    if (existsSync(out)) rmSync(out, { recursive: true }); // empty (checked above)
    mkdirSync(dirname(out), { recursive: true });
    renameSync(staging, out);
    const shardSpentUsd = shards.map((shard) => {
      const summaryPath = join(shard.folder, 'summary.json');
      return existsSync(summaryPath) ? (JSON.parse(readFileSync(summaryPath, 'utf8')) as { spentUsd: number }).spentUsd : 0;
    });
    return { summary: result.summary, shardSpentUsd, usage, calls, files: result.files.map((file) => join(out, file.slice(staging.length + 1))) };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
