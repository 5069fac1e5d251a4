import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIDENT_TOKEN,
  ConfideError,
  describeZodError,
  InvalidConfigError,
  InvalidInputError,
  promptMessages,
  RetrySettings,
  RUN_RECORD_SCHEMA_VERSION,
  UNCERTAIN_TOKEN,
  type ConfidenceToken,
  type Evaluator,
  type GenerationRequest,
  type ModelClient,
  type PluginRegistry,
  type PluginUse,
  type Problem,
  type RunRecord,
} from '@confide/core';
import { z } from 'zod';
import { loadProblems } from '../hub/hub-problems.js';
import { PriceTableReference, resolvePriceTable } from '../prices/price-table-file.js';
import { renderDatasetCard } from '../hub/dataset-card.js';
import type { HubProvenance } from '../hub/hub-provenance.js';
import { parquetColumnsOf, writeParquetRows } from '../hub/parquet-rows.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { completeLines, parseJsonLines, writeJsonLines } from '../io/json-lines.js';
import { writeRunDirectory } from '../recorded-runs/run-directory.js';
import { packageVersions } from '../workspace-state.js';
import { numpyDefaultRng } from '../splits/numpy-pcg64.js';

const PluginChoice = z.strictObject({
  id: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
});

/** Step 1 of the seed: which problems, which model answers them, how the answers are graded and annotated. */
export const SftDatasetConfig = z.strictObject({
  /** The problems: a bundled dataset (`math-train-sft` is the seed's 6,750 training problems), a dataset file (relative to the config's folder) or hf://datasets/…. */
  split: z.string().min(1),
  /** Only the first N problems of the split. */
  limit: z.number().int().positive().optional(),
  /** The model that answers (a `model` plugin: core/transformers, core/vllm, core/replay, ...). */
  client: PluginChoice,
  prompt: z.strictObject({
    system: z.string().optional(),
    user: z.string().refine((text) => text.includes('{problem}'), { message: 'the user template must contain {problem}' }),
  }),
  maxOutputTokens: z.number().int().positive(),
  temperature: z.number().min(0).max(2).optional(),
  /** Grades each answer; correct answers get <|c_math|>, the others <|u_math|>. */
  evaluator: PluginChoice.default({ id: 'core/math', options: {} }),
  /** Keep as many correct as incorrect examples (the larger class sampled down with `seed`), like the seed. */
  balance: z.boolean().default(false),
  seed: z.number().int().nonnegative().default(42),
  /** Requests in flight at once (a batching client such as core/transformers gathers them). */
  concurrency: z.number().int().positive().default(64),
  /** Prices for the budget and the spend shown in progress (a bundled id or a .json file): a live client's model must be in it. */
  priceTable: PriceTableReference.default('seed-math500'),
  /** Retries and the per-request timeout of the scheduler that sends the requests (its defaults otherwise). */
  retry: RetrySettings.default({}),
});
export type SftDatasetInput = z.input<typeof SftDatasetConfig>;
export type SftDatasetConfig = z.output<typeof SftDatasetConfig>;

/** Parses a dataset-build config; the first problem becomes one InvalidConfigError naming the source and the key. */
export function parseSftDatasetConfig(value: unknown, source: string): SftDatasetConfig {
  const parsed = SftDatasetConfig.safeParse(value);
  if (parsed.success) return parsed.data;
  const { key, message } = describeZodError(parsed.error);
  throw new InvalidConfigError(`${source}${key ? `: key "${key}"` : ''}: ${message}`);
}

/** Reads `<file>` as a dataset-build config. */
export function loadSftDatasetConfig(file: string): SftDatasetConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidConfigError(`${file}: ${(error as Error).message}`);
  }
  return parseSftDatasetConfig(json, file);
}

