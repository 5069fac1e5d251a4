import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfideError,
  costInHundredMillionths,
  isFailedRecord,
  promptMessages,
  RUN_RECORD_SCHEMA_VERSION,
  RunRecord,
  type Evaluator,
  type GenerationRequest,
  type PipelineCheck,
  type PluginRegistry,
  type PluginUse,
  type Problem,
} from '@confide/core';
import {
  gitState,
  loadProblems,
  MANIFEST_FILE,
  PRICE_TABLE_FILE,
  readRunRecordsFile,
  RECORDS_FILE,
  packageVersions,
  readSftDatasetSummary,
  resolvePriceTable,
  SFT_ANSWERS_LOG,
  SFT_CONFIG_FILE,
  SFT_RUN_FOLDER,
  SFT_SUMMARY_FILE,
  writeFileAtomic,
  writeRunDirectory,
  writeSftDataset,
  type HubProvenance,
  type SftDatasetConfig,
  type SftDatasetProgress,
  type SftDatasetSummary,
} from '@confide/data';
import { canonicalJson } from '@confide/inference';
import type { ExperimentOutcome } from '../outcome.js';
import { runFolderMode, withRunFolder, type RunFolderFlags } from '../run-folder/open-run-folder.js';
import { RunClients } from '../run-folder/run-clients.js';
import { StageLog } from '../run-folder/stage-log.js';
import { stopReasonOf } from '../run-folder/stop-reason.js';
import { runWorkerPool } from '../run-folder/worker-pool.js';
import { runIdentity, SHARD_MANIFEST_FILE, shardManifest, writeShardManifest } from '../shard/shard-manifest.js';
import { shardOf, type ShardSpec } from '../shard/shard-partition.js';

export interface DatasetBuildOptions extends RunFolderFlags {
  config: SftDatasetConfig;
  registry: PluginRegistry;
  /** Where the dataset is written: train.jsonl, data/train-*.parquet, README.md, run/, and build/ (config, log, summary). */
  outFolder: string;
  provenance: HubProvenance;
  /** The dataset's name in its card. */
  name: string;
  signal?: AbortSignal;
  /** Names the config in error messages. */
  source?: string;
  /** The config's folder: a dataset file or price table file it names is relative to it (default: the current directory). */
  baseFolder?: string;
  /** Hard cap in US dollars on the build's model calls (answers logged by an interrupted build count). */
  budgetUsd?: number;
  /** SQLite file of the response cache; null or absent for none. */
  cachePath?: string | null;
  /** A pipeline's tiny-model run: its graded answers say they are a pipeline check. */
  pipelineCheck?: PipelineCheck | null;
  /** Progress, with the spend so far. */
  onProgress?: (progress: SftDatasetProgress & { spentUsd: number }) => void;
  write?: (text: string) => void;
  /** A merge of shards: every answer is in the log already, and nothing may be sent (the budget is what it cost). */
  recordedOnly?: boolean;
}

/** One shard of a dataset build (`--shard i/n`): its share of the problems, graded into `<out>/run`; no SFT files. */
export interface DatasetShardOptions extends Omit<DatasetBuildOptions, 'recordedOnly'> {
  shard: { spec: ShardSpec; confideVersion: string };
}

/** A shard's graded answers: how many, how many correct, what it spent. */
export type DatasetShardOutcome = ExperimentOutcome<{ problems: number; correct: number; spentUsd: number }>;

/** What a build does once every answer is graded: write the SFT files (a whole build) or only the graded run (a shard). */
interface BuildFinish<Complete extends object> {
  finishedFile: string;
  /** A resumed folder that finished already: its outcome, read back. */
  readFinished(outFolder: string): (Complete & { files: string[] }) | null;
  /** The problems this build answers, of the selected ones with a reference answer. */
  problemsOf(withAnswer: Problem[], selected: Problem[], prices: SftPrices): Problem[];
  finish(input: FinishInput): Promise<Complete & { files: string[] }>;
}

type SftPrices = ReturnType<typeof resolvePriceTable>;

interface FinishInput {
  problems: Problem[];
  records: RunRecord[];
  skippedWithoutAnswer: string[];
  model: string;
  plugins: PluginUse[];
  prices: SftPrices;
  spentUsd: number;
}

/** A graded answer as the run record logged for it (the build's answers are a run another experiment can name). */
function gradedRecord(runId: string, problem: Problem, generation: RunRecord['generation'], grade: RunRecord['grade']): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId,
    problemId: problem.id,
    ...(problem.subject !== undefined ? { subject: problem.subject } : {}),
    ...(problem.level !== undefined ? { level: problem.level } : {}),
    gold: problem.answer,
    generation,
    grade,
  };
}

/**
 * Step 1 of the seed: the model answers the split's problems, the evaluator grades each answer, and the graded
 * answers become a confidence-annotated training set (written by `writeSftDataset`) and a run directory (`<out>/run`).
 * The folder is opened through the run kit (lock, fresh / resume / force); every model call goes through the run's
 * scheduled clients (concurrency, retries honouring Retry-After, timeouts, the response cache, the budget); each graded
 * answer is appended to a stage log as it comes, so a stopped or killed build resumes without paying for it again.
 * Stops for the budget or Ctrl-C come back as a typed outcome.
 */
