import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  CONFIDENT_TOKEN,
  InvalidInputError,
  RunRecord,
  SEED_PRICES_2025_11,
  type Problem,
  type RouteDecision,
  type RunManifest,
} from '@confide/core';
import type { z } from 'zod';
import { describeZodIssue } from '../io/json-lines.js';
import type { TableRow } from '../io/table-rows.js';
import { recordsFromResultRows } from './import-results.js';
import type { RunDirectoryToWrite } from './run-directory.js';
import { RECORDED_RUNS_ORIGIN, type RecordedRunDefinition } from './recorded-run-catalog.js';
import {
  NO_CONFIDENCE_TOKEN,
  UpstreamConfidenceCsvRow,
  UpstreamResultRow,
  UpstreamResultsFile,
} from './upstream-rows.js';

export interface ImportedRun {
  manifest: RunDirectoryToWrite['manifest'];
  records: RunRecord[];
  /** The problems the run was asked (written into the run folder). */
  problems: readonly Problem[];
}

const RECORDED_GRADER = 'recorded';
const RECORDED_GRADER_REASON = "seed's sympy grader (math_equal)";

function parseRow<Schema extends z.ZodType>(schema: Schema, value: unknown, file: string, row: number): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError({ file, row, ...describeZodIssue(parsed.error) });
  return parsed.data;
}

/** A MATH-500 problem an upstream row maps to, with a note when the row's question is another problem's. */
interface MatchedProblem {
  problem: Problem;
  note?: string;
}

/** Maps upstream `prob_i` ids to MATH-500 problems, and lists the rows whose question belongs to another id. */
class ProblemMatcher {
  readonly #byText: Map<string, Problem>;
  readonly mismatched: string[] = [];

  constructor(readonly math500: readonly Problem[]) {
    this.#byText = new Map(math500.map((problem) => [problem.problem, problem]));
  }

  /**
   * `prob_i` is line i of MATH-500, and the row's question must be that problem's text. Where it is not (the first
   * 19 rows of the Gemini 2.5 Pro run re-ask other problems under ids prob_0..prob_19), the row keeps its id, is noted,
   * and its recorded gold answer is checked against the problem whose text it carries.
   */
  match(problemId: string, question: string, gold: string, file: string, row: number): MatchedProblem {
    const index = Number(problemId.slice('prob_'.length));
    const problem = this.math500[index];
    if (problem === undefined) {
      throw new InvalidInputError({ file, row, field: 'problem_id', problem: `${problemId} is past the 500 MATH-500 problems` });
    }
    // The fine-tuned model's CSV stores the whole chat prompt, which contains the problem text.
    const agrees = problem.problem === question || question.includes(`\n\n${problem.problem}`);
    const asked = agrees ? problem : this.#byText.get(question);
    if (asked === undefined) {
      throw new InvalidInputError({ file, row, field: 'question', problem: `${problemId}: no MATH-500 problem has this text` });
    }
    if (asked.answer !== gold) {
      throw new InvalidInputError({
        file,
        row,
        field: 'ground_truth',
        problem: `${JSON.stringify(gold)} is not the answer of ${asked.id} (${problemId})`,
      });
    }
    if (agrees) return { problem };
    this.mismatched.push(problemId);
    return { problem, note: `upstream row ${row} asks ${asked.id}, not ${problem.id}: its answer and grade are for ${asked.id}` };
  }
}

function routeFor(definition: RecordedRunDefinition, row: UpstreamResultRow, file: string, rowNumber: number): RouteDecision | undefined {
  const shape = definition.shape;
  if (shape.kind === 'single') return undefined;
  if (shape.kind === 'orchestrated') {
    if (row.hand_off_model === undefined) {
      throw new InvalidInputError({ file, row: rowNumber, field: 'hand_off_model', problem: 'missing in a Delegation I run' });
    }
    return {
      router: 'core/orchestrator',
      target: row.hand_off_model === 'SLM Math Expert' ? 'small' : 'large',
      reason: `recorded hand_off_model "${row.hand_off_model}"`,
      routerModel: shape.orchestrator,
      routerUsage: {
        input: row.planning_input_tokens ?? 0,
        output: row.planning_output_tokens ?? 0,
        thinking: row.planning_thinking_tokens ?? 0,
      },
    };
  }
  if (row.confidence_token === undefined) {
    throw new InvalidInputError({ file, row: rowNumber, field: 'confidence_token', problem: 'missing in a Delegation II run' });
  }
  // Delegation II's hand_off_model column is a leftover copied from Delegation I; the token decides.
  return {
    router: 'core/confidence-token',
    target: row.confidence_token === CONFIDENT_TOKEN ? 'small' : 'large',
    reason: `recorded confidence token ${row.confidence_token === NO_CONFIDENCE_TOKEN ? 'none' : row.confidence_token}`,
  };
}

/** The seed's `{summary, results}` columns, for the generic row importer. */
const RESULTS_JSON_COLUMNS = {
  id: 'problem_id',
  question: 'question',
  text: 'prediction',
  answer: 'extract_answer',
  correct: 'is_correct',
  gold: 'ground_truth',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  thinkingTokens: 'thinking_tokens',
  latencySeconds: 'latency_total',
  finishReason: 'reason',
  confidenceToken: 'confidence_token',
} as const;