/** One graded answer, as appended to the build log while the build runs. */
export const GradedAnswer = z.strictObject({
  id: z.string(),
  model: z.string(),
  text: z.string(),
  answer: z.string().nullable(),
  correct: z.boolean(),
  reason: z.string().optional(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  finishReason: z.string().nullable(),
});
export type GradedAnswer = z.infer<typeof GradedAnswer>;

/**
 * A training example. `response` is the model's answer without any confidence token (the runner writes the marker
 * for `correct` itself, so a token here would be doubled); `annotatedResponse` is the response as the fine-tuned
 * model should write it, ending with ` <|c_math|>` or ` <|u_math|>`.
 */
export interface SftExample {
  [column: string]: unknown;
  id: string;
  problem: string;
  response: string;
  correct: boolean;
  confidenceToken: ConfidenceToken;
  annotatedResponse: string;
  answer: string | null;
  gold: string;
  subject: string | null;
  level: number | null;
  model: string;
  outputTokens: number;
  finishReason: string | null;
}

/** The response without a trailing confidence token (a fine-tuned model may have written one) or whitespace. */
export function stripConfidenceToken(text: string): string {
  let response = text.trimEnd();
  for (let changed = true; changed; ) {
    changed = false;
    for (const token of [CONFIDENT_TOKEN, UNCERTAIN_TOKEN]) {
      if (response.endsWith(token)) {
        response = response.slice(0, -token.length).trimEnd();
        changed = true;
      }
    }
  }
  return response;
}

/** An example from a graded answer: <|c_math|> when correct, <|u_math|> otherwise. */
export function annotateAnswer(problem: Problem, graded: GradedAnswer): SftExample {
  const response = stripConfidenceToken(graded.text);
  const confidenceToken = graded.correct ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN;
  return {
    id: problem.id,
    problem: problem.problem,
    response,
    correct: graded.correct,
    confidenceToken,
    annotatedResponse: `${response} ${confidenceToken}`,
    answer: graded.answer,
    gold: problem.answer ?? '',
    subject: problem.subject ?? null,
    level: problem.level ?? null,
    model: graded.model,
    outputTokens: graded.outputTokens,
    finishReason: graded.finishReason,
  };
}

/**
 * Equal numbers of correct and incorrect examples: all of the smaller class and a seeded sample of the larger one,
 * in a seeded order (numpy's `default_rng(seed).permutation`). Throws when a class is empty.
 */
export function balanceExamples<Example extends { correct: boolean }>(examples: readonly Example[], seed: number, source = 'dataset'): Example[] {
  const correct = examples.filter((example) => example.correct);
  const incorrect = examples.filter((example) => !example.correct);
  if (correct.length === 0 || incorrect.length === 0) {
    throw new InvalidInputError({
      file: source,
      field: 'correct',
      problem: `cannot balance ${correct.length} correct and ${incorrect.length} incorrect examples: both classes are needed (set "balance": false)`,
    });
  }
  const size = Math.min(correct.length, incorrect.length);
  const random = numpyDefaultRng(seed);
  const sample = (rows: Example[]) => random.permutation(rows.length).slice(0, size).sort((first, second) => first - second).map((index) => rows[index]!);
  const chosen = [...sample(correct), ...sample(incorrect)];
  return random.permutation(chosen.length).map((index) => chosen[index]!);
}

export interface SftDatasetProgress {
  done: number;
  total: number;
  correct: number;
  /** Answers taken from the log of an interrupted build. */
  resumed: number;
}

export interface BuildSftDatasetOptions {
  config: SftDatasetConfig;
  registry: PluginRegistry;
  /** Where the dataset is written: train.jsonl, data/train-*.parquet, README.md, and build/ (log, config, summary). */
  outFolder: string;
  /** Continue an interrupted build in `outFolder` without asking the model again for answers already logged. */
  resume?: boolean;
  provenance: HubProvenance;
  /** The dataset's name in its card. */
  name: string;
  signal?: AbortSignal;
  onProgress?: (progress: SftDatasetProgress) => void;
  /** Names the config in error messages. */
  source?: string;
  /** The config's folder: a dataset file or price table file it names is relative to it (default: the current directory). */
  baseFolder?: string;
  /** Wraps the created model client, e.g. in the scheduler with retries, the response cache and a budget. */
  scheduleClient?: (client: ModelClient) => ModelClient;
}

export interface SftDatasetSummary {
  name: string;
  split: string;
  model: string;
  evaluator: string;
  problems: number;
  /** Problems left out because the split has no reference answer for them. */
  skippedWithoutAnswer: string[];
  correct: number;
  incorrect: number;
  balanced: boolean;
  rows: number;
  tokens: { confident: number; uncertain: number };
  usage: { input: number; output: number };
  plugins: PluginUse[];
  files: { path: string; sha256: string; bytes: number }[];
}

export const SFT_TRAIN_FILE = 'train.jsonl';
export const SFT_PARQUET_FILE = 'data/train-00000-of-00001.parquet';
const BUILD_FOLDER = 'build';
const LOG_FILE = 'graded.jsonl';
const CONFIG_FILE = 'config.json';
const SUMMARY_FILE = 'summary.json';

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Answers already logged by an interrupted build in `outFolder`; a torn last line (a kill mid-write) is dropped and cut
 * off the file, so the next answer appended starts on a line of its own.
 */
export function readGradedAnswers(outFolder: string): Map<string, GradedAnswer> {
  const path = join(outFolder, BUILD_FOLDER, LOG_FILE);
  const answers = new Map<string, GradedAnswer>();
  if (!existsSync(path)) return answers;
  const text = readFileSync(path, 'utf8');
  const complete = completeLines(text);
  if (complete.length !== text.length) truncateSync(path, Buffer.byteLength(complete, 'utf8'));
  for (const answer of parseJsonLines(complete, path, GradedAnswer)) answers.set(answer.id, answer);
  return answers;
}

/** A graded answer as a RunRecord, so the build's answers are a run another experiment can name (`<out>/run`). */
function gradedRecord(runId: string, problem: Problem, answer: GradedAnswer, evaluator: string): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId,
    problemId: problem.id,
    ...(problem.subject !== undefined ? { subject: problem.subject } : {}),
    ...(problem.level !== undefined ? { level: problem.level } : {}),
    gold: problem.answer,
    generation: {
      model: answer.model,
      text: answer.text,
      answer: answer.answer,
      confidenceToken: null,
      usage: { input: answer.inputTokens, output: answer.outputTokens, thinking: 0 },
      latencyMs: null,
      finishReason: answer.finishReason,
    },
    grade: { correct: answer.correct, evaluator, ...(answer.reason !== undefined ? { reason: answer.reason } : {}) },
  };
}

