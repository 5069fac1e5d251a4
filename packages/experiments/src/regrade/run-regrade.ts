import { join } from 'node:path';
import { PluginChoice, RetrySettings, type EvaluatorStep, type PluginRegistry, type PriceTable, type Problem, type RunLookup, type RunRecord } from '@confide/core';
import { checkReportOutFolder, PriceTableReference, pricesForRun, resolvePriceTable, writeFileAtomic, writeJsonLines, writeReportFolder, type RunDirectory } from '@confide/data';
import { z } from 'zod';
import type { ExperimentOutcome } from '../outcome.js';
import { runIdentity, shardManifest, writeShardManifest } from '../shard/shard-manifest.js';
import { shardProblemIds, type ShardSpec } from '../shard/shard-partition.js';
import { acquireRunLock } from '../run-folder/run-lock.js';
import { stopReasonOf } from '../run-folder/stop-reason.js';
import { runWorkerPool } from '../run-folder/worker-pool.js';
import { createLentEvaluator, LentClients, type LentClientCalls } from './lent-evaluator.js';

/** What `confide regrade --evaluator <config>` reads: the evaluator (a chain too) and the model clients it is lent. */
export const RegradeConfig = z.strictObject({
  evaluator: PluginChoice,
  /** Model clients lent to the evaluator by name (core/model-verifier's `client`), each with its lane's concurrency. */
  clients: LentClients.default({}),
  /** Prices for the verifier's spend (default: the run's price table). */
  priceTable: PriceTableReference.optional(),
  retry: RetrySettings.optional(),
  /** Records graded at once. */
  concurrency: z.number().int().min(1).max(256).default(8),
});
export type RegradeConfig = z.infer<typeof RegradeConfig>;

export interface RegradedVerdict {
  problemId: string;
  sourceId: string | null;
  recorded: boolean;
  regraded: boolean;
  /** The evaluator that decided (for a chain, the step that ended it). */
  decidedBy: string;
  reason: string;
  steps: EvaluatorStep[];
  /** Whether the evaluator is a composed one (it reported its steps). */
  composed: boolean;
}

export interface RegradeSummary {
  run: string;
  evaluator: { id: string; options: Record<string, unknown> };
  records: number;
  accuracy: { recorded: number; firstStep: number | null; regraded: number };
  /** Flips against the recorded grades, and the records a later step of a chain turned from incorrect to correct. */
  flips: { toCorrect: number; toWrong: number; laterStepToCorrect: number };
  /** Calls lent clients made for the regrade: how many, what they cost, how many were sent now and how many came from the cache. */
  clientCalls: LentClientCalls;
}

export interface RegradeOptions {
  run: RunDirectory;
  /** How the run was named (bundled id or path), for the report. */
  runReference: string;
  config: RegradeConfig;
  registry: PluginRegistry;
  runs: RunLookup;
  /** The run's problems (questions for a verifier); null when the dataset is not at hand. */
  problems: readonly Problem[] | null;
  outFolder: string;
  /** Where the config's relative paths (a price table file) resolve: the config file's folder. */
  baseFolder?: string;
  budgetUsd?: number;
  /** SQLite response cache: a rerun answers from it and pays nothing twice (null: no cache). */
  cachePath: string | null;
  onProgress?: (done: number, total: number) => void;
  /** The command as typed, recorded in the report folder's lock. */
  command?: string;
  /**
   * Grade one shard of the run's records (`--shard i/n`: its problems by sha256 of the id): the report folder then
   * holds the shard's verdicts, `shard.json` and the config (`regrade-config.json`); `merge` builds the report.
   * `source` is where the run is (a bundled id or an absolute path), for the merge.
   */
  shard?: { spec: ShardSpec; confideVersion: string; source: string };
}

/** The config a regrade shard was graded with, in its folder (the merge checks and reports with it). */
export const REGRADE_CONFIG_FILE = 'regrade-config.json';
/** Every verdict of a regrade, in the run's order. */
export const REGRADED_FILE = 'regraded.jsonl';

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);

