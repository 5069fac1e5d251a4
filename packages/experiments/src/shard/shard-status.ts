import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isFailedRecord, PriceTable, RunRecord } from '@confide/core';
import { forEachJsonLine, PRICE_TABLE_FILE, SFT_ANSWERS_LOG, STAGES_FOLDER } from '@confide/data';
import { Budget } from '@confide/inference';
import { LoggedDecision } from '../live/logged-router.js';
import { readShardFolder, type ShardFolder } from './shard-manifest.js';

/** What a run folder's stage logs hold: calls answered, their tokens and their cost at the run's prices. */
export interface StageLogTotals {
  /** Problems the router has decided (routes.jsonl). */
  routed: number;
  calls: number;
  usage: { input: number; output: number; thinking: number };
  spentUsd: number;
}

/** Adds up a run folder's stage logs (every model's answers, failed calls left out, and the router's own calls) at `prices`. */
export function stageLogTotals(folder: string, prices: PriceTable): StageLogTotals {
  const stages = join(folder, STAGES_FOLDER);
  const logs = existsSync(stages) ? readdirSync(stages).filter((file) => file.endsWith('.jsonl')).sort().map((name) => join(stages, name)) : [];
  return logTotals(logs, prices);
}

/** Adds up stage logs: `routes.jsonl` holds router decisions, any other a model's answers. */
export function logTotals(logs: readonly string[], prices: PriceTable): StageLogTotals {
  const budget = new Budget(prices);
  const totals: StageLogTotals = { routed: 0, calls: 0, usage: { input: 0, output: 0, thinking: 0 }, spentUsd: 0 };
  let units = 0;
  const routed = new Set<string>();
  for (const path of logs.filter((log) => existsSync(log))) {
    if (basename(path) === 'routes.jsonl') {
      forEachJsonLine(path, LoggedDecision, ({ problemId, decision }) => {
        routed.add(problemId);
        if (decision.routerModel !== undefined && decision.routerUsage !== undefined) units += budget.cost(decision.routerModel, decision.routerUsage);
      }, { allowTruncatedLastLine: true });
      continue;
    }
    // a resumed run may log a problem twice (a failed call, then its answer): the last usable answer counts, as on resume
    const answers = new Map<string, RunRecord>();
    forEachJsonLine(path, RunRecord, (record) => {
      if (!isFailedRecord(record)) answers.set(record.problemId, record);
    }, { allowTruncatedLastLine: true });
    for (const record of answers.values()) {
      totals.calls += 1;
      totals.usage.input += record.generation.usage.input;
      totals.usage.output += record.generation.usage.output;
      totals.usage.thinking += record.generation.usage.thinking;
      // a model the table does not price is not a live one (a dataset build's replay): its calls cost nothing here
      if (prices.models[record.generation.model] !== undefined) units += budget.cost(record.generation.model, record.generation.usage);
    }
  }
  totals.routed = routed.size;
  totals.spentUsd = units / 1e8;
  return totals;
}

export interface ShardProgress extends StageLogTotals {
  shard: ShardFolder;
  /** Problems done: all of a finished shard's, else those routed so far. */
  done: number;
}

/** Each shard's progress and spend (from its stage logs, at the prices it carries) and their sum. */
export function shardStatus(folders: readonly string[]): { shards: ShardProgress[]; total: { problems: number; done: number; finished: number; calls: number; usage: StageLogTotals['usage']; spentUsd: number } } {
  const shards = folders.map((folder): ShardProgress => {
    const shard = readShardFolder(folder);
    const prices = () => PriceTable.parse(JSON.parse(readFileSync(join(folder, PRICE_TABLE_FILE), 'utf8')));
    if (shard.manifest.kind === 'regrade') {
      // a regrade shard exists only finished: its lent clients' calls are in its summary
      const { clientCalls } = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')) as { clientCalls: { calls: number; costUsd: number } };
      return { shard, routed: 0, calls: clientCalls.calls, usage: { input: 0, output: 0, thinking: 0 }, spentUsd: clientCalls.costUsd, done: shard.manifest.problems };
    }
    if (shard.manifest.kind === 'dataset') {
      const totals = logTotals([join(folder, SFT_ANSWERS_LOG)], prices());
      return { shard, ...totals, done: shard.finished ? shard.manifest.problems : Math.min(totals.calls, shard.manifest.problems) };
    }
    const totals = stageLogTotals(folder, prices());
    return { shard, ...totals, done: shard.finished ? shard.manifest.problems : Math.min(totals.routed, shard.manifest.problems) };
  });
  const sum = (pick: (progress: ShardProgress) => number) => shards.reduce((total, progress) => total + pick(progress), 0);
  return {
    shards,
    total: {
      problems: sum((progress) => progress.shard.manifest.problems),
      done: sum((progress) => progress.done),
      finished: shards.filter((progress) => progress.shard.finished).length,
      calls: sum((progress) => progress.calls),
      usage: { input: sum((progress) => progress.usage.input), output: sum((progress) => progress.usage.output), thinking: sum((progress) => progress.usage.thinking) },
      spentUsd: Math.round(sum((progress) => progress.spentUsd) * 1e8) / 1e8,
    },
  };
}
