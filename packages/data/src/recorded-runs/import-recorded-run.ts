import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIDENT_TOKEN,
  InvalidInputError,
  RUN_MANIFEST_SCHEMA_VERSION,
  RUN_RECORD_SCHEMA_VERSION,
  RunRecord,
  SEED_PRICES_2025_11,
  type ConfidenceToken,
  type Problem,
  type RouteDecision,
  type RunManifest,
} from '@confide/core';
import { parse as parseCsv } from 'csv-parse/sync';
import type { z } from 'zod';
import { describeZodIssue } from '../io/json-lines.js';
import { RECORDED_RUNS_ORIGIN, type RecordedRunDefinition } from './recorded-run-catalog.js';
import {
  NO_CONFIDENCE_TOKEN,
  UpstreamConfidenceCsvRow,
  UpstreamResultRow,
  UpstreamResultsFile,
} from './upstream-rows.js';

export interface ImportedRun {
  manifest: RunManifest;
  records: RunRecord[];
}

const RECORDED_GRADER = 'recorded';
const RECORDED_GRADER_REASON = "seed's sympy grader (math_equal)";

function parseRow<Schema extends z.ZodType>(schema: Schema, value: unknown, file: string, row: number): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError({ file, row, ...describeZodIssue(parsed.error) });
  return parsed.data;
}

function tokenOrNull(token: string | undefined): ConfidenceToken | null {
  return token === undefined || token === NO_CONFIDENCE_TOKEN ? null : (token as ConfidenceToken);
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

function modelFor(definition: RecordedRunDefinition, route: RouteDecision | undefined): string {
  const shape = definition.shape;
  if (shape.kind === 'single') return shape.model;
  return route?.target === 'small' ? shape.small : shape.large;
}

function recordsFromResultsJson(definition: RecordedRunDefinition, file: string, text: string, matcher: ProblemMatcher): RunRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError({ file, problem: `not valid JSON (${(error as Error).message})` });
  }
  const results = parseRow(UpstreamResultsFile, json, file, 0).results;
  return results.map((value, index) => {
    const rowNumber = index + 1;
    const row = parseRow(UpstreamResultRow, value, file, rowNumber);
    const { problem, note } = matcher.match(row.problem_id, row.question, row.ground_truth, file, rowNumber);
    const route = routeFor(definition, row, file, rowNumber);
    const model = modelFor(definition, route);
    const smallAnswered = definition.shape.kind === 'confidence-routed' && route?.target === 'small';
    return RunRecord.parse({
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: definition.id,
      problemId: problem.id,
      sourceId: row.problem_id,
      subject: problem.subject,
      level: problem.level,
      gold: row.ground_truth,
      generation: {
        model,
        text: row.prediction,
        answer: row.extract_answer,
        confidenceToken: smallAnswered ? tokenOrNull(row.confidence_token) : null,
        usage: { input: row.input_tokens, output: row.output_tokens, thinking: row.thinking_tokens ?? 0 },
        latencyMs: row.latency_total * 1000,
        finishReason: row.reason ?? null,
      },
      grade: { correct: row.is_correct, evaluator: RECORDED_GRADER, reason: RECORDED_GRADER_REASON },
      ...(route ? { route } : {}),
      ...(note ? { note } : {}),
    });
  });
}

function recordsFromConfidenceCsv(definition: RecordedRunDefinition, file: string, text: string, matcher: ProblemMatcher): RunRecord[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, relax_column_count: false });
  } catch (error) {
    throw new InvalidInputError({ file, problem: `not valid CSV (${(error as Error).message})` });
  }
  const model = definition.shape.kind === 'single' ? definition.shape.model : definition.shape.small;
  return rows.map((value, index) => {
    const rowNumber = index + 1;
    const row = parseRow(UpstreamConfidenceCsvRow, value, file, rowNumber);
    const { problem, note } = matcher.match(row.problem_id, row.question, row.label, file, rowNumber);
    return RunRecord.parse({
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: definition.id,
      problemId: problem.id,
      sourceId: row.problem_id,
      subject: problem.subject,
      level: problem.level,
      gold: row.label,
      generation: {
        model,
        text: row.full_pred,
        answer: row.pred,
        confidenceToken: tokenOrNull(row.confidence_token),
        usage: { input: row.input_tokens, output: row.output_tokens, thinking: 0 },
        latencyMs: null,
        finishReason: null,
      },
      grade: { correct: row.check, evaluator: RECORDED_GRADER, reason: RECORDED_GRADER_REASON },
      ...(note ? { note } : {}),
    });
  });
}

function rejectDuplicates(records: readonly RunRecord[], file: string): void {
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const first = seen.get(record.problemId);
    if (first !== undefined) {
      throw new InvalidInputError({
        file,
        row: index + 1,
        field: 'problem_id',
        problem: `duplicate ${record.sourceId ?? record.problemId} (first at row ${first})`,
      });
    }
    seen.set(record.problemId, index + 1);
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
  rejectDuplicates(records, file);
  const order = new Map(math500.map((problem, index) => [problem.id, index]));
  records.sort((left, right) => order.get(left.problemId)! - order.get(right.problemId)!);
  const manifest: RunManifest = {
    schemaVersion: RUN_MANIFEST_SCHEMA_VERSION,
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
    priceTable: { id: SEED_PRICES_2025_11.id, version: SEED_PRICES_2025_11.version },
    source: {
      kind: 'recorded',
      origin: RECORDED_RUNS_ORIGIN,
      files: [{ path: `${definition.folder}/${definition.file}`, sha256: createHash('sha256').update(bytes).digest('hex') }],
    },
    records: records.length,
  };
  return { manifest, records };
}