function reportOf(summary: RegradeSummary, verdicts: readonly RegradedVerdict[]): string {
  const flips = verdicts.filter((verdict) => verdict.recorded !== verdict.regraded);
  const lines = [
    `# Regrade of ${summary.run} with ${summary.evaluator.id}`,
    '',
    `| grading | accuracy |`,
    `|---|---|`,
    `| recorded | ${percent(summary.accuracy.recorded)} |`,
    ...(summary.accuracy.firstStep === null ? [] : [`| the chain's first step alone | ${percent(summary.accuracy.firstStep)} |`]),
    `| ${summary.evaluator.id} | ${percent(summary.accuracy.regraded)} |`,
    '',
    `${summary.records} records; ${flips.length} flips against the recorded grades (${summary.flips.toCorrect} to correct, ${summary.flips.toWrong} to wrong); ` +
      `a later step turned ${summary.flips.laterStepToCorrect} incorrect verdicts of the first step to correct.`,
    `Lent clients: ${summary.clientCalls.calls} calls, $${summary.clientCalls.costUsd.toFixed(6)} (${summary.clientCalls.sent} sent now, ${summary.clientCalls.cached} from the cache).`,
    '',
    '## Every flip',
    '',
    '| problem | recorded | regraded | decided by | reason |',
    '|---|---|---|---|---|',
    ...flips.map((verdict) => `| ${verdict.sourceId ?? verdict.problemId} | ${verdict.recorded ? 'right' : 'wrong'} | ${verdict.regraded ? 'right' : 'wrong'} | ${verdict.decidedBy} | ${verdict.reason.replace(/\|/g, '\\|').slice(0, 300)} |`),
    '',
  ];
  return lines.join('\n');
}

/**
 * Grades a run again with any evaluator (a chain such as core/math then core/model-verifier), lending it model
 * clients that go through the scheduler (retries), the response cache (a rerun pays nothing twice) and the budget,
 * with every call on a ledger under the role `verifier`. Writes regraded.jsonl, flips.jsonl, summary.json and
 * report.md in `outFolder`; a budget stop comes back as a typed outcome.
 */
export async function runRegrade(options: RegradeOptions): Promise<ExperimentOutcome<{ summary: RegradeSummary }>> {
  checkReportOutFolder(options.outFolder, 'regrade');
  const { config } = options;
  const prices = config.priceTable !== undefined ? resolvePriceTable(config.priceTable, options.baseFolder) : pricesForRun(options.run);
  // one regrade per report folder at a time: a second would pay the verifier's calls twice
  const lock = acquireRunLock(options.outFolder, { command: options.command ?? `confide regrade --out ${options.outFolder}` });
  try {
    return await regradeIn(options, prices);
  } finally {
    lock.release();
  }
}

