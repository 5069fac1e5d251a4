import { CONFIDENT_TOKEN, generationCost, gradeScore, pConfident, UNCERTAIN_TOKEN, type Problem, type RunRecord } from '@confide/core';
import type { TokenDistribution } from '@confide/metrics';
import type { ViewData, ViewProblem } from '../view-data.js';
import { rowColumnsOf, TOKENS, type RowColumns } from './row-columns.js';

/** What the table filters and sorts on, per problem and run, computed once from the data. */
export interface ProblemRow {
  index: number;
  id: string;
  label: string;
  subject: string;
  level: number | null;
  token: 'confident' | 'uncertain' | 'none';
  /** P(<|c_math|>) normalised over the two tokens; null when the run has no token probabilities. */
  pConfident: number | null;
  correct: boolean;
  /** The graded score in [0, 1] (`grade.score`, else 1 right and 0 wrong). */
  score: number;
  mathCorrect: boolean;
  /** The recorded grader and core/math disagree. */
  disagree: boolean;
  /** The recorded route sent it to the large model; null when the record has no route. */
  routedLarge: boolean | null;
  finish: string;
  costUsd: number;
  outputTokens: number;
  latencyMs: number | null;
}

export interface RunSummary {
  problems: number;
  accuracy: number;
  costUsd: number;
  /** Share routed to the large model by the recorded routes; null when no record has a route. */
  delegationRate: number | null;
  /** Share of answers where <|c_math|> goes with a right answer or <|u_math|> with a wrong one; null without tokens. */
  calibrationAccuracy: number | null;
  tokens: TokenDistribution;
}

/** One run's means over the bundle's problems: what the header's table of runs shows. */
export interface RunMeans {
  /** Mean graded score (binary grades: the accuracy). */
  meanScore: number;
  /** Share of answers the source calls correct. */
  accuracy: number;
  /** Mean cost per problem of every call the records hold, and the total. */
  meanCostUsd: number;
  totalCostUsd: number;
}

function tokenOf(record: RunRecord): ProblemRow['token'] {
  const token = record.generation.confidenceToken;
  return token === CONFIDENT_TOKEN ? 'confident' : token === UNCERTAIN_TOKEN ? 'uncertain' : 'none';
}

/** P(<|c_math|>) over the two tokens' probabilities (core's rule); null when the record has none or the tokens hold too little mass. */
export function pConfidentOf(record: RunRecord): number | null {
  const probabilities = record.generation.confidenceProbabilities;
  return probabilities === undefined ? null : pConfident(probabilities).value;
}

/** The rows of run `run` (an index into `data.runs`), one per problem. */
export function problemRows(data: ViewData, run = 0): ProblemRow[] {
  return data.problems.map((problem, index) => {
    const answer = problem.answers[run]!;
    const record = answer.record;
    return {
      index,
      id: problem.id,
      label: record.sourceId ?? problem.id,
      subject: record.subject ?? '',
      level: record.level ?? null,
      token: tokenOf(record),
      pConfident: pConfidentOf(record),
      correct: record.grade.correct,
      score: gradeScore(record.grade),
      mathCorrect: answer.math.correct,
      disagree: record.grade.correct !== answer.math.correct,
      routedLarge: record.route === undefined ? null : record.route.target === 'large',
      finish: record.generation.finishReason ?? 'none',
      costUsd: answer.calls.reduce((sum, call) => sum + call.costUsd, 0),
      outputTokens: record.generation.usage.output,
      latencyMs: record.generation.latencyMs,
    };
  });
}

/** A run's numbers from its columns: accuracy, cost, recorded delegation, calibration accuracy (no token: miscalibrated, as in metrics) and tokens. */
export function runSummaryOf(columns: RowColumns): RunSummary {
  const n = columns.score.length;
  const tokens = { confident: 0, uncertain: 0, none: 0 };
  let correct = 0;
  let calibrated = 0;
  let cost = 0;
  let routed = 0;
  let delegated = 0;
  for (let index = 0; index < n; index++) {
    const right = columns.correct[index] === 1;
    const token = TOKENS[columns.token[index]!]!;
    tokens[token]++;
    if (right) correct++;
    if ((token === 'confident' && right) || (token === 'uncertain' && !right)) calibrated++;
    cost += columns.costUsd[index]!;
    if (columns.routedLarge[index] !== -1) routed++;
    if (columns.routedLarge[index] === 1) delegated++;
  }
  return {
    problems: n,
    accuracy: n === 0 ? 0 : correct / n,
    costUsd: cost,
    delegationRate: routed === 0 ? null : delegated / n,
    calibrationAccuracy: tokens.none === n ? null : calibrated / n,
    tokens,
  };
}

/** A run's mean score, accuracy and cost from its columns. */
export function runMeansOf(columns: RowColumns): RunMeans {
  const n = columns.score.length;
  let score = 0;
  let correct = 0;
  let cost = 0;
  for (let index = 0; index < n; index++) {
    score += columns.score[index]!;
    correct += columns.correct[index]!;
    cost += columns.costUsd[index]!;
  }
  return { meanScore: n === 0 ? 0 : score / n, accuracy: n === 0 ? 0 : correct / n, meanCostUsd: n === 0 ? 0 : cost / n, totalCostUsd: cost };
}

/** Run `run`'s rows of a bundle as columns, each answer's generation costed with the bundle's prices (core's `generationCost`: token counts priced, else its recorded cost). */
export function viewRowColumns(data: ViewData, run: number): RowColumns {
  return rowColumnsOf(problemRows(data, run), (index) => {
    const generation = data.problems[index]!.answers[run]!.record.generation;
    return generationCost(data.prices, generation).hundredMillionths;
  });
}

/** The problems as the routing functions take them (id, question, gold). */
export function problemsOf(data: ViewData): Problem[] {
  return data.problems.map((problem: ViewProblem) => ({ id: problem.id, problem: problem.question ?? '', answer: problem.answers[0]!.record.gold }));
}