export async function runDatasetBuild(options: DatasetBuildOptions): Promise<ExperimentOutcome<{ summary: SftDatasetSummary; spentUsd: number }>> {
  const source = options.source ?? 'dataset config';
  return buildInFolder(options, {
    finishedFile: SFT_SUMMARY_FILE,
    readFinished: (outFolder) => {
      const finished = readSftDatasetSummary(outFolder);
      return finished ? { summary: finished, spentUsd: 0, files: finished.files.map((file) => file.path) } : null;
    },
    problemsOf: (withAnswer) => withAnswer,
    finish: async (input) => {
      const summary = await writeSftDataset({
        outFolder: options.outFolder,
        config: options.config,
        name: options.name,
        problems: input.problems,
        records: input.records,
        skippedWithoutAnswer: input.skippedWithoutAnswer,
        model: input.model,
        plugins: input.plugins,
        provenance: options.provenance,
        source,
      });
      writeGradedRun(options, input, `dataset build: ${summary.model} answers to ${input.problems.length} problems of ${options.config.split}, graded by ${options.config.evaluator.id}`);
      return { summary, spentUsd: input.spentUsd, files: summary.files.map((file) => file.path) };
    },
  });
}

/**
 * One shard of a dataset build: the shard's share of the split's problems (by sha256 of the problem id) answered and
 * graded like a whole build (stage log, resume, budget), written as the graded run `<out>/run` with `shard.json`; the
 * SFT files are written by `merge`, since balancing is over the whole set.
 */
export async function runDatasetShard(options: DatasetShardOptions): Promise<DatasetShardOutcome> {
  const runManifest = join(SFT_RUN_FOLDER, MANIFEST_FILE);
  return buildInFolder(options, {
    finishedFile: runManifest,
    carriedFiles: [SHARD_MANIFEST_FILE, PRICE_TABLE_FILE],
    readFinished: (outFolder) => {
      const records = readRunRecordsFile(join(outFolder, SFT_RUN_FOLDER, RECORDS_FILE));
      return { problems: records.length, correct: records.filter((record) => record.grade.correct).length, spentUsd: 0, files: [join(outFolder, runManifest)] };
    },
    problemsOf: (withAnswer, selected, prices) => {
      const { spec, confideVersion } = options.shard;
      const shardProblems = shardOf(withAnswer, spec);
      options.write?.(`dataset: shard ${spec.index}/${spec.count}: ${shardProblems.length} of ${withAnswer.length} problems\n`);
      const identity = runIdentity({ experiment: options.config, prices, problems: selected, confideVersion });
      writeShardManifest(options.outFolder, { ...shardManifest(spec, shardProblems, identity, options.baseFolder ?? process.cwd()), kind: 'dataset', name: options.name });
      // the prices it carries, so that `confide status` costs its log as it runs
      writeFileAtomic(join(options.outFolder, PRICE_TABLE_FILE), JSON.stringify(prices, null, 2) + '\n');
      return shardProblems;
    },
    finish: async (input) => {
      writeGradedRun(options, input, `dataset build, shard ${options.shard.spec.index}/${options.shard.spec.count}: ${input.model} answers to ${input.problems.length} problems of ${options.config.split}, graded by ${options.config.evaluator.id}`);
      return { problems: input.problems.length, correct: input.records.filter((record) => record.grade.correct).length, spentUsd: input.spentUsd, files: [join(options.outFolder, runManifest)] };
    },
  });
}

/** The build's graded answers as a run directory (`<out>/run`), which another experiment can name. */
function writeGradedRun(options: DatasetBuildOptions, input: FinishInput, description: string): void {
  writeRunDirectory(join(options.outFolder, SFT_RUN_FOLDER), {
    manifest: {
      runId: options.name,
      description,
      dataset: options.config.split,
      config: options.config as unknown as Record<string, unknown>,
      plugins: input.plugins,
      git: gitState(),
      packageVersions: packageVersions(),
      priceTable: input.prices,
      source: { kind: 'live', origin: 'confide dataset build', files: [] },
      pipelineCheck: options.pipelineCheck ?? null,
      records: input.records.length,
    },
    records: input.records,
    problems: input.problems,
  });
}

async function buildInFolder<Complete extends object>(options: DatasetBuildOptions, steps: BuildFinish<Complete> & { carriedFiles?: string[] }): Promise<ExperimentOutcome<Complete>> {
  const configText = canonicalJson(options.config);
  return withRunFolder(
    {
      folder: options.outFolder,
      mode: runFolderMode(options),
      kind: 'dataset build',
      command: options.command ?? `confide dataset build --out ${options.outFolder}`,
      configFile: SFT_CONFIG_FILE,
      ...(steps.carriedFiles ? { carriedFiles: steps.carriedFiles } : {}),
      finishedFile: steps.finishedFile,
      configText,
      ...(options.breakLock ? { breakLock: true } : {}),
      ...(options.write ? { write: options.write } : {}),
    },
    (runFolder) => buildIn(options, runFolder.resuming, configText, steps),
  );
}

