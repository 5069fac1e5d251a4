import type { PipelineCheck, PriceTable, RoutingScore, RunRecord, ScoreDirection, TokenUsage } from '@confide/core';

/**
 * What `confide view` puts in a bundle and the page reads: the records themselves (the page computes every number
 * from them with the same functions as the CLI), the problems' questions, what core/math found in each response, and
 * the calls recorded with each answer. One file shape, written by `buildViewData` and read by the page.
 *
 * Version 2: a bundle holds a list of runs (`runs`) and each problem every run's answer (`answers`, in that order), so
 * it holds K models as well as a run with its large and compared runs.
 */
export const VIEW_DATA_SCHEMA_VERSION = 2;

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

/**
 * Why core/math decided as it did (its verdict's `explain`): each side as it was read — normalised, and parsed with its
 * kind where it parsed (`interval: [2, ∞)`) — the reading of a policy that made them equal, and the deciding rule.
 */
export interface ViewExplanation {
  gold: string | null;
  prediction: string | null;
  reading: string | null;
  decision: string;
}

/** core/math's verdict on a record's full response (mode auto on both sides). */
export interface ViewMathGrade {
  correct: boolean;
  reason: string;
  gold: ViewFound | null;
  prediction: ViewFound | null;
  /** Absent for a grader that does not explain itself (and in bundles written before it existed). */
  explanation?: ViewExplanation | null;
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
  /** Every run's answer to the problem, in `ViewData.runs` order. */
  answers: ViewAnswer[];
}

export type ViewScore =
  | { score: RoutingScore; direction: ScoreDirection; label: string }
  | { values: number[]; direction: ScoreDirection; label: string };

/**
 * What a run is in the bundle: the viewed run (`run`), the large run it delegates to (`large`), the run it is compared
 * with (`compare`, or the same run under other verdicts), or one of K models (`model`).
 */
export type ViewRunRole = 'run' | 'large' | 'compare' | 'model';

export interface ViewRun {
  id: string;
  label: string;
  role: ViewRunRole;
  /** The compared run's verdicts: `recorded`, `math` (core/math's on the full responses) or `regrade` (a regrade report's). */
  grades?: 'recorded' | 'math' | 'regrade';
  /** Set when the run's manifest marks it a pipeline check (not a result); the header says so. */
  pipelineCheck?: PipelineCheck;
}

/** What a run of a models bundle lost: its problems some other run did not answer (left out of the bundle). */
export interface ViewLostProblems {
  label: string;
  count: number;
  firstIds: string[];
}

export interface ViewData {
  schemaVersion: typeof VIEW_DATA_SCHEMA_VERSION;
  title: string;
  /** The command that wrote the bundle, for the reader. */
  command: string;
  /**
   * The runs, in the order of each problem's `answers`. A run bundle: the viewed run first, then its large run and its
   * compared run where given. A models bundle: every run has role `model` (K ≥ 2, the experiment's or the command
   * line's order); the threshold view then takes any (keep, escalate-to) pair and the compare view any two.
   */
  runs: ViewRun[];
  /** A models bundle: what each run lost to the intersection of the runs' problems. */
  lost?: ViewLostProblems[];
  /**
   * The score a threshold router reads, when a run bundle has a large run to delegate to: a field of the record
   * (`score`), or a router's own score (a learned router's cross-fitted probability), given per problem in `values`.
   */
  score?: ViewScore;
  prices: PriceTable;
  bootstrap: { resamples: number; seed: number; confidence: number };
  problems: ViewProblem[];
}