async function regradeIn(options: RegradeOptions, prices: PriceTable): Promise<ExperimentOutcome<{ summary: RegradeSummary }>> {
  const { config } = options;
  const lent = createLentEvaluator({
    registry: options.registry,
    evaluator: config.evaluator,
    clients: config.clients,
    prices,
    runs: options.runs,
    budgetUsd: options.budgetUsd,
    retry: config.retry,
    cachePath: options.cachePath,
  });
  const { evaluator } = lent;
  const questions = new Map((options.problems ?? []).map((problem) => [problem.id, problem.problem]));
  const shard = options.shard;
  const inShard = shard ? shardProblemIds([...new Set(options.run.records.map((record) => record.problemId))], shard.spec) : undefined;
  const records = inShard ? options.run.records.filter((record) => inShard.has(record.problemId)) : options.run.records;
  let done = 0;
  try {
    const verdicts = await runWorkerPool(records, config.concurrency, async (record: RunRecord): Promise<RegradedVerdict> => {
      const question = questions.get(record.problemId);
      const verdict = await evaluator.grade({ gold: record.gold ?? '', response: record.generation.text, problemId: record.problemId, ...(question !== undefined ? { question } : {}) });
      options.onProgress?.(++done, records.length);
      return {
        problemId: record.problemId,
        sourceId: record.sourceId ?? null,
        recorded: record.grade.correct,
        regraded: verdict.correct,
        decidedBy: verdict.evaluator,
        reason: verdict.reason ?? '',
        // a composed evaluator reports its steps; a single one is its own only step
        steps: verdict.steps ?? [{ evaluator: verdict.evaluator, correct: verdict.correct, ...(verdict.reason ? { reason: verdict.reason } : {}) }],
        composed: verdict.steps !== undefined,
      };
    });
    const summary = summariseRegrade(options.runReference, config.evaluator, verdicts, lent.calls());
    await writeRegradeFolder(options.outFolder, summary, verdicts, (staging) => {
      if (!shard || !inShard) return;
      const identity = runIdentity({ experiment: config, prices, problems: options.run.records, confideVersion: shard.confideVersion });
      const ids = records.map((record) => ({ id: record.problemId }));
      writeShardManifest(staging, { ...shardManifest(shard.spec, ids, identity, options.baseFolder ?? process.cwd()), kind: 'regrade', name: options.runReference, source: shard.source });
      writeFileAtomic(join(staging, REGRADE_CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
    });
    return {
      status: 'complete',
      summary,
      files: [REGRADED_FILE, 'flips.jsonl', 'summary.json', 'report.md'].map((file) => join(options.outFolder, file)),
    };
  } catch (error) {
    if (stopReasonOf(error) === 'budget') {
      return {
        status: 'stopped',
        reason: 'budget',
        message: `stopped: ${(error as Error).message}; ${done} of ${records.length} records graded, $${lent.runClients.budget.spentUsd.toFixed(6)} spent. A rerun answers those from the cache and pays only for the rest.`,
        files: [],
      };
    }
    throw error;
  } finally {
    await lent.close();
  }
}

/** The summary of a regrade from its verdicts (in the run's order) and what the lent clients did. */
export function summariseRegrade(run: string, evaluator: RegradeSummary['evaluator'], verdicts: readonly RegradedVerdict[], clientCalls: LentClientCalls): RegradeSummary {
  const n = verdicts.length;
  const share = (count: number) => (n === 0 ? 0 : count / n);
  const firstStepCorrect = verdicts.filter((verdict) => verdict.steps[0]?.correct).length;
  return {
    run,
    evaluator,
    records: n,
    accuracy: {
      recorded: share(verdicts.filter((verdict) => verdict.recorded).length),
      firstStep: verdicts.some((verdict) => verdict.composed) ? share(firstStepCorrect) : null,
      regraded: share(verdicts.filter((verdict) => verdict.regraded).length),
    },
    flips: {
      toCorrect: verdicts.filter((verdict) => !verdict.recorded && verdict.regraded).length,
      toWrong: verdicts.filter((verdict) => verdict.recorded && !verdict.regraded).length,
      laterStepToCorrect: verdicts.filter((verdict) => verdict.steps.length > 1 && !verdict.steps[0]!.correct && verdict.regraded).length,
    },
    clientCalls,
  };
}

/** A regrade's report folder, written whole: the verdicts, the flips, the summary and the report (and what `more` adds). */
export async function writeRegradeFolder(outFolder: string, summary: RegradeSummary, verdicts: readonly RegradedVerdict[], more?: (staging: string) => void): Promise<void> {
  await writeReportFolder(outFolder, 'regrade', (staging) => {
    writeJsonLines(join(staging, REGRADED_FILE), verdicts);
    writeJsonLines(join(staging, 'flips.jsonl'), verdicts.filter((verdict) => verdict.recorded !== verdict.regraded));
    writeFileAtomic(join(staging, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileAtomic(join(staging, 'report.md'), reportOf(summary, verdicts));
    more?.(staging);
  });
}
