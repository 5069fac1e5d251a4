import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import {
  ConfideError,
  DEFAULT_BINARIZE_AT,
  CONFIDENT_TOKEN,
  InvalidConfigError,
  InvalidInputError,
  priceOf,
  RUN_RECORD_SCHEMA_VERSION,
  UNCERTAIN_TOKEN,
  type ConfidenceToken,
  type PriceTable,
  type Problem,
  type RouteDecision,
  type RunRecord,
} from '@confide/core';
import { sha256OfFile } from '../io/file-chunks.js';
import { forEachTableRow, tableColumnNames, type TableRow } from '../io/table-rows.js';
import { packageVersions } from '../workspace-state.js';
import { RecordSpool } from './record-spool.js';
import type { RecordsFileSource, RunDirectoryToWrite } from './run-directory.js';

/** The fields of a per-problem result that the importer reads, and the column names it tries for each. */
export const RESULT_COLUMNS = {
  id: ['problem_id', 'id', 'unique_id', 'qid'],
  question: ['question', 'problem', 'prompt'],
  text: ['full_response', 'response', 'prediction', 'output', 'completion', 'generated_text', 'full_pred'],
  answer: ['extracted_answer', 'extract_answer', 'predicted_answer', 'pred', 'model_answer'],
  correct: ['is_correct', 'correct', 'verdict', 'check'],
  score: ['score', 'grade_score', 'partial_credit', 'quality'],
  gold: ['ground_truth', 'gold', 'answer', 'label', 'reference'],
  inputTokens: ['input_tokens', 'prompt_tokens'],
  outputTokens: ['output_tokens', 'completion_tokens'],
  thinkingTokens: ['thinking_tokens', 'reasoning_tokens'],
  latencySeconds: ['latency_total', 'latency', 'latency_s', 'response_time'],
  latencyMs: ['latency_ms'],
  confidenceToken: ['confidence_token'],
  pConfident: ['p_confident', 'p_c', 'prob_confident'],
  pUncertain: ['p_uncertain', 'p_u', 'prob_uncertain'],
  route: ['route', 'routed_to'],
  finishReason: ['finish_reason', 'reason'],
} as const;
export type ResultField = keyof typeof RESULT_COLUMNS;

export interface ImportResultsOptions {
  /** The results file: `{summary, results}` JSON (the seed's format), a JSON array, JSONL, CSV or Parquet. */
  file: string;
  /** The dataset the rows answer, as loaded, and its pinned reference for the manifest. */
  problems: readonly Problem[];
  datasetReference: string;
  /** The model that answered (priced by `prices`). */
  model: string;
  runId: string;
  prices: PriceTable;
  /** `field → column` for columns the defaults do not find (e.g. `{ text: "model_output" }`). */
  map?: Partial<Record<ResultField, string>>;
  /** The model of each route, for a delegated run (both models' answers in one file). */
  models?: { small: string; large: string };
  /** Refuse a file that leaves a problem of the dataset unanswered or names one the dataset lacks. */
  requireComplete?: boolean;
  /** Where a graded score becomes the verdict when the file has a score column and no verdict column (default 0.5). */
  binarizeAt?: number;
  /** Where records wait between reading and writing (default: the system's temporary folder); the run folder is best. */
  spoolFolder?: string;
  /** Ctrl-C: the import stops at the next row it reads, removes its spool and fails with CANCELLED (nothing written). */
  signal?: AbortSignal;
}

/** How much of the dataset a results file covers. */
export interface ImportCoverage {
  /** Problems of the dataset the file answers (records imported). */
  imported: number;
  /** Problems in the dataset. */
  dataset: number;
  /** Problems of the dataset the file does not answer: how many, and the first five ids. */
  notInFile: { count: number; first: string[] };
  /** Rows naming a problem the dataset lacks, left out: how many, and the first five ids as the file writes them. */
  notInDataset: { count: number; first: string[] };
}

/** One line saying what an import covered, e.g. "imported 150 of 300 problems; 150 not in the results file (first five: …)". */
export function describeCoverage(coverage: ImportCoverage): string {
  const parts = [`imported ${coverage.imported} of ${coverage.dataset} problems`];
  if (coverage.notInFile.count > 0) parts.push(`${coverage.notInFile.count} not in the results file (first ${Math.min(5, coverage.notInFile.count)}: ${coverage.notInFile.first.join(', ')})`);
  if (coverage.notInDataset.count > 0) {
    parts.push(`${coverage.notInDataset.count} rows name a problem the dataset lacks, left out (first ${Math.min(5, coverage.notInDataset.count)}: ${coverage.notInDataset.first.join(', ')})`);
  }
  return parts.join('; ');
}

