import {
  CONFIDENT_TOKEN,
  DEFAULT_MIN_TOKEN_MASS,
  generationCost,
  InvalidInputError,
  pConfident,
  UNCERTAIN_TOKEN,
  type ConfidenceTokenOrNone,
  type PriceTable,
  type RunRecord,
} from '@confide/core';

/**
 * What the outcome table reads of a run record. A `RunRecord` is one; `grade.score` is read where the record carries
 * it (graded sources, issue 23 item 1), else the score is `correct ? 1 : 0`.
 */
export type OutcomeRecord = Pick<RunRecord, 'problemId' | 'generation'> & {
  grade: { correct: boolean; score?: number | undefined };
};

/** One of the K models of an outcome table: its label and its run's records. */
export interface OutcomeTableModel {
  label: string;
  records: readonly OutcomeRecord[];
}

/**
 * Costs in the table are in these units per dollar (core's `costInHundredMillionths`): integers where token counts are
 * priced, so sums are exact; a recorded cost (an imported log's own) is kept as given.
 */
export const COST_UNITS_PER_USD = 1e8;

/** The confidence-token dictionary: `confidenceToken` columns hold an index into it. */
export const CONFIDENCE_TOKEN_DICTIONARY: readonly ConfidenceTokenOrNone[] = Object.freeze(['none', CONFIDENT_TOKEN, UNCERTAIN_TOKEN]);
export const CONFIDENCE_TOKEN_NONE = 0;
export const CONFIDENCE_TOKEN_CONFIDENT = 1;
export const CONFIDENCE_TOKEN_UNCERTAIN = 2;

/**
 * One model's outcomes, a typed array per field, indexed by the table's problem index. Fields that a record may lack
 * (latency, P(c)) have a presence mask beside them (1 = present); where absent the value is 0 and means nothing, so
 * read the mask first. No NaN is ever stored.
 */
export interface ModelOutcomeColumns {
  /** The grade's score in [0, 1]: `grade.score`, else 1 for a right answer and 0 for a wrong one. */
  score: Float32Array;
  /** The source's binary verdict (`grade.correct`), 1 or 0: for metrics defined on binary labels. */
  correct: Uint8Array;
  /** What the call cost in units of 1e-8 dollars (`COST_UNITS_PER_USD`): core's `generationCost` (token counts priced, else the recorded cost). */
  costHundredMillionths: Float64Array;
  inputTokens: Uint32Array;
  /** Output tokens, not counting thinking tokens. */
  outputTokens: Uint32Array;
  thinkingTokens: Uint32Array;
  latencyMs: Float64Array;
  latencyPresent: Uint8Array;
  /** P(c) = P(<|c_math|>) / (P(<|c_math|>) + P(<|u_math|>)) where the token mass reaches the floor (core's `pConfident`). */
  pConfident: Float64Array;
  pConfidentPresent: Uint8Array;
  /** An index into `CONFIDENCE_TOKEN_DICTIONARY`: 0 none, 1 confident, 2 uncertain. */
  confidenceToken: Uint8Array;
}

/** What a run lost to the intersection: how many of its records name a problem some other run lacks, and the first few. */
export interface LostProblems {
  label: string;
  count: number;
  firstIds: readonly string[];
}

/**
 * Per-problem outcomes of K models on the problems every run answered, as columns: the one table routers, curves,
 * hulls and leaderboard figures are computed from. Model labels are dictionary-coded: model index m is `labels[m]`,
 * and router choices are model indices. Problems are in the first run's record order.
 */
export interface ModelOutcomeTable {
  problemCount: number;
  problemIds: readonly string[];
  labels: readonly string[];
  models: readonly ModelOutcomeColumns[];
  lost: readonly LostProblems[];
}

export interface BuildOutcomeTableOptions {
  /** The floor on P(c) + P(u) under which an answer has no P(c) (core's `DEFAULT_MIN_TOKEN_MASS`). */
  minTokenMass?: number;
  /** How many lost problem ids to name per run (default 5). */
  lostIdsShown?: number;
}

/**
 * Builds the outcome table once from K runs' records, in O(total records): problem ids are intersected across the
 * runs (each run's loss counted in `lost`), and each record's grade, cost, tokens, latency and confidence fields
 * become a row of its model's columns. `prices` is one table for every run, or one per model in `models`' order.
 * Fails on a duplicate label, a problem a run answers twice, or a score outside [0, 1].
 */
