import type { PipelineCheck, PriceTable, RoutingScore, RunRecord, ScoreDirection, TokenUsage } from '@confide/core';

/**
 * What `confide view` puts in a bundle and the page reads: the records themselves (the page computes every number
 * from them with the same functions as the CLI), the problems' questions, what core/math found in each response, and
 * the calls recorded with each answer. One file shape, written by `buildViewData` and read by the page.
 */
export const VIEW_DATA_SCHEMA_VERSION = 1;

/** One model call recorded with an answer, priced with the bundle's price table. */
export interface ViewCall {
  role: 'answer' | 'router';
  model: string;
  usage: TokenUsage;
  costUsd: number;
  latencyMs: number | null;
}

/** One side as core/math found it: the answer and the rule that found it (null: nothing read as an answer). */
export interface ViewFound {
  answer: string;
  rule: string;
}

/** core/math's verdict on a record's full response (mode auto on both sides). */
export interface ViewMathGrade {
  correct: boolean;
  reason: string;
  gold: ViewFound | null;
  prediction: ViewFound | null;
}

/** A record of one run for one problem, with what the page shows beside it. */
export interface ViewAnswer {
  record: RunRecord;
  math: ViewMathGrade;
  calls: ViewCall[];
}

export interface ViewProblem {
  id: string;
  question: string | null;
  answer: ViewAnswer;
  /** The large run's answer when the bundle pairs the run with one (the threshold view delegates to it). */
  large?: ViewAnswer;
  /** The compared run's answer (or the same record under the other grader). */
  compare?: ViewAnswer;
}

export type ViewScore =
  | { score: RoutingScore; direction: ScoreDirection; label: string }
  | { values: number[]; direction: ScoreDirection; label: string };

export interface ViewRun {
  id: string;
  label: string;
  /** Set when the run's manifest marks it a pipeline check (not a result); the header says so. */
  pipelineCheck?: PipelineCheck;
}

export interface ViewData {
  schemaVersion: typeof VIEW_DATA_SCHEMA_VERSION;
  title: string;
  /** The command that wrote the bundle, for the reader. */
  command: string;
  run: ViewRun;
  large?: ViewRun;
  /** The compared run; `grades` says which verdicts its side uses (`math`: core/math's, e.g. the same run regraded). */
  compare?: ViewRun & { grades: 'recorded' | 'math' | 'regrade' };
  /**
   * The score a threshold router reads, when the bundle has a large run to delegate to: a field of the record
   * (`score`), or a router's own score (a learned router's cross-fitted probability), given per problem in `values`.
   */
  score?: ViewScore;
  prices: PriceTable;
  bootstrap: { resamples: number; seed: number; confidence: number };
  problems: ViewProblem[];
}