export interface ImportedResults {
  manifest: RunDirectoryToWrite['manifest'];
  /** The dataset's problems (written into the run folder). */
  problems: readonly Problem[];
  /** The records, serialised, in the dataset's order: on disk until written (call `discard` after writing them). */
  records: RecordsFileSource;
  /** How many records, and how many of them correct. */
  counts: { records: number; correct: number };
  /** Deletes the spooled records: after they are written, or when the import is given up. */
  discard(): void;
  /** Rows whose question (or gold answer) is not that of the problem they name: kept, noted on the record, counted here. */
  questionMismatches: string[];
  /** Where the file's own `summary` disagrees with what its rows give (empty when it agrees or has none). */
  summaryMismatches: string[];
  /** Which column each field was read from. */
  columns: Partial<Record<ResultField, string>>;
  coverage: ImportCoverage;
}

export interface ResultRowsInput {
  file: string;
  rows: readonly TableRow[];
  /** Which column holds each field. */
  columns: Partial<Record<ResultField, string>>;
  problems: readonly Problem[];
  /** The model that answered; with `models`, the model of each route (a delegated run holds both). */
  model: string;
  models?: { small: string; large: string };
  runId: string;
  /** Who graded the recorded verdicts (default: `recorded`, "verdict recorded in <file>"). */
  grader?: { evaluator: string; reason: string };
  /** The route a row records, when a format encodes it in its own columns (the seed's hand_off_model, its token). */
  routeOf?: (row: TableRow, rowNumber: number) => RouteDecision | undefined;
  /** A row naming a problem the dataset lacks: `fail` (the default) or `leave-out` (counted in `unknownIds`). */
  unknownIds?: 'fail' | 'leave-out';
  /** Where a graded score becomes the verdict, for a file that gives a score and no verdict (default 0.5). */
  binarizeAt?: number;
}

/**
 * Turns per-problem result rows into RunRecords, a row at a time: the one place a row of another harness becomes a
 * record, used by `confide data import` (streaming) and by the bundled MATH-500 import (recordsFromResultRows). It
 * keeps only what spans rows: which problems were answered (by row), the rows naming another question, the ids left out.
 */
export class ResultRowReader {
  readonly #indexById: Map<string, number>;
  /** The row that answered each problem of the dataset (0: none yet). */
  readonly #seenRow: Float64Array;
  #byText: Map<string, Problem> | undefined;
  readonly questionMismatches: string[] = [];
  readonly unknownIds: string[] = [];

  constructor(readonly input: Omit<ResultRowsInput, 'rows'>) {
    this.#indexById = new Map();
    input.problems.forEach((problem, index) => this.#indexById.set(problem.id, index));
    this.#seenRow = new Float64Array(input.problems.length);
  }

  /** The position of a problem in the dataset: the order records are written in. */
  datasetIndex(problemId: string): number {
    return this.#indexById.get(problemId)!;
  }

  /** Whether a row answered the problem at `index` of the dataset. */
  answered(index: number): boolean {
    return this.#seenRow[index] !== 0;
  }

  /** The problem whose question is `text` (the index is built on the first row that asks another question). */
  #problemWithText(text: string): Problem | undefined {
    this.#byText ??= new Map(this.input.problems.map((problem) => [problem.problem, problem]));
    return this.#byText.get(text);
  }