/** The fine-tuned SLM's CSV columns. */
const CONFIDENCE_CSV_COLUMNS = {
  id: 'problem_id',
  question: 'question',
  text: 'full_pred',
  answer: 'pred',
  correct: 'check',
  gold: 'label',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  confidenceToken: 'confidence_token',
} as const;

const SEED_GRADER = { evaluator: RECORDED_GRADER, reason: RECORDED_GRADER_REASON };

function modelsOf(definition: RecordedRunDefinition): { model: string; models?: { small: string; large: string } } {
  const shape = definition.shape;
  return shape.kind === 'single' ? { model: shape.model } : { model: shape.large, models: { small: shape.small, large: shape.large } };
}

/**
 * The seed's JSON rows, each checked against the seed's own schema (every field named on error) and against MATH-500
 * (the gold answer of the question it asks), then turned into records by the generic row importer.
 */
function recordsFromResultsJson(definition: RecordedRunDefinition, file: string, text: string, matcher: ProblemMatcher): RunRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError({ file, problem: `not valid JSON (${(error as Error).message})` });
  }
  const results = parseRow(UpstreamResultsFile, json, file, 0).results;
  const rows = results.map((value, index) => {
    const row = parseRow(UpstreamResultRow, value, file, index + 1);
    matcher.match(row.problem_id, row.question, row.ground_truth, file, index + 1);
    return row as unknown as TableRow;
  });
  rejectDuplicateIds(rows, file);
  return recordsFromResultRows({
    file,
    rows,
    columns: RESULTS_JSON_COLUMNS,
    problems: matcher.math500,
    runId: definition.id,
    grader: SEED_GRADER,
    ...modelsOf(definition),
    routeOf: (row, rowNumber) => routeFor(definition, row as unknown as UpstreamResultRow, file, rowNumber),
  }).records.map((record) => RunRecord.parse(record));
}

function recordsFromConfidenceCsv(definition: RecordedRunDefinition, file: string, text: string, matcher: ProblemMatcher): RunRecord[] {
  // required here, when a seed CSV is imported (synchronously), not by every command that imports @confide/data
  const { parse: parseCsv } = createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync');
  let parsedRows: Record<string, string>[];
  try {
    parsedRows = parseCsv(text, { columns: true, skip_empty_lines: true, relax_column_count: false });
  } catch (error) {
    throw new InvalidInputError({ file, problem: `not valid CSV (${(error as Error).message})` });
  }
  const rows = parsedRows.map((value, index) => {
    const row = parseRow(UpstreamConfidenceCsvRow, value, file, index + 1);
    matcher.match(row.problem_id, row.question, row.label, file, index + 1);
    return row as unknown as TableRow;
  });
  rejectDuplicateIds(rows, file);
  const shape = definition.shape;
  return recordsFromResultRows({
    file,
    rows,
    columns: CONFIDENCE_CSV_COLUMNS,
    problems: matcher.math500,
    runId: definition.id,
    grader: SEED_GRADER,
    model: shape.kind === 'single' ? shape.model : shape.small,
  }).records.map((record) => RunRecord.parse(record));
}

/** The seed's own wording for a duplicate `prob_i` (the generic importer would name the MATH-500 id instead). */
function rejectDuplicateIds(rows: readonly TableRow[], file: string): void {
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const id = String(row['problem_id']);
    const first = seen.get(id);
    if (first !== undefined) throw new InvalidInputError({ file, row: index + 1, field: 'problem_id', problem: `duplicate ${id} (first at row ${first})` });
    seen.set(id, index + 1);
  });
}

function pluginsFor(definition: RecordedRunDefinition): RunManifest['plugins'] {
  switch (definition.shape.kind) {
    case 'single':
      return [];
    case 'orchestrated':
      return [{ id: 'core/orchestrator', kind: 'router', options: { mode: 'replay' } }];
    case 'confidence-routed':
      return [{ id: 'core/confidence-token', kind: 'router', options: { delegate: ['<|u_math|>', 'none'] } }];
  }
}

/**
 * Turns one upstream recorded run into RunRecords (sorted by MATH-500 order) and its manifest. Validates every row;
 * throws an InvalidInputError naming the file, the row and the field at the first bad one.
 */
export function importRecordedRun(
  definition: RecordedRunDefinition,
  sourceFolder: string,
  math500: readonly Problem[],
): ImportedRun {
  const file = join(sourceFolder, definition.folder, definition.file);
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  const matcher = new ProblemMatcher(math500);
  const records =
    definition.format === 'confidence-csv'
      ? recordsFromConfidenceCsv(definition, file, text, matcher)
      : recordsFromResultsJson(definition, file, text, matcher);
  const manifest: RunDirectoryToWrite['manifest'] = {
    runId: definition.id,
    description: definition.description,
    dataset: 'math500',
    config: {
      shape: definition.shape,
      upstreamFolder: definition.folder,
      upstreamFile: definition.file,
      rowsAskingAnotherProblem: matcher.mismatched,
    },
    plugins: pluginsFor(definition),
    git: { commit: null, dirty: null },
    packageVersions: {},
    priceTable: SEED_PRICES_2025_11,
    source: {
      kind: 'recorded',
      origin: RECORDED_RUNS_ORIGIN,
      files: [{ path: `${definition.folder}/${definition.file}`, sha256: createHash('sha256').update(bytes).digest('hex') }],
    },
    records: records.length,
  };
  return { manifest, records, problems: math500 };
}