async function buildIn<Complete extends object>(options: DatasetBuildOptions, resuming: boolean, configText: string, steps: BuildFinish<Complete>): Promise<ExperimentOutcome<Complete>> {
  const { config, registry, outFolder } = options;
  const finished = resuming && existsSync(join(outFolder, steps.finishedFile)) ? steps.readFinished(outFolder) : null;
  if (finished) return { status: 'complete', ...finished };
  if (!resuming) writeFileAtomic(join(outFolder, SFT_CONFIG_FILE), configText + '\n');

  const baseFolder = options.baseFolder ?? process.cwd();
  const all = (await loadProblems(config.split, { baseFolder })).problems;
  const selected = config.limit === undefined ? all : all.slice(0, config.limit);
  const prices = resolvePriceTable(config.priceTable, baseFolder);
  const problems = steps.problemsOf(
    selected.filter((problem) => problem.answer !== null),
    selected,
    prices,
  );
  const skippedWithoutAnswer = selected.filter((problem) => problem.answer === null).map((problem) => problem.id);
  const log = new StageLog(join(outFolder, SFT_ANSWERS_LOG), RunRecord);
  const answers = new Map(log.read().filter((record) => !isFailedRecord(record)).map((record) => [record.problemId, record]));
  // what an interrupted build already paid counts against the budget
  // (a model the table does not price is not a live one: its calls never reach the budget)
  const priorSpent = [...answers.values()].reduce(
    (sum, record) => sum + (prices.models[record.generation.model] ? costInHundredMillionths(prices, record.generation.model, record.generation.usage) : 0),
    0,
  );
  const clients = new RunClients({ prices, budgetUsd: options.recordedOnly ? priorSpent / 1e8 : options.budgetUsd, priorSpentUsd: priorSpent / 1e8, retry: config.retry, cachePath: options.cachePath });
  clients.lane('dataset', { concurrency: config.concurrency });
  const clientUse = registry.create('model', config.client.id, config.client.options, { priceTable: prices });
  const evaluatorUse = registry.create('evaluator', config.evaluator.id, config.evaluator.options, { priceTable: prices });
  const client = clients.schedule('dataset', clientUse.instance);
  const evaluator: Evaluator = evaluatorUse.instance;

  const resumed = problems.filter((problem) => answers.has(problem.id)).length;
  let correct = problems.filter((problem) => answers.get(problem.id)?.grade.correct).length;
  let done = resumed;
  const report = () => options.onProgress?.({ done, total: problems.length, correct, resumed, spentUsd: clients.budget.spentUsd });
  report();

  const stop = new AbortController();
  const onAbort = () => {
    stop.abort();
    clients.stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await runWorkerPool(
      problems.filter((problem) => !answers.has(problem.id)),
      config.concurrency,
      async (problem) => {
        if (stop.signal.aborted) return;
        const request: GenerationRequest = {
          problem,
          messages: promptMessages(config.prompt, problem),
          maxOutputTokens: config.maxOutputTokens,
          ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
        };
        try {
          // a dataset build keeps no logprobs sidecar: token logprobs a client records are not written
          const { tokenLogprobs: _notKept, ...generation } = await client.generate(request, { signal: stop.signal });
          const grade = await evaluator.grade({ gold: problem.answer!, response: generation.text, problemId: problem.id, question: problem.problem });
          const record = gradedRecord(options.name, problem, { ...generation, answer: grade.answer ?? null }, {
            correct: grade.correct,
            ...(grade.score !== undefined ? { score: grade.score } : {}),
            evaluator: grade.evaluator,
            ...(grade.reason !== undefined ? { reason: grade.reason } : {}),
          });
          log.append(record);
          answers.set(problem.id, record);
          done += 1;
          if (record.grade.correct) correct += 1;
          report();
        } catch (error) {
          stop.abort();
          clients.stop();
          throw error;
        }
      },
    );
    if (answers.size < problems.length || stop.signal.aborted) throw new ConfideError('CANCELLED', 'cancelled');
  } catch (error) {
    const reason = stopReasonOf(error);
    if (reason === undefined) throw error;
    return {
      status: 'stopped',
      reason,
      message: `stopped: ${reason === 'budget' ? (error as Error).message : 'cancelled'}. ${answers.size} of ${problems.length} graded answers are logged in ${log.path}; spent $${clients.budget.spentUsd.toFixed(6)}. Continue with --resume.`,
      files: [log.path],
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    log.close();
    await evaluator.close();
    await clients.close();
  }

  const records = problems.map((problem) => answers.get(problem.id)!);
  const plugins = [clientUse.use, evaluatorUse.use];
  return { status: 'complete', ...(await steps.finish({ problems, records, skippedWithoutAnswer, model: client.model, plugins, prices, spentUsd: clients.budget.spentUsd })) };
}