  #cell(row: TableRow, field: ResultField): unknown {
    const column = this.input.columns[field];
    return column === undefined ? undefined : row[column];
  }

  #fail(rowNumber: number, field: ResultField, problem: string): never {
    throw new InvalidInputError({ file: this.input.file, row: rowNumber, field: this.input.columns[field] ?? field, problem });
  }

  #count(row: TableRow, rowNumber: number, field: ResultField): number {
    const value = this.#cell(row, field);
    if (!present(value)) return 0;
    const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) this.#fail(rowNumber, field, `expected a non-negative integer token count, got ${JSON.stringify(value)}`);
    return number as number;
  }

  #real(row: TableRow, rowNumber: number, field: ResultField): number | undefined {
    const value = this.#cell(row, field);
    if (!present(value)) return undefined;
    const number = typeof value === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) this.#fail(rowNumber, field, `expected a number, got ${JSON.stringify(value)}`);
    return number as number;
  }

  /** The record of one row (its 1-based number), or undefined for a row naming a problem the dataset lacks, left out. */
  read(row: TableRow, rowNumber: number): RunRecord | undefined {
    const rawId = String(this.#cell(row, 'id') ?? '');
    const position = /^(?:prob_)?(\d+)$/.exec(rawId);
    const byId = this.#indexById.get(rawId);
    const problem = byId !== undefined ? this.input.problems[byId] : position ? this.input.problems[Number(position[1])] : undefined;
    if (problem === undefined && this.input.unknownIds === 'leave-out') {
      this.unknownIds.push(rawId);
      return undefined;
    }
    if (problem === undefined) this.#fail(rowNumber, 'id', `problem "${rawId}" is not in the dataset (${this.input.problems.length} problems; ids like ${this.input.problems[0]?.id ?? '-'}, or prob_<row>)`);
    const problemIndex = this.#indexById.get(problem!.id)!;
    const earlier = this.#seenRow[problemIndex]!;
    if (earlier !== 0) this.#fail(rowNumber, 'id', `problem ${problem!.id} appears twice (also row ${earlier})`);
    this.#seenRow[problemIndex] = rowNumber;

    // a graded score in [0, 1] where the file gives one; the verdict is the file's own, else score ≥ binarizeAt
    const score = this.#real(row, rowNumber, 'score');
    if (score !== undefined && (score < 0 || score > 1)) this.#fail(rowNumber, 'score', `expected a graded score in [0, 1], got ${score}`);
    const verdictValue = this.#cell(row, 'correct');
    const correct =
      this.input.columns.correct === undefined && score !== undefined
        ? score >= (this.input.binarizeAt ?? DEFAULT_BINARIZE_AT)
        : typeof verdictValue === 'boolean' ? verdictValue : typeof verdictValue === 'string' && /^(true|false)$/i.test(verdictValue.trim()) ? verdictValue.trim().toLowerCase() === 'true' : verdictValue === 1 || verdictValue === 0 ? verdictValue === 1 : undefined;
    if (correct === undefined) this.#fail(rowNumber, this.input.columns.correct === undefined ? 'score' : 'correct', this.input.columns.correct === undefined ? 'expected a graded score in [0, 1] (the file has no verdict column)' : `expected a verdict (true/false, "True"/"False"), got ${JSON.stringify(verdictValue)}`);

    const tokenValue = this.#cell(row, 'confidenceToken');
    const confidenceToken: ConfidenceToken | null = tokenValue === CONFIDENT_TOKEN || tokenValue === UNCERTAIN_TOKEN ? tokenValue : null;
    const pConfident = this.#real(row, rowNumber, 'pConfident');
    const pUncertain = this.#real(row, rowNumber, 'pUncertain');
    if ((pConfident === undefined) !== (pUncertain === undefined)) this.#fail(rowNumber, pConfident === undefined ? 'pConfident' : 'pUncertain', 'P(c) and P(u) come together');
    if (pConfident !== undefined && (pConfident < 0 || pUncertain! < 0 || pConfident + pUncertain! > 1 + 1e-9)) this.#fail(rowNumber, 'pConfident', 'P(c) and P(u) must be probabilities whose sum is at most 1');
    const latencySeconds = this.#real(row, rowNumber, 'latencySeconds');
    const latencyMs = this.#real(row, rowNumber, 'latencyMs') ?? (latencySeconds === undefined ? null : latencySeconds * 1000);
    const routeValue = this.#cell(row, 'route');
    if (this.input.routeOf === undefined && present(routeValue) && routeValue !== 'small' && routeValue !== 'large') {
      this.#fail(rowNumber, 'route', `expected "small" or "large", got ${JSON.stringify(routeValue)}`);
    }
    const route: RouteDecision | undefined = this.input.routeOf
      ? this.input.routeOf(row, rowNumber)
      : present(routeValue)
        ? { router: 'recorded', target: routeValue as 'small' | 'large', reason: `recorded route in ${basename(this.input.file)}` }
        : undefined;

    // A row that carries another problem's question keeps the id it names, with the gold answer of the question it
    // asks (its verdict is for that one); it is noted and counted.
    const question = this.#cell(row, 'question');
    let note: string | undefined;
    let gold = problem!.answer;
    if (present(question) && String(question) !== problem!.problem && !String(question).includes(problem!.problem)) {
      this.questionMismatches.push(problem!.id);
      const asked = this.#problemWithText(String(question));
      if (asked) gold = asked.answer;
      note = asked
        ? `upstream row ${rowNumber} asks ${asked.id}, not ${problem!.id}: its answer and grade are for ${asked.id}`
        : `upstream row ${rowNumber} carries another question than ${problem!.id}'s: its answer and verdict may be another problem's`;
    }
    const rowGold = this.#cell(row, 'gold');
    if (note === undefined && present(rowGold) && problem!.answer !== null && String(rowGold).trim() !== problem!.answer.trim()) {
      this.questionMismatches.push(problem!.id);
      note = `upstream row ${rowNumber} carries the gold answer ${JSON.stringify(String(rowGold))}, not ${problem!.id}'s ${JSON.stringify(problem!.answer)}`;
    }
    const finishReason = this.#cell(row, 'finishReason');
    const answer = this.#cell(row, 'answer');
    return {
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: this.input.runId,
      problemId: problem!.id,
      ...(rawId !== problem!.id ? { sourceId: rawId } : {}),
      ...(problem!.subject !== undefined ? { subject: problem!.subject } : {}),
      ...(problem!.level !== undefined ? { level: problem!.level } : {}),
      gold,
      generation: {
        model: (route && this.input.models?.[route.target]) ?? this.input.model,
        text: String(this.#cell(row, 'text') ?? ''),
        // as the file has it: an empty extracted answer stays "", a missing one is null
        answer: answer === undefined || answer === null ? null : String(answer),
        // a delegated answer is the large model's: the token (the small model's) is not on it
        confidenceToken: route?.target === 'large' ? null : confidenceToken,
        ...(pConfident !== undefined ? { confidenceProbabilities: { confident: pConfident, uncertain: pUncertain! } } : {}),
        usage: { input: this.#count(row, rowNumber, 'inputTokens'), output: this.#count(row, rowNumber, 'outputTokens'), thinking: this.#count(row, rowNumber, 'thinkingTokens') },
        latencyMs,
        finishReason: present(finishReason) ? String(finishReason) : null,
      },
      grade: this.input.grader
        ? { correct: correct!, ...(score !== undefined ? { score } : {}), evaluator: this.input.grader.evaluator, reason: this.input.grader.reason }
        : {
            correct: correct!,
            ...(score !== undefined ? { score } : {}),
            evaluator: 'recorded',
            reason: this.input.columns.correct === undefined ? `score recorded in ${basename(this.input.file)}, correct when ≥ ${this.input.binarizeAt ?? DEFAULT_BINARIZE_AT}` : `verdict recorded in ${basename(this.input.file)}`,
          },
      ...(route ? { route } : {}),
      ...(note ? { note } : {}),
    };
  }
}

/**
 * Per-problem result rows (already read) as RunRecords, in the dataset's order (ResultRowReader, a row at a time).
 */
export function recordsFromResultRows(input: ResultRowsInput): { records: RunRecord[]; questionMismatches: string[]; unknownIds: string[] } {
  const reader = new ResultRowReader(input);
  const records = input.rows.flatMap((row, index) => reader.read(row, index + 1) ?? []);
  // in the dataset's order, whatever the file's
  records.sort((left, right) => reader.datasetIndex(left.problemId) - reader.datasetIndex(right.problemId));
  return { records, questionMismatches: reader.questionMismatches, unknownIds: reader.unknownIds };
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** Which column holds each field, for a file with these column names: the mapped one, else the first common name. */
function chooseColumns(names: ReadonlySet<string>, map: ImportResultsOptions['map']): Partial<Record<ResultField, string>> {
  const columns: Partial<Record<ResultField, string>> = {};
  for (const field of Object.keys(RESULT_COLUMNS) as ResultField[]) {
    const found = map?.[field] ?? RESULT_COLUMNS[field].find((name) => names.has(name));
    if (found !== undefined) columns[field] = found;
  }
  return columns;
}

function requiredFields(columns: Partial<Record<ResultField, string>>): ResultField[] {
  return ['id', 'text', ...(columns.score === undefined ? (['correct'] as const) : [])];
}

function sameColumns(left: Partial<Record<ResultField, string>>, right: Partial<Record<ResultField, string>>): boolean {
  return (Object.keys(RESULT_COLUMNS) as ResultField[]).every((field) => left[field] === right[field]);
}

/** Checks --map against the file's column names, and that every field a record needs has a column. */
function checkColumns(file: string, names: ReadonlySet<string>, map: ImportResultsOptions['map'], columns: Partial<Record<ResultField, string>>): void {
  for (const [field, mapped] of Object.entries(map ?? {}) as Array<[ResultField, string]>) {
    if (!(field in RESULT_COLUMNS)) throw new InvalidConfigError(`--map ${field}=${mapped}: unknown field "${field}" (fields: ${Object.keys(RESULT_COLUMNS).join(', ')})`);
    if (!names.has(mapped)) throw new InvalidConfigError(`--map ${field}=${mapped}: ${file} has no column "${mapped}" (columns: ${[...names].join(', ')})`);
  }
  for (const required of requiredFields(columns)) {
    if (columns[required] === undefined) {
      throw new InvalidInputError({ file, field: required, problem: `no ${required} column (tried ${RESULT_COLUMNS[required].join(', ')}; name one with --map ${required}=<column>)` });
    }
  }
}

/** A row of a JSON (Lines) file brought a column that changes which column a field is read from: read again. */
class ColumnsChanged extends Error {}

/**
 * The file's column names and the columns chosen from them. For JSON and JSON Lines, whose rows need not share keys,
 * the names are the first row's when they already give every field a column (`exact: false`: the rows read confirm
 * them, ColumnsChanged when one does not); else every row's, from a pass of their own.
 */
async function resultFileColumns(file: string, map: ImportResultsOptions['map']): Promise<{ names: Set<string>; columns: Partial<Record<ResultField, string>>; exact: boolean }> {
  const first = await tableColumnNames(file, { firstRowOnly: true });
  if (!first.complete) {
    const names = new Set(first.names);
    const columns = chooseColumns(names, map);
    const mapped = Object.entries(map ?? {}).every(([field, column]) => field in RESULT_COLUMNS && names.has(column));
    if (names.size > 0 && mapped && requiredFields(columns).every((field) => columns[field] !== undefined)) return { names, columns, exact: false };
  }
  const names = new Set(first.complete ? first.names : (await tableColumnNames(file)).names);
  return { names, columns: chooseColumns(names, map), exact: true };
}

/**
 * Imports a file of per-problem results from another harness as a run directory's records: each row names its
 * problem by the dataset's id or by row position (`prob_<i>`, or `i`), carries the full text, the extracted answer and
 * a verdict, and where present token counts, latency, the confidence token with its probabilities, and the route.
 * Numbers and booleans written as strings are read as such. The file is read a row at a time (never held whole), each
 * record serialised as its row is read into a spool the caller writes from and then discards; every row is checked
 * before anything is returned, and a bad row fails naming the file, the row and the column.
 */
export async function importResultsFile(options: ImportResultsOptions): Promise<ImportedResults> {
  const { file } = options;
  let { names, columns, exact } = await resultFileColumns(file, options.map);
  if (names.size === 0) throw new InvalidInputError({ file, problem: 'no rows' });
  if (exact) checkColumns(file, names, options.map, columns);
  for (;;) {
    try {
      return await importRows(options, columns, exact ? undefined : names);
    } catch (error) {
      if (exact || (ConfideError.isInstance(error) && error.code === 'CANCELLED')) throw error;
      // a row failed, or brought a column that changes the choice, while the columns were the first row's: with every
      // row's names, a failure stands when the columns are the same; else the file is read again with the right ones
      const all = new Set((await tableColumnNames(file)).names);
      const allColumns = chooseColumns(all, options.map);
      checkColumns(file, all, options.map, allColumns);
      if (!(error instanceof ColumnsChanged) && sameColumns(allColumns, columns)) throw error;
      [names, columns, exact] = [all, allColumns, true];
    }
  }
}

/**
 * Reads the rows with the columns chosen, a row at a time, each record serialised into a spool as its row is read.
 * `confirming`: the names the columns were chosen from, when they are the first row's only (each row's keys are
 * checked against them; a key that changes the choice throws ColumnsChanged).
 */
async function importRows(options: ImportResultsOptions, columns: Partial<Record<ResultField, string>>, confirming: Set<string> | undefined): Promise<ImportedResults> {
  const { file } = options;
  // a model without a price fails here, naming the model and the table
  for (const model of [options.model, ...(options.models ? [options.models.small, options.models.large] : [])]) priceOf(options.prices, model);

  const reader = new ResultRowReader({
    file,
    columns,
    problems: options.problems,
    model: options.model,
    runId: options.runId,
    unknownIds: 'leave-out',
    ...(options.binarizeAt !== undefined ? { binarizeAt: options.binarizeAt } : {}),
    ...(options.models ? { models: options.models } : {}),
  });
  // each record is written as its row is read, to a spool on disk, and read back in the dataset's order when written
  const spool = new RecordSpool(options.spoolFolder ?? tmpdir());
  try {
    let correct = 0;
    const { rows, summary } = await forEachTableRow(file, (row, rowNumber) => {
      if (options.signal?.aborted) throw new ConfideError('CANCELLED', `data import: cancelled at row ${rowNumber} of ${file}; nothing was written`);
      if (confirming !== undefined) {
        for (const key in row) {
          if (confirming.has(key)) continue;
          confirming.add(key);
          if (!sameColumns(chooseColumns(confirming, options.map), columns)) throw new ColumnsChanged(`${file}: row ${rowNumber} brings column ${key}`);
        }
      }
      const record = reader.read(row, rowNumber);
      if (record === undefined) return;
      if (record.grade.correct) correct++;
      spool.write(reader.datasetIndex(record.problemId), JSON.stringify(record));
    });
    if (rows === 0) throw new InvalidInputError({ file, problem: 'no rows' });
    const imported = spool.count;
    const notInFile = { count: 0, first: [] as string[] };
    options.problems.forEach((problem, index) => {
      if (reader.answered(index)) return;
      notInFile.count++;
      if (notInFile.first.length < 5) notInFile.first.push(problem.id);
    });
    const { questionMismatches, unknownIds } = reader;
    const coverage: ImportCoverage = {
      imported,
      dataset: options.problems.length,
      notInFile,
      notInDataset: { count: unknownIds.length, first: unknownIds.slice(0, 5) },
    };
    if (imported === 0) {
      throw new InvalidInputError({
        file,
        row: 1,
        field: columns.id!,
        problem: `problem "${unknownIds[0]}" is not in the dataset, nor is any other row's (${unknownIds.length} rows; the dataset's ${options.problems.length} problems have ids like ${options.problems[0]?.id ?? '-'}, or name a row by position: prob_<row>)`,
      });
    }
    if (options.requireComplete && (notInFile.count > 0 || unknownIds.length > 0)) {
      throw new InvalidInputError({ file, problem: `--require-complete: ${describeCoverage(coverage)}` });
    }

    const summaryMismatches: string[] = [];
    if (summary) {
      const checks: Array<[string, number]> = [
        ['correct', correct],
        ['total', imported],
        ['accuracy', correct / imported],
      ];
      for (const [key, value] of checks) {
        const stated = Number(summary[key]);
        if (summary[key] !== undefined && Number.isFinite(stated) && Math.abs(stated - value) > 1e-9) {
          summaryMismatches.push(`summary.${key} is ${String(summary[key])}, the rows give ${key === 'accuracy' ? value.toFixed(4) : value}`);
        }
      }
    }

    const manifest: RunDirectoryToWrite['manifest'] = {
      runId: options.runId,
      description: `${options.model} on ${options.datasetReference}, imported from ${basename(file)}`,
      dataset: options.datasetReference,
      config: {
        importedFrom: basename(file),
        model: options.model,
        columns,
        questionMismatches: questionMismatches.length,
        summaryMismatches,
        coverage: { imported: coverage.imported, dataset: coverage.dataset, notInFile: coverage.notInFile.count, rowsNotInDataset: coverage.notInDataset.count },
        // a file of graded scores without verdicts: where the verdict was drawn
        ...(columns.score !== undefined && columns.correct === undefined ? { binarizeAt: options.binarizeAt ?? DEFAULT_BINARIZE_AT } : {}),
      },
      plugins: [],
      git: { commit: null, dirty: null },
      packageVersions: packageVersions(),
      priceTable: options.prices,
      source: { kind: 'recorded', origin: file, files: [{ path: basename(file), sha256: sha256OfFile(file) }] },
      records: imported,
    };
    return {
      manifest,
      problems: options.problems,
      records: spool,
      counts: { records: imported, correct },
      questionMismatches,
      summaryMismatches,
      columns,
      coverage,
      discard: () => spool.remove(),
    };
  } catch (error) {
    spool.remove();
    throw error;
  }
}