export function buildOutcomeTable(
  models: readonly OutcomeTableModel[],
  prices: PriceTable | readonly PriceTable[],
  options: BuildOutcomeTableOptions = {},
): ModelOutcomeTable {
  if (models.length === 0) throw new InvalidInputError({ field: 'models', problem: 'needs at least one model' });
  const labels = models.map((model) => model.label);
  const duplicate = labels.find((label, index) => labels.indexOf(label) !== index);
  if (duplicate !== undefined) throw new InvalidInputError({ field: 'models', problem: `label "${duplicate}" is given twice` });
  const priceTables = Array.isArray(prices) ? (prices as readonly PriceTable[]) : models.map(() => prices as PriceTable);
  if (priceTables.length !== models.length) {
    throw new InvalidInputError({ field: 'prices', problem: `${priceTables.length} price tables for ${models.length} models` });
  }

  // Positions in the first run; for every other run, which of its records answers each of those positions.
  const first = models[0]!;
  const firstCount = first.records.length;
  const positionOf = new Map<string, number>();
  for (let index = 0; index < firstCount; index++) {
    const problemId = first.records[index]!.problemId;
    if (positionOf.has(problemId)) throw duplicateProblem(first.label, problemId);
    positionOf.set(problemId, index);
  }
  const recordAtPosition: Int32Array[] = models.slice(1).map((model) => {
    const rows = new Int32Array(firstCount).fill(-1);
    for (let index = 0; index < model.records.length; index++) {
      const problemId = model.records[index]!.problemId;
      // Runs over one dataset are usually in one order: a string compare then saves the hash lookup.
      const position = index < firstCount && first.records[index]!.problemId === problemId ? index : positionOf.get(problemId);
      if (position === undefined) continue;
      if (rows[position] !== -1) throw duplicateProblem(model.label, problemId);
      rows[position] = index;
    }
    return rows;
  });
  const kept = new Uint8Array(firstCount);
  let problemCount = 0;
  for (let position = 0; position < firstCount; position++) {
    let everywhere = 1;
    for (const rows of recordAtPosition) if (rows[position] === -1) everywhere = 0;
    kept[position] = everywhere;
    problemCount += everywhere;
  }
  const keptPositions = new Int32Array(problemCount);
  const problemIds: string[] = new Array(problemCount);
  for (let position = 0, row = 0; position < firstCount; position++) {
    if (kept[position] === 0) continue;
    keptPositions[row] = position;
    problemIds[row++] = first.records[position]!.problemId;
  }

  const minTokenMass = options.minTokenMass ?? DEFAULT_MIN_TOKEN_MASS;
  // One model at a time, its columns written in row order: row r of the model is its record recordIndex[r].
  const columns = models.map(() => emptyColumns(problemCount));
  const recordIndex = new Int32Array(problemCount);
  models.forEach((model, modelIndex) => {
    const rows = modelIndex === 0 ? null : recordAtPosition[modelIndex - 1]!;
    for (let row = 0; row < problemCount; row++) recordIndex[row] = rows === null ? keptPositions[row]! : rows[keptPositions[row]!]!;
    fillColumns(columns[modelIndex]!, model, recordIndex, priceTables[modelIndex]!, minTokenMass);
  });

  const shown = options.lostIdsShown ?? 5;
  const lost = models.map((model): LostProblems => {
    // Each run answers each kept problem exactly once (duplicates are refused above).
    const count = model.records.length - problemCount;
    const firstIds: string[] = [];
    for (let index = 0; count > 0 && index < model.records.length && firstIds.length < shown; index++) {
      const problemId = model.records[index]!.problemId;
      const position = positionOf.get(problemId);
      if (position === undefined || kept[position] === 0) firstIds.push(problemId);
    }
    return { label: model.label, count, firstIds };
  });
  return { problemCount, problemIds, labels, models: columns, lost };
}

function duplicateProblem(label: string, problemId: string): InvalidInputError {
  return new InvalidInputError({ field: `models[${label}].records`, problem: `problem "${problemId}" is answered twice` });
}

function emptyColumns(n: number): ModelOutcomeColumns {
  return {
    score: new Float32Array(n),
    correct: new Uint8Array(n),
    costHundredMillionths: new Float64Array(n),
    inputTokens: new Uint32Array(n),
    outputTokens: new Uint32Array(n),
    thinkingTokens: new Uint32Array(n),
    latencyMs: new Float64Array(n),
    latencyPresent: new Uint8Array(n),
    pConfident: new Float64Array(n),
    pConfidentPresent: new Uint8Array(n),
    confidenceToken: new Uint8Array(n),
  };
}

function fillColumns(columns: ModelOutcomeColumns, model: OutcomeTableModel, recordIndex: Int32Array, prices: PriceTable, minTokenMass: number): void {
  for (let row = 0; row < recordIndex.length; row++) {
    const record = model.records[recordIndex[row]!]!;
    const { grade, generation } = record;
    const score = grade.score ?? (grade.correct ? 1 : 0);
    if (!(score >= 0 && score <= 1)) {
      throw new InvalidInputError({ field: `models[${model.label}].grade.score`, problem: `must be in [0, 1], got ${score} (problem ${record.problemId})` });
    }
    columns.score[row] = score;
    columns.correct[row] = grade.correct ? 1 : 0;
    columns.costHundredMillionths[row] = generationCost(prices, generation).hundredMillionths;
    columns.inputTokens[row] = generation.usage.input;
    columns.outputTokens[row] = generation.usage.output;
    columns.thinkingTokens[row] = generation.usage.thinking;
    if (generation.latencyMs !== null) {
      columns.latencyMs[row] = generation.latencyMs;
      columns.latencyPresent[row] = 1;
    }
    if (generation.confidenceProbabilities !== undefined) {
      const probability = pConfident(generation.confidenceProbabilities, minTokenMass);
      if (probability.value !== null) {
        columns.pConfident[row] = probability.value;
        columns.pConfidentPresent[row] = 1;
      }
    }
    columns.confidenceToken[row] =
      generation.confidenceToken === CONFIDENT_TOKEN
        ? CONFIDENCE_TOKEN_CONFIDENT
        : generation.confidenceToken === UNCERTAIN_TOKEN
          ? CONFIDENCE_TOKEN_UNCERTAIN
          : CONFIDENCE_TOKEN_NONE;
  }
}

/** The index of a model by its label; fails naming the labels there are. */
export function modelIndexOf(table: ModelOutcomeTable, label: string): number {
  const index = table.labels.indexOf(label);
  if (index < 0) throw new InvalidInputError({ field: 'model', problem: `no model "${label}" (models: ${table.labels.join(', ')})` });
  return index;
}
