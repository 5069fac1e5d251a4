import { CONFIDENT_TOKEN, pConfident, UNCERTAIN_TOKEN, type Problem, type RunRecord } from '@confide/core';
import { calibrationAccuracy, tokenDistribution, type TokenDistribution } from '@confide/metrics';
import type { ViewData, ViewProblem } from '../view-data.js';

/** What the table filters and sorts on, per problem, computed once from the data. */
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
  mathCorrect: boolean;
  /** The recorded grader and core/math disagree. */
  disagree: boolean;
  /** The recorded route sent it to the large model; null when the record has no route. */
  routedLarge: boolean | null;
  finish: string;
  costUsd: number;
  outputTokens: number;
  latencyMs: number | null;
  /** Correct in the compared run (or under the other grader). */
  compareCorrect: boolean | null;
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

function tokenOf(record: RunRecord): ProblemRow['token'] {
  const token = record.generation.confidenceToken;
  return token === CONFIDENT_TOKEN ? 'confident' : token === UNCERTAIN_TOKEN ? 'uncertain' : 'none';
}

/** P(<|c_math|>) over the two tokens' probabilities (core's rule); null when the record has none or the tokens hold too little mass. */
export function pConfidentOf(record: RunRecord): number | null {
  const probabilities = record.generation.confidenceProbabilities;
  return probabilities === undefined ? null : pConfident(probabilities).value;
}

export function problemRows(data: ViewData): ProblemRow[] {
  return data.problems.map((problem, index) => {
    const record = problem.answer.record;
    return {
      index,
      id: problem.id,
      label: record.sourceId ?? problem.id,
      subject: record.subject ?? '',
      level: record.level ?? null,
      token: tokenOf(record),
      pConfident: pConfidentOf(record),
      correct: record.grade.correct,
      mathCorrect: problem.answer.math.correct,
      disagree: record.grade.correct !== problem.answer.math.correct,
      routedLarge: record.route === undefined ? null : record.route.target === 'large',
      finish: record.generation.finishReason ?? 'none',
      costUsd: problem.answer.calls.reduce((sum, call) => sum + call.costUsd, 0),
      outputTokens: record.generation.usage.output,
      latencyMs: record.generation.latencyMs,
      compareCorrect: problem.compare ? problem.compare.record.grade.correct : null,
    };
  });
}

export function runSummary(data: ViewData, rows: readonly ProblemRow[]): RunSummary {
  const records = data.problems.map((problem) => problem.answer.record);
  const n = rows.length;
  const routed = rows.filter((row) => row.routedLarge !== null);
  const tokens = tokenDistribution(records);
  return {
    problems: n,
    accuracy: n === 0 ? 0 : rows.filter((row) => row.correct).length / n,
    costUsd: rows.reduce((sum, row) => sum + row.costUsd, 0),
    delegationRate: routed.length === 0 ? null : routed.filter((row) => row.routedLarge).length / n,
    calibrationAccuracy: tokens.none === n ? null : calibrationAccuracy(records).percent / 100,
    tokens,
  };
}

/** The problems as the routing functions take them (id, question, gold). */
export function problemsOf(data: ViewData): Problem[] {
  return data.problems.map((problem: ViewProblem) => ({ id: problem.id, problem: problem.question ?? '', answer: problem.answer.record.gold }));
}
