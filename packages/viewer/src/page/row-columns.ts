import type { ProblemRow } from './view-model.js';

/** The problems' own columns, shared by every run: an id and a label (the viewed run's source id, else the id). */
export interface ProblemColumns {
  count: number;
  id: (index: number) => string;
  label: (index: number) => string;
}

/** A confidence token as a code: the order of `TOKENS`. */
export const TOKENS = ['confident', 'uncertain', 'none'] as const satisfies readonly ProblemRow['token'][];

/**
 * One run's table rows as columns (what the table filters and sorts on, per problem), so a million problems filter
 * without a million objects. Missing values: level 0, P(c) and latency NaN, route -1.
 */
export interface RowColumns {
  subject: readonly string[];
  level: Int8Array;
  /** An index into `TOKENS`. */
  token: Uint8Array;
  pConfident: Float64Array;
  correct: Uint8Array;
  score: Float64Array;
  mathCorrect: Uint8Array;
  /** 1: the recorded route went to the large model, 0: it kept the answer, -1: the record has no route. */
  routedLarge: Int8Array;
  finish: readonly string[];
  /** Every call the record holds, priced. */
  costUsd: Float64Array;
  /** The answer's own generation, priced in hundred-millionths of a dollar (what a threshold sweep pays for it). */
  answerCost: Float64Array;
  outputTokens: Float64Array;
  latencyMs: Float64Array;
}

/** The names of `RowColumns`' numeric columns and their array types, for encoding and checking them. */
export const NUMERIC_COLUMNS = {
  level: Int8Array,
  token: Uint8Array,
  pConfident: Float64Array,
  correct: Uint8Array,
  score: Float64Array,
  mathCorrect: Uint8Array,
  routedLarge: Int8Array,
  costUsd: Float64Array,
  answerCost: Float64Array,
  outputTokens: Float64Array,
  latencyMs: Float64Array,
} as const satisfies Record<string, new (length: number) => ArrayLike<number>>;
export const STRING_COLUMNS = ['subject', 'finish'] as const;

/** A run's rows as columns; `answerCost(index)` prices the answer's generation (hundred-millionths). */
export function rowColumnsOf(rows: readonly ProblemRow[], answerCost: (index: number) => number): RowColumns {
  const n = rows.length;
  const columns: RowColumns = {
    subject: rows.map((row) => row.subject),
    level: new Int8Array(n),
    token: new Uint8Array(n),
    pConfident: new Float64Array(n),
    correct: new Uint8Array(n),
    score: new Float64Array(n),
    mathCorrect: new Uint8Array(n),
    routedLarge: new Int8Array(n),
    finish: rows.map((row) => row.finish),
    costUsd: new Float64Array(n),
    answerCost: new Float64Array(n),
    outputTokens: new Float64Array(n),
    latencyMs: new Float64Array(n),
  };
  rows.forEach((row, index) => {
    columns.level[index] = row.level ?? 0;
    columns.token[index] = TOKENS.indexOf(row.token);
    columns.pConfident[index] = row.pConfident ?? Number.NaN;
    columns.correct[index] = row.correct ? 1 : 0;
    columns.score[index] = row.score;
    columns.mathCorrect[index] = row.mathCorrect ? 1 : 0;
    columns.routedLarge[index] = row.routedLarge === null ? -1 : row.routedLarge ? 1 : 0;
    columns.costUsd[index] = row.costUsd;
    columns.answerCost[index] = answerCost(index);
    columns.outputTokens[index] = row.outputTokens;
    columns.latencyMs[index] = row.latencyMs ?? Number.NaN;
  });
  return columns;
}

/** Row `index` of a run, as an object (the table builds one per row it shows). */
export function rowAt(problems: ProblemColumns, columns: RowColumns, index: number): ProblemRow {
  const level = columns.level[index]!;
  const p = columns.pConfident[index]!;
  const routed = columns.routedLarge[index]!;
  const latency = columns.latencyMs[index]!;
  const correct = columns.correct[index] === 1;
  const mathCorrect = columns.mathCorrect[index] === 1;
  return {
    index,
    id: problems.id(index),
    label: problems.label(index),
    subject: columns.subject[index]!,
    level: level === 0 ? null : level,
    token: TOKENS[columns.token[index]!]!,
    pConfident: Number.isNaN(p) ? null : p,
    correct,
    score: columns.score[index]!,
    mathCorrect,
    disagree: correct !== mathCorrect,
    routedLarge: routed === -1 ? null : routed === 1,
    finish: columns.finish[index]!,
    costUsd: columns.costUsd[index]!,
    outputTokens: columns.outputTokens[index]!,
    latencyMs: Number.isNaN(latency) ? null : latency,
  };
}
