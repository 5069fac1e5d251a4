import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  CONFIDENT_TOKEN,
  ConfideError,
  isFailedRecord,
  RunRecord,
  UNCERTAIN_TOKEN,
  type PluginRegistry,
} from '@confide/core';
import {
  currentProvenance,
  parseSftDatasetConfig,
  SFT_TRAIN_FILE,
  RunStore,
  STAGES_FOLDER,
  writeFileAtomic,
  type SftDatasetProgress,
  type SftDatasetSummary,
} from '@confide/data';
import {
  resolveRunnerPython,
  RunnerCancelledError,
  trainAdapter,
  WORKSPACE_ROOT,
  type RunnerProgress,
  type TrainAdapterResult,
} from '@confide/training';
import { runFolderMode, withRunFolder, type RunFolderFlags } from '../run-folder/open-run-folder.js';
import { StageLog } from '../run-folder/stage-log.js';
import { canonicalJson } from '@confide/inference';
import { startVllmServer, type VllmServer } from '@confide/inference';
import { LiveExperiment } from '../live/live-experiment.js';
import type { LiveRunSummary } from '../live/live-run-summary.js';
import { checkPipelinePlugins, fillPlaceholders, placeholdersIn, type PipelineExperiment, type PipelinePlaceholder } from './pipeline-experiment.js';
import { runDatasetBuild } from '../dataset/run-dataset-build.js';
import type { StopReason } from '../outcome.js';
import { runLiveExperiment } from '../live/run-live-experiment.js';

export const PIPELINE_CONFIG_FILE = 'pipeline.json';
export const PIPELINE_SUMMARY_FILE = 'summary.json';
export const PIPELINE_REPORT_FILE = 'report.md';
const DATASET_FOLDER = 'dataset';
const DELEGATE_FOLDER = 'delegate';
const TRAIN_RESULT_FILE = 'train-result.json';

export interface PipelineRunOptions extends RunFolderFlags {
  experiment: PipelineExperiment;
  registry: PluginRegistry;
  /** The run folder: dataset/, finetuned_models/<name>/, delegate/, report.md, summary.json. */
  outFolder: string;
  // resume: finished steps are kept, the unfinished one resumes (build log, checkpoint, stage logs)
  /** The experiment file, for error messages. */
  source: string;
  /** `confide <version>`, for the dataset card's provenance. */
  builtBy: string;
  /** The command that continues this run, for messages (default: confide run <experiment> --resume). */
  resumeCommand?: string;
  budgetUsd?: number;
  cachePath?: string | null;
  /** First Ctrl-C: the current step stops cleanly (no new requests; training writes a checkpoint). */
  stopSignal?: AbortSignal;
  /** Second Ctrl-C: requests in flight are cancelled too. */
  abortSignal?: AbortSignal;
  /** Python interpreter for the runner and the tiny model (default $CONFIDE_PYTHON or .venv). */
  python?: string;
  write?: (text: string) => void;
  interactive?: boolean;
  onDatasetProgress?: (progress: SftDatasetProgress) => void;
  onTrainProgress?: (progress: RunnerProgress) => void;
}

/** Step 3 as the small model did it on the test problems, before routing. */
export interface SmallModelSummary {
  model: string;
  problems: number;
  correct: number;
  tokens: { confident: number; uncertain: number; none: number };
  /** Mean P(<|c_math|>) where the client reported it, else null. */
  meanConfidentProbability: number | null;
  outputTokens: number;
}

export interface PipelineSummary {
  name: string;
  title: string;
  pipelineCheck: boolean;
  baseModel: string;
  /** The problems of steps 3 and 4, e.g. `math500 (first 16)`. */
  testSet: string;
  dataset: SftDatasetSummary;
  train: Pick<TrainAdapterResult, 'steps' | 'epochs' | 'examples' | 'firstLoss' | 'finalLoss' | 'durationSeconds' | 'adapterPath' | 'device'>;
  generate: SmallModelSummary;
  delegate: LiveRunSummary;
}

/** How a pipeline run ended: complete with its summary, or stopped for a typed reason (it resumes with --resume). */
export type PipelineRunResult = ({ status: 'complete'; summary: PipelineSummary } | { status: 'stopped'; reason: StopReason }) & {
  message: string;
  files: string[];
};