/** The folder of a build where its graded answers are written as a run directory. */
export const SFT_RUN_FOLDER = 'run';

/**
 * Step 1 of the seed: the model answers the split's problems, the evaluator grades each answer, each becomes a
 * training example annotated `<|c_math|>` (correct) or `<|u_math|>` (incorrect), optionally balanced; written as
 * JSON Lines in the runner's training format, as Parquet, and with a dataset card (`confide data push` publishes the
 * folder). Every graded answer is appended to build/graded.jsonl as it comes, so an interrupted build resumes.
 */
export async function buildSftDataset(options: BuildSftDatasetOptions): Promise<SftDatasetSummary> {
  const { config, registry, outFolder } = options;
  const source = options.source ?? 'dataset config';
  const buildFolder = join(outFolder, BUILD_FOLDER);
  const logPath = join(buildFolder, LOG_FILE);
  const configPath = join(buildFolder, CONFIG_FILE);
  const configText = JSON.stringify(config);
  const finished = existsSync(join(buildFolder, SUMMARY_FILE));
  const sameConfig = existsSync(configPath) && readFileSync(configPath, 'utf8') === configText;
  if (finished && options.resume && sameConfig) return readSftDatasetSummary(outFolder)!;
  if (existsSync(configPath) && !finished) {
    if (!options.resume) throw new InvalidConfigError(`${outFolder} holds an unfinished dataset build: pass --resume to continue it, or choose another --out`);
    if (!sameConfig) {
      throw new InvalidConfigError(`${configPath}: the build there was started with another config; it cannot be resumed with this one`);
    }
  } else {
    rmSync(buildFolder, { recursive: true, force: true });
    for (const file of [SFT_TRAIN_FILE, SFT_PARQUET_FILE, 'README.md', SFT_RUN_FOLDER]) rmSync(join(outFolder, file), { recursive: true, force: true });
    writeFileAtomic(configPath, configText);
  }

  const baseFolder = options.baseFolder ?? process.cwd();
  const all = (await loadProblems(config.split, { baseFolder })).problems;
  const selected = config.limit === undefined ? all : all.slice(0, config.limit);
  const problems = selected.filter((problem) => problem.answer !== null);
  const skippedWithoutAnswer = selected.filter((problem) => problem.answer === null).map((problem) => problem.id);

  const context = { priceTable: resolvePriceTable(config.priceTable, baseFolder) };
  const clientUse = registry.create('model', config.client.id, config.client.options, context);
  const evaluatorUse = registry.create('evaluator', config.evaluator.id, config.evaluator.options, context);
  // The caller may run the client through a scheduler (retries, rate limits, cache, budget): the experiments package does.
  const client: ModelClient = options.scheduleClient ? options.scheduleClient(clientUse.instance) : clientUse.instance;
  const evaluator: Evaluator = evaluatorUse.instance;

  const logged = options.resume ? readGradedAnswers(outFolder) : new Map<string, GradedAnswer>();
  mkdirSync(buildFolder, { recursive: true });
  const answers = new Map<string, GradedAnswer>();
  for (const problem of problems) {
    const answer = logged.get(problem.id);
    if (answer !== undefined) answers.set(problem.id, answer);
  }
  const resumed = answers.size;
  let correct = [...answers.values()].filter((answer) => answer.correct).length;
  const report = () => options.onProgress?.({ done: answers.size, total: problems.length, correct, resumed });
  report();

  const queue = problems.filter((problem) => !answers.has(problem.id));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && !stop.signal.aborted) {
      const problem = queue.shift();
      if (problem === undefined) return;
      const request: GenerationRequest = {
        problem,
        messages: promptMessages(config.prompt, problem),
        maxOutputTokens: config.maxOutputTokens,
        ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
      };
      try {
        const generation = await client.generate(request, { signal: stop.signal });
        const grade = await evaluator.grade({ gold: problem.answer!, response: generation.text });
        const graded: GradedAnswer = {
          id: problem.id,
          model: generation.model,
          text: generation.text,
          answer: grade.answer,
          correct: grade.correct,
          ...(grade.reason !== undefined ? { reason: grade.reason } : {}),
          inputTokens: generation.usage.input,
          outputTokens: generation.usage.output + generation.usage.thinking,
          finishReason: generation.finishReason,
        };
        appendFileSync(logPath, `${JSON.stringify(graded)}\n`);
        answers.set(problem.id, graded);
        if (graded.correct) correct += 1;
        report();
      } catch (error) {
        if (failure === undefined && !stop.signal.aborted) failure = error;
        stop.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(config.concurrency, Math.max(1, queue.length)) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await evaluator.close();
  }
  if (failure !== undefined) throw failure;
  if (answers.size < problems.length) {
    throw new ConfideError(
      'CANCELLED',
      `dataset build stopped after ${answers.size} of ${problems.length} answers (kept in ${logPath}); continue with --resume`,
    );
  }

  const graded = problems.map((problem) => annotateAnswer(problem, answers.get(problem.id)!));
  const rows = config.balance ? balanceExamples(graded, config.seed, source) : graded;
  writeJsonLines(join(outFolder, SFT_TRAIN_FILE), rows);
  const parquet = writeParquetRows(rows);
  writeFileAtomic(join(outFolder, SFT_PARQUET_FILE), parquet);
  const columns = parquetColumnsOf(rows);
  const model = graded[0]?.model ?? client.model;
  const correctCount = graded.filter((example) => example.correct).length;
  const card = renderDatasetCard({
    repo: `local/${options.name}`,
    title: options.name,
    description: [
      `Confidence-annotated SFT data built with Confide (step 1 of the seed): ${model} answered ${problems.length} problems of \`${config.split}\`,`,
      `${config.evaluator.id} graded them (${correctCount} correct, ${graded.length - correctCount} incorrect), and each response is`,
      `annotated \`${CONFIDENT_TOKEN}\` when correct and \`${UNCERTAIN_TOKEN}\` when not${config.balance ? `; balanced to ${rows.length / 2} + ${rows.length / 2} (seed ${config.seed})` : ''}.`,
      '`response` is the answer without the token (the training runner appends the marker for `correct`); `annotatedResponse` ends with it.',
    ].join(' '),
    tags: ['confide', 'math', 'confidence-tokens', 'sft'],
    columns,
    provenance: options.provenance,
    splits: [{ name: 'train', rows: rows.length, bytes: parquet.length, files: [{ path: SFT_PARQUET_FILE, sha256: sha256(parquet), rows: rows.length }] }],
  });
  writeFileAtomic(join(outFolder, 'README.md'), card);

  writeRunDirectory(join(outFolder, SFT_RUN_FOLDER), {
    manifest: {
      runId: options.name,
      description: `dataset build: ${model} answers to ${problems.length} problems of ${config.split}, graded by ${config.evaluator.id}`,
      dataset: config.split,
      config: config as unknown as Record<string, unknown>,
      plugins: [clientUse.use, evaluatorUse.use],
      git: { commit: options.provenance.gitCommit, dirty: options.provenance.gitDirty },
      packageVersions: packageVersions(),
      priceTable: context.priceTable,
      source: { kind: 'live', origin: 'confide dataset build', files: [] },
      records: problems.length,
    },
    problems,
    records: problems.map((problem) => gradedRecord(options.name, problem, answers.get(problem.id)!, config.evaluator.id)),
  });
  const files = [SFT_TRAIN_FILE, SFT_PARQUET_FILE, 'README.md'].map((path) => {
    const bytes = readFileSync(join(outFolder, path));
    return { path, sha256: sha256(bytes), bytes: bytes.length };
  });
  const summary: SftDatasetSummary = {
    name: options.name,
    split: config.split,
    model,
    evaluator: config.evaluator.id,
    problems: problems.length,
    skippedWithoutAnswer,
    correct: correctCount,
    incorrect: graded.length - correctCount,
    balanced: config.balance,
    rows: rows.length,
    tokens: {
      confident: rows.filter((row) => row.confidenceToken === CONFIDENT_TOKEN).length,
      uncertain: rows.filter((row) => row.confidenceToken === UNCERTAIN_TOKEN).length,
    },
    usage: {
      input: [...answers.values()].reduce((sum, answer) => sum + answer.inputTokens, 0),
      output: [...answers.values()].reduce((sum, answer) => sum + answer.outputTokens, 0),
    },
    plugins: [clientUse.use, evaluatorUse.use],
    files,
  };
  writeFileAtomic(join(buildFolder, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** The summary of a finished build in `outFolder`, or null when none finished there. */
export function readSftDatasetSummary(outFolder: string): SftDatasetSummary | null {
  const path = join(outFolder, BUILD_FOLDER, SUMMARY_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SftDatasetSummary) : null;
}
