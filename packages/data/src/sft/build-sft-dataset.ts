import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIDENT_TOKEN,
  describeZodError,
  InvalidConfigError,
  InvalidInputError,
  PluginChoice,
  RetrySettings,
  UNCERTAIN_TOKEN,
  type ConfidenceToken,
  type PluginUse,
  type Problem,
  type RunRecord,
} from '@confide/core';
import { z } from 'zod';
import { PriceTableReference } from '../prices/price-table-file.js';
import { renderDatasetCard } from '../hub/dataset-card.js';
import type { HubProvenance } from '../hub/hub-provenance.js';
import { parquetColumnsOf, writeParquetRows } from '../hub/parquet-rows.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { writeJsonLines } from '../io/json-lines.js';
import { numpyDefaultRng } from '../splits/numpy-pcg64.js';

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

/** An example from a graded answer (a run record): <|c_math|> when correct, <|u_math|> otherwise. */
export function annotateAnswer(problem: Problem, graded: RunRecord): SftExample {
  const response = stripConfidenceToken(graded.generation.text);
  const confidenceToken = graded.grade.correct ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN;
  return {
    id: problem.id,
    problem: problem.problem,
    response,
    correct: graded.grade.correct,
    confidenceToken,
    annotatedResponse: `${response} ${confidenceToken}`,
    answer: graded.generation.answer,
    gold: problem.answer ?? '',
    subject: problem.subject ?? null,
    level: problem.level ?? null,
    model: graded.generation.model,
    outputTokens: graded.generation.usage.output + graded.generation.usage.thinking,
    finishReason: graded.generation.finishReason,
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
/** Where a build keeps what is not the dataset: its config, the log of graded answers (resume), its summary. */
export const SFT_BUILD_FOLDER = 'build';
export const SFT_CONFIG_FILE = 'build/config.json';
export const SFT_ANSWERS_LOG = 'build/answers.jsonl';
export const SFT_SUMMARY_FILE = 'build/summary.json';
/** The folder of a build where its graded answers are written as a run directory. */
export const SFT_RUN_FOLDER = 'run';

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes a built dataset from its graded answers (one run record per problem, in the problems' order): each becomes
 * a training example annotated `<|c_math|>` (correct) or `<|u_math|>` (incorrect), optionally balanced; written as
 * JSON Lines in the runner's training format, as Parquet, and with a dataset card (`confide data push` publishes the
 * folder); then the summary. Returns the summary.
 */
export async function writeSftDataset(input: {
  outFolder: string;
  config: SftDatasetConfig;
  name: string;
  problems: readonly Problem[];
  records: readonly RunRecord[];
  skippedWithoutAnswer: string[];
  model: string;
  plugins: PluginUse[];
  provenance: HubProvenance;
  source: string;
}): Promise<SftDatasetSummary> {
  const { outFolder, config, problems, records } = input;
  const graded = problems.map((problem, index) => annotateAnswer(problem, records[index]!));
  const rows = config.balance ? balanceExamples(graded, config.seed, input.source) : graded;
  writeJsonLines(join(outFolder, SFT_TRAIN_FILE), rows);
  const parquet = await writeParquetRows(rows);
  writeFileAtomic(join(outFolder, SFT_PARQUET_FILE), parquet);
  const columns = parquetColumnsOf(rows);
  const model = graded[0]?.model ?? input.model;
  const correctCount = graded.filter((example) => example.correct).length;
  const card = renderDatasetCard({
    repo: `local/${input.name}`,
    title: input.name,
    description: [
      `Confidence-annotated SFT data built with Confide (step 1 of the seed): ${model} answered ${problems.length} problems of \`${config.split}\`,`,
      `${config.evaluator.id} graded them (${correctCount} correct, ${graded.length - correctCount} incorrect), and each response is`,
      `annotated \`${CONFIDENT_TOKEN}\` when correct and \`${UNCERTAIN_TOKEN}\` when not${config.balance ? `; balanced to ${rows.length / 2} + ${rows.length / 2} (seed ${config.seed})` : ''}.`,
      '`response` is the answer without the token (the training runner appends the marker for `correct`); `annotatedResponse` ends with it.',
    ].join(' '),
    tags: ['confide', 'math', 'confidence-tokens', 'sft'],
    columns,
    provenance: input.provenance,
    splits: [{ name: 'train', rows: rows.length, bytes: parquet.length, files: [{ path: SFT_PARQUET_FILE, sha256: sha256(parquet), rows: rows.length }] }],
  });
  writeFileAtomic(join(outFolder, 'README.md'), card);
  const files = [SFT_TRAIN_FILE, SFT_PARQUET_FILE, 'README.md'].map((path) => {
    const bytes = readFileSync(join(outFolder, path));
    return { path, sha256: sha256(bytes), bytes: bytes.length };
  });
  const summary: SftDatasetSummary = {
    name: input.name,
    split: config.split,
    model,
    evaluator: config.evaluator.id,
    problems: problems.length,
    skippedWithoutAnswer: input.skippedWithoutAnswer,
    correct: correctCount,
    incorrect: graded.length - correctCount,
    balanced: config.balance,
    rows: rows.length,
    tokens: {
      confident: rows.filter((row) => row.confidenceToken === CONFIDENT_TOKEN).length,
      uncertain: rows.filter((row) => row.confidenceToken === UNCERTAIN_TOKEN).length,
    },
    usage: {
      input: records.reduce((sum, record) => sum + record.generation.usage.input, 0),
      output: records.reduce((sum, record) => sum + record.generation.usage.output + record.generation.usage.thinking, 0),
    },
    plugins: input.plugins,
    files,
  };
  writeFileAtomic(join(outFolder, SFT_SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** The summary of a finished build in `outFolder`, or null when none finished there. */
export function readSftDatasetSummary(outFolder: string): SftDatasetSummary | null {
  const path = join(outFolder, SFT_SUMMARY_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SftDatasetSummary) : null;
}