/** The folder of the tiny random Qwen2-architecture model, built (or found in .cache) by tools/tiny-model. */
export function buildTinyModel(python?: string): string {
  const interpreter = resolveRunnerPython(python);
  return execFileSync(interpreter, [join(WORKSPACE_ROOT, 'tools', 'tiny-model', 'build_tiny_model.py')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function hasCheckpoint(outputDir: string): boolean {
  const folder = join(outputDir, 'checkpoints');
  return existsSync(folder) && readdirSync(folder).some((name) => /^checkpoint-\d+$/.test(name));
}

/** The small model's answers from the delegate step's stage log (the last usable one per problem). */
export function summariseSmallModel(stageFile: string): SmallModelSummary {
  const byProblem = new Map<string, RunRecord>();
  for (const record of new StageLog(stageFile, RunRecord).read()) if (!isFailedRecord(record)) byProblem.set(record.problemId, record);
  const records = [...byProblem.values()];
  const probabilities = records.flatMap((record) => (record.generation.confidenceProbabilities ? [record.generation.confidenceProbabilities.confident] : []));
  return {
    model: [...new Set(records.map((record) => record.generation.model))].join(', '),
    problems: records.length,
    correct: records.filter((record) => record.grade.correct).length,
    tokens: {
      confident: records.filter((record) => record.generation.confidenceToken === CONFIDENT_TOKEN).length,
      uncertain: records.filter((record) => record.generation.confidenceToken === UNCERTAIN_TOKEN).length,
      none: records.filter((record) => record.generation.confidenceToken === null).length,
    },
    meanConfidentProbability: probabilities.length === 0 ? null : probabilities.reduce((sum, value) => sum + value, 0) / probabilities.length,
    outputTokens: records.reduce((sum, record) => sum + record.generation.usage.output + record.generation.usage.thinking, 0),
  };
}

const PIPELINE_CHECK_NOTE =
  '> **Pipeline check, not a result.** The small model here is a tiny Qwen2-architecture model with random weights ' +
  '(tools/tiny-model) trained for a few steps on CPU: it cannot solve these problems, and its confidence tokens mean ' +
  'nothing. The numbers show that every step of the pipeline runs end to end, not how well the method works.';

/** The pipeline's report: one row per step of the seed, then where each step's own report is. */
export function pipelineReport(summary: PipelineSummary, outFolder?: string): string {
  const { dataset, train, generate, delegate } = summary;
  const inside = outFolder !== undefined && !relative(outFolder, train.adapterPath).startsWith('..');
  const adapterPath = inside ? relative(outFolder, train.adapterPath) : train.adapterPath;
  const percent = (correct: number, total: number) => (total === 0 ? '-' : `${((correct * 100) / total).toFixed(1)} %`);
  const loss = train.firstLoss !== null && train.finalLoss !== null ? `loss ${train.firstLoss.toFixed(4)} → ${train.finalLoss.toFixed(4)}` : 'no loss reported';
  const kept = delegate.handOff.find((row) => row.side === 'small');
  const delegated = delegate.handOff.find((row) => row.side === 'large');
  const lines = [
    `# ${summary.title}${summary.pipelineCheck ? ' (pipeline check)' : ''}`,
    '',
    ...(summary.pipelineCheck ? [PIPELINE_CHECK_NOTE, ''] : []),
    `Pipeline \`${summary.name}\`, base model \`${summary.baseModel}\`.`,
    '',
    '| step | what ran | result |',
    '|:-|:-|:-|',
    `| 1 dataset | ${dataset.model} answered ${dataset.problems} problems of \`${dataset.split}\`; graded by ${dataset.evaluator} | ${dataset.correct} correct, ${dataset.incorrect} incorrect → ${dataset.rows} examples${dataset.balanced ? ' (balanced)' : ''}: ${dataset.tokens.confident} \`${CONFIDENT_TOKEN}\`, ${dataset.tokens.uncertain} \`${UNCERTAIN_TOKEN}\` |`,
    `| 2 train | LoRA on ${train.examples} examples, ${train.steps} steps (${(train.epochs ?? 0).toFixed(2)} epochs) on ${train.device} | ${loss}; adapter \`${adapterPath}\` |`,
    `| 3 generate + grade | ${generate.model} on ${generate.problems} problems of \`${summary.testSet}\`; graded by ${delegate.evaluator} | ${generate.correct}/${generate.problems} correct (${percent(generate.correct, generate.problems)}); tokens: ${generate.tokens.confident} \`${CONFIDENT_TOKEN}\`, ${generate.tokens.uncertain} \`${UNCERTAIN_TOKEN}\`, ${generate.tokens.none} none${generate.meanConfidentProbability === null ? '' : `; mean P(c) ${generate.meanConfidentProbability.toPrecision(3)}`} |`,
    `| 4 delegate | kept ${kept?.problems ?? 0} on the small model, delegated ${delegated?.problems ?? 0} to ${delegated?.model ?? '-'} | ${delegate.accuracy.correct}/${delegate.accuracy.total} correct (${percent(delegate.accuracy.correct, delegate.accuracy.total)}); answers $${delegate.costUsd.answers.toFixed(6)}, all calls $${delegate.costUsd.allCalls.toFixed(6)} |`,
    '',
    '## Where each step wrote',
    '',
    `- dataset (JSONL, Parquet, card): \`${DATASET_FOLDER}/\` — \`${DATASET_FOLDER}/README.md\``,
    `- adapter (PEFT, with its card and manifest): \`${adapterPath}\``,
    `- generations, routes, records and the delegation report: \`${DELEGATE_FOLDER}/\` — \`${DELEGATE_FOLDER}/report.md\``,
  ];
  return lines.join('\n') + '\n';
}

class PipelineStopped extends Error {}

/**
 * Runs the four steps of the seed in one run folder: build the confidence-annotated dataset (step 1), fine-tune the
 * LoRA adapter (step 2), then generate with it on the test problems, grade, route and delegate through the live path
 * (steps 3 and 4), and report. A step whose client options use `{vllmUrl}` gets a vLLM server started for it (with
 * the adapter in the delegate step) and stopped after it. A stopped run continues with `resume`.
 */
export async function runPipelineExperiment(options: PipelineRunOptions): Promise<PipelineRunResult> {
  const { experiment, registry, outFolder } = options;
  const write = options.write ?? (() => undefined);
  const resumeCommand = options.resumeCommand ?? `confide run <experiment> --out ${outFolder} --resume`;
  checkPipelinePlugins(experiment, registry, options.source);

  // ---- the run folder: locked; fresh, resumed with the same config, or forced -------------------------------
  const configPath = join(outFolder, PIPELINE_CONFIG_FILE);
  const summaryPath = join(outFolder, PIPELINE_SUMMARY_FILE);
  const configText = canonicalJson(experiment);
  return withRunFolder(
    {
      folder: outFolder,
      mode: runFolderMode(options),
      kind: 'pipeline run',
      command: options.command ?? `confide run --out ${outFolder}`,
      configFile: PIPELINE_CONFIG_FILE,
      finishedFile: PIPELINE_SUMMARY_FILE,
      configText,
      ...(options.breakLock ? { breakLock: true } : {}),
      write,
    },
    (runFolder) => runPipelineIn(options, runFolder.resuming, { configPath, summaryPath, configText, resumeCommand }),
  );
}

/** A tiny random model's run: what every reader of its outputs says. */
export const TINY_MODEL_PIPELINE_CHECK = { reason: 'a tiny random model built from a config: this run checks the pipeline, it measures nothing' } as const;

async function runPipelineIn(
  options: PipelineRunOptions,
  resuming: boolean,
  paths: { configPath: string; summaryPath: string; configText: string; resumeCommand: string },
): Promise<PipelineRunResult> {
  const { experiment, registry, outFolder } = options;
  const write = options.write ?? (() => undefined);
  const { configPath, summaryPath, configText, resumeCommand } = paths;
  const trainOutput = join(outFolder, 'finetuned_models', experiment.name);
  if (!resuming) writeFileAtomic(configPath, configText + '\n');
  rmSync(summaryPath, { force: true });

  const servers: VllmServer[] = [];
  const stopServers = async () => {
    for (const server of servers.splice(0)) {
      write(`pipeline: stopping vLLM (pid ${server.pid})\n`);
      await server.stop();
    }
  };
  /** Fills a step's placeholders, starting vLLM first when the step asks for `{vllmUrl}`. */
  const prepare = async <Value>(value: Value, values: Partial<Record<PipelinePlaceholder, string>>, adapter: string | null): Promise<Value> => {
    if (!placeholdersIn(value).has('vllmUrl')) return fillPlaceholders(value, values);
    const server = await startVllmServer(
      { ...experiment.vllm, baseModel: values.baseModel!, adapter },
      { ...(options.stopSignal ? { signal: options.stopSignal } : {}), onStatus: (message) => write(`pipeline: ${message}\n`) },
    );
    servers.push(server);
    return fillPlaceholders(value, { ...values, vllmUrl: server.baseUrl });
  };

  let step = 'the base model';
  try {
    // ---- base model ------------------------------------------------------------------------------------------
    const baseModel = typeof experiment.baseModel === 'string' ? experiment.baseModel : buildTinyModel(options.python);
    write(`pipeline: ${experiment.name}: base model ${baseModel}\n`);

    // ---- step 1: dataset -------------------------------------------------------------------------------------
    step = 'step 1 (dataset)';
    const datasetFolder = join(outFolder, DATASET_FOLDER);
    const datasetConfig = parseSftDatasetConfig(await prepare(experiment.dataset, { baseModel }, null), options.source);
    write(`pipeline: step 1: ${experiment.dataset.client.id} answers ${datasetConfig.limit ?? 'all'} problems of ${datasetConfig.split}; ${datasetConfig.evaluator.id} grades them\n`);
    let dataset: SftDatasetSummary;
    try {
      const built = await runDatasetBuild({
        config: datasetConfig,
        registry,
        outFolder: datasetFolder,
        resume: true, // a fresh run starts in an empty folder; a resumed one continues its build log
        name: `${experiment.name}-sft`,
        source: options.source,
        baseFolder: dirname(options.source),
        provenance: currentProvenance({ builtBy: options.builtBy, sources: [`dataset:${datasetConfig.split}`], command: `confide run (pipeline ${experiment.name})` }),
        command: options.command ?? `confide run --out ${outFolder}`,
        pipelineCheck: experiment.pipelineCheck ? TINY_MODEL_PIPELINE_CHECK : null,
        ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
        cachePath: options.cachePath ?? null,
        ...(options.stopSignal ? { signal: options.stopSignal } : {}),
        ...(options.onDatasetProgress ? { onProgress: options.onDatasetProgress } : {}),
      });
      if (built.status === 'stopped') {
        if (built.reason === 'budget') return { status: 'stopped', reason: 'budget', message: `stopped during ${step}: ${built.message.replace('Continue with --resume.', `Continue with: ${resumeCommand}`)}`, files: [configPath] };
        throw new PipelineStopped('the answers graded so far are in the build log');
      }
      dataset = built.summary;
    } catch (error) {
      if (options.stopSignal?.aborted) throw new PipelineStopped('the answers graded so far are in the build log');
      throw error;
    }
    await stopServers();
    write(`pipeline: step 1 done: ${dataset.correct} correct, ${dataset.incorrect} incorrect -> ${dataset.rows} examples\n`);

    // ---- step 2: train ---------------------------------------------------------------------------------------
    step = 'step 2 (train)';
    const trainResultPath = join(outFolder, TRAIN_RESULT_FILE);
    let train: PipelineSummary['train'];
    if (existsSync(trainResultPath)) {
      train = JSON.parse(readFileSync(trainResultPath, 'utf8')) as PipelineSummary['train'];
      write(`pipeline: step 2 already done: adapter ${train.adapterPath}\n`);
    } else {
      const resumeTraining = hasCheckpoint(trainOutput);
      if (!resumeTraining) rmSync(trainOutput, { recursive: true, force: true });
      const { processes, ...settings } = experiment.train;
      write(`pipeline: step 2: LoRA fine-tuning on ${dataset.rows} examples${resumeTraining ? ', resuming from the newest checkpoint' : ''}\n`);
      let result: TrainAdapterResult;
      try {
        result = await trainAdapter(
          {
            ...settings,
            baseModel,
            trainFile: join(datasetFolder, SFT_TRAIN_FILE),
            outputDir: trainOutput,
            runName: settings.runName || experiment.name,
            manifest: { pipeline: experiment.name, title: experiment.title, dataset: { split: dataset.split, rows: dataset.rows, files: dataset.files } },
          },
          {
            resume: resumeTraining,
            processes,
            source: `${options.source} (train)`,
            ...(options.python !== undefined ? { python: options.python } : {}),
            ...(options.stopSignal ? { signal: options.stopSignal } : {}),
            ...(options.onTrainProgress ? { onProgress: options.onTrainProgress } : {}),
          },
        );
      } catch (error) {
        if (error instanceof RunnerCancelledError) {
          throw new PipelineStopped(error.checkpointPath ? `checkpoint at ${error.checkpointPath}` : 'before the first checkpoint');
        }
        throw error;
      }
      train = {
        steps: result.steps,
        epochs: result.epochs,
        examples: result.examples,
        firstLoss: result.firstLoss,
        finalLoss: result.finalLoss,
        durationSeconds: result.durationSeconds,
        adapterPath: result.adapterPath,
        device: result.device,
      };
      writeFileAtomic(trainResultPath, `${JSON.stringify(train, null, 2)}\n`);
      write(`pipeline: step 2 done: ${train.steps} steps, adapter ${train.adapterPath}\n`);
    }

    // ---- steps 3 and 4: generate with the adapter, grade, route, delegate ------------------------------------
    step = 'steps 3 and 4 (generate, grade, delegate)';
    const delegate = await prepare(experiment.delegate, { baseModel, adapter: train.adapterPath, adapterName: experiment.vllm.adapterName }, train.adapterPath);
    const live = LiveExperiment.parse({ ...delegate, kind: 'live', name: experiment.name, title: experiment.pipelineCheck ? `${experiment.title} (pipeline check)` : experiment.title });
    const delegateFolder = join(outFolder, DELEGATE_FOLDER);
    const outcome = await runLiveExperiment({
      experiment: live,
      registry,
      runs: new RunStore().relativeTo(dirname(options.source)),
      baseFolder: dirname(options.source),
      outFolder: delegateFolder,
      resume: true, // a fresh run starts in an empty folder; a resumed one continues its stage logs
      resumeCommand,
      command: options.command ?? `confide run --out ${outFolder}`,
      pipelineCheck: experiment.pipelineCheck ? TINY_MODEL_PIPELINE_CHECK : null,
      ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
      cachePath: options.cachePath ?? null,
      ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      write,
      interactive: options.interactive ?? false,
    });
    await stopServers();
    if (outcome.status === 'stopped') {
      return { status: 'stopped', reason: outcome.reason, message: outcome.message, files: outcome.files };
    }

    // ---- report ----------------------------------------------------------------------------------------------
    const summary: PipelineSummary = {
      name: experiment.name,
      title: experiment.title,
      pipelineCheck: experiment.pipelineCheck,
      baseModel,
      testSet: `${live.dataset}${live.limit !== undefined ? ` (first ${live.limit})` : ''}`,
      dataset,
      train,
      generate: summariseSmallModel(join(delegateFolder, STAGES_FOLDER, 'small.jsonl')),
      delegate: outcome.summary,
    };
    const reportPath = join(outFolder, PIPELINE_REPORT_FILE);
    writeFileAtomic(reportPath, pipelineReport(summary, outFolder));
    writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    return { status: 'complete', message: outcome.message, summary, files: [reportPath, summaryPath, ...outcome.files] };
  } catch (error) {
    if (error instanceof PipelineStopped) {
      return { status: 'stopped', reason: 'cancelled', message: `stopped during ${step}: ${error.message}. Continue with: ${resumeCommand}`, files: [configPath] };
    }
    if (ConfideError.isInstance(error) && error.code === 'CANCELLED' && options.stopSignal?.aborted) {
      return { status: 'stopped', reason: 'cancelled', message: `stopped during ${step}. Continue with: ${resumeCommand}`, files: [configPath] };
    }
    // failed before producing anything: the run folder's close() leaves no folder (or no config) to trip on
    throw error;
  } finally {
    await stopServers();
  }
}
