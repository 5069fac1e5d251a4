import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfideError } from '@confide/core';
import { forEachJsonLine, pricesForRun, resolvePriceTable, type RunDirectory } from '@confide/data';
import { z } from 'zod';
import { REGRADE_CONFIG_FILE, REGRADED_FILE, RegradeConfig, summariseRegrade, writeRegradeFolder, type RegradedVerdict, type RegradeSummary } from '../regrade/run-regrade.js';
import { checkRunMatchesShards, checkShardCoverage, checkShardIdentity, shardLabel } from './merge-shards.js';
import { readShardFolder, runIdentity, type ShardFolder } from './shard-manifest.js';

/** A verdict line as a regrade writes it (read back loosely: the merge writes it again as it was). */
const VerdictLine = z.looseObject({ problemId: z.string() });

export interface MergeRegradeShardsOptions {
  shardFolders: readonly string[];
  /** The merged report folder (written whole; refused if it holds something that is not a report). */
  outFolder: string;
  /** Loads the regraded run from the shards' `source` (a bundled id or an absolute path). */
  loadRun: (source: string) => RunDirectory;
}

/** The first shard's manifest: the merge command loads the run it names before merging. */
export function regradeShardSource(folder: string): string {
  const shard = readShardFolder(folder);
  if (shard.manifest.kind !== 'regrade' || shard.manifest.source === undefined) throw new ConfideError('SHARD_MISMATCH', `${shardLabel(shard)} is not a regrade shard`);
  return shard.manifest.source;
}

function verdictsOf(shard: ShardFolder): RegradedVerdict[] {
  const verdicts: RegradedVerdict[] = [];
  forEachJsonLine(join(shard.folder, REGRADED_FILE), VerdictLine, (line) => verdicts.push(line as unknown as RegradedVerdict));
  return verdicts;
}

/**
 * Merges the shards of a regrade (`confide regrade --run <run> --evaluator <config.json> --shard i/n`): the same
 * checks as a live run's merge, against the run itself; then the report is built from the shards' per-problem
 * verdicts, put back in the run's order, with the lent clients' calls and spend added up — the report folder a
 * regrade in one piece writes. Nothing is graded again.
 */
export async function mergeRegradeShards(options: MergeRegradeShardsOptions): Promise<{ summary: RegradeSummary; files: string[] }> {
  const shards = options.shardFolders.map(readShardFolder);
  checkShardIdentity(shards);
  const first = shards[0]!;
  const source = regradeShardSource(first.folder);
  const run = options.loadRun(source);
  const configPath = join(first.folder, REGRADE_CONFIG_FILE);
  const config = RegradeConfig.parse(JSON.parse(readFileSync(configPath, 'utf8')));
  const baseFolder = first.manifest.experimentFolder ?? process.cwd();
  const prices = config.priceTable !== undefined ? resolvePriceTable(config.priceTable, baseFolder) : pricesForRun(run);
  checkRunMatchesShards(runIdentity({ experiment: config, prices, problems: run.records, confideVersion: first.manifest.identity.confideVersion }), `the run ${source}`, first);
  const byShard = shards.map((shard) => ({ shard, verdicts: verdictsOf(shard) }));
  checkShardCoverage(
    byShard.map(({ shard, verdicts }) => ({ label: shardLabel(shard), ids: [...new Set(verdicts.map((verdict) => verdict.problemId))] })),
    [...new Set(run.records.map((record) => record.problemId))],
  );
  // each problem's verdicts in the order its shard graded them (the run's order), the problems in the run's order
  const pending = new Map<string, RegradedVerdict[]>();
  for (const { verdicts } of byShard) for (const verdict of verdicts) pending.set(verdict.problemId, [...(pending.get(verdict.problemId) ?? []), verdict]);
  const verdicts = run.records.map((record) => {
    const next = pending.get(record.problemId)?.shift();
    if (next === undefined) throw new ConfideError('SHARD_COVERAGE', `the shards hold fewer verdicts for ${record.problemId} than the run has records`);
    return next;
  });
  const clientCalls = { calls: 0, costUsd: 0, sent: 0, cached: 0 };
  for (const { shard } of byShard) {
    const summary = JSON.parse(readFileSync(join(shard.folder, 'summary.json'), 'utf8')) as RegradeSummary;
    clientCalls.calls += summary.clientCalls.calls;
    clientCalls.costUsd = Math.round((clientCalls.costUsd + summary.clientCalls.costUsd) * 1e8) / 1e8;
    clientCalls.sent += summary.clientCalls.sent;
    clientCalls.cached += summary.clientCalls.cached;
  }
  const summary = summariseRegrade(first.manifest.name ?? source, config.evaluator, verdicts, clientCalls);
  await writeRegradeFolder(options.outFolder, summary, verdicts);
  return { summary, files: [REGRADED_FILE, 'flips.jsonl', 'summary.json', 'report.md'].map((file) => join(options.outFolder, file)) };
}
