import { delegatedAtEveryThreshold, distinctThresholds, routingScore, type ScoreDirection } from '@confide/core';
import { ThresholdSweep, type OutcomeTable } from '@confide/routing';
import type { ViewData } from '../view-data.js';
import { TOKENS, type RowColumns } from './row-columns.js';
import { roleIndex } from './runs.js';

/** A point of the sweep: the threshold, what the answers taken score and cost, and how many escalate. */
export interface ThresholdPoint {
  parameter: number | null;
  /** The mean graded score of the answers taken (binary grades: the accuracy). */
  meanScore: number;
  /** The share of the answers taken that the source calls correct (binary verdicts). */
  accuracy: number;
  /** Every call made: the keep run on every problem, the other run on the escalated ones. */
  costUsd: number;
  delegationRate: number;
  llmCalls: number;
}

/**
 * The threshold sweep of the page: the keep run's answer is kept where its score passes the threshold, else the
 * problem escalates to the other run (the keep run is always paid for) — the table, scores and sweep `confide ablate`
 * builds for a threshold router, with the graded score's mean beside the accuracy.
 */
export interface ThresholdModel {
  /** Indices into `data.runs`: the run whose answer is kept, and the run escalated to. */
  keep: number;
  to: number;
  label: string;
  direction: ScoreDirection;
  points: ThresholdPoint[];
  /** Whether problem `index` is escalated at point `k`. */
  delegated: (index: number, k: number) => boolean;
}

/** The scores a keep model's threshold can read in a models bundle: its P(c), and its confidence token. */
export const MODEL_SCORES = ['p-confident', 'confidence-token'] as const;
export type ModelScore = (typeof MODEL_SCORES)[number];

/** What a sweep reads: the problems' ids (for their count) and every run's columns, in `runs` order. */
export interface SweepInput {
  problemIds: () => readonly string[];
  columns: (run: number) => RowColumns;
}

/** Sweeps every distinct score of `values` (one per problem, keep-side) for keeping run `keep` or escalating to `to`. */
export function thresholdSweepOf(input: SweepInput, keep: number, to: number, score: PairScore): ThresholdModel {
  const [kept, escalated] = [input.columns(keep), input.columns(to)];
  const table: OutcomeTable = {
    problemIds: input.problemIds(),
    smallCorrect: kept.correct,
    largeCorrect: escalated.correct,
    smallScore: kept.score,
    largeScore: escalated.score,
    smallCost: kept.answerCost,
    largeCost: escalated.answerCost,
  };
  const sweep = new ThresholdSweep(table, score.values, { direction: score.direction, thresholds: distinctThresholds(score.values, score.direction) });
  // the sweep's order and escalated counts, cost and rate; the graded and binary means summed here over that order:
  // the kept answers' total plus, over the escalated prefix, what escalating changed
  const n = kept.score.length;
  const meanOver = (keptValues: ArrayLike<number>, escalatedValues: ArrayLike<number>) => {
    const gain = new Float64Array(n + 1);
    sweep.order.forEach((index, position) => (gain[position + 1] = gain[position]! + escalatedValues[index]! - keptValues[index]!));
    let keptTotal = 0;
    for (let index = 0; index < n; index++) keptTotal += keptValues[index]!;
    return (k: number) => (n === 0 ? 0 : (keptTotal + gain[sweep.delegatedCounts[k]!]!) / n);
  };
  const meanScore = meanOver(kept.score, escalated.score);
  const accuracy = meanOver(kept.correct, escalated.correct);
  const points = sweep.points().map((point, k): ThresholdPoint => ({
    parameter: point.parameter,
    meanScore: meanScore(k),
    accuracy: accuracy(k),
    costUsd: point.costUsd,
    delegationRate: point.delegationRate,
    llmCalls: point.llmCalls,
  }));
  const rank = new Uint32Array(sweep.order.length);
  sweep.order.forEach((index, position) => (rank[index] = position));
  return { keep, to, label: score.label, direction: score.direction, points, delegated: (index, k) => rank[index]! < sweep.delegatedCounts[k]! };
}

/** The score a run bundle's threshold moves: one value per problem (the viewed run's answer), its direction and name. */
export interface PairScore {
  values: Float64Array;
  direction: ScoreDirection;
  label: string;
}

/**
 * A run bundle's threshold score, per problem: a record field, or a router's own values; an answer with no score (no
 * P(c)) is delegated at every threshold, as in `confide ablate`. Null without a score or a large run.
 */
export function pairScoreOf(data: ViewData): PairScore | null {
  const score = data.score;
  if (score === undefined || roleIndex(data, 'large') === null) return null;
  const values = 'values' in score
    ? Float64Array.from(score.values)
    : Float64Array.from(data.problems, (problem) => routingScore(problem.answers[0]!.record, score.score) ?? delegatedAtEveryThreshold(score.direction));
  return { values, direction: score.direction, label: score.label };
}

/** A run bundle's threshold: the viewed run against its large run (`large`), on the bundle's score; null without both. */
export function thresholdModel(input: SweepInput, large: number | null, score: PairScore | null): ThresholdModel | null {
  return large === null || score === null ? null : thresholdSweepOf(input, 0, large, score);
}

/** The scores a run of a models bundle carries: P(c) where some answer has one, the token where some answer has one. */
export function modelScoresOf(columns: RowColumns): ModelScore[] {
  return MODEL_SCORES.filter((score) =>
    score === 'p-confident' ? columns.pConfident.some((value) => !Number.isNaN(value)) : columns.token.some((token) => TOKENS[token] !== 'none'),
  );
}

/**
 * A models bundle's threshold for any (keep, escalate-to) pair: the keep model's P(c) (an answer without one escalates
 * at every threshold) or its confidence token (<|c_math|> 1, else 0, as core's routingScore). Null when the keep model
 * carries that score nowhere, or the pair is one run.
 */
export function modelsThresholdModel(input: SweepInput, names: readonly string[], keep: number, to: number, score: ModelScore): ThresholdModel | null {
  const columns = input.columns(keep);
  if (keep === to || !modelScoresOf(columns).includes(score)) return null;
  const values = score === 'p-confident'
    ? Float64Array.from(columns.pConfident, (value) => (Number.isNaN(value) ? delegatedAtEveryThreshold('keep-high') : value))
    : Float64Array.from(columns.token, (token) => (TOKENS[token] === 'confident' ? 1 : 0));
  const label = `${score === 'p-confident' ? 'P(c)' : 'the confidence token'} of ${names[keep]!}`;
  return thresholdSweepOf(input, keep, to, { values, direction: 'keep-high', label });
}

/** The point whose threshold is closest to `value`. */
export function nearestPoint(points: readonly ThresholdPoint[], value: number): number {
  let best = 0;
  points.forEach((point, k) => {
    if (Math.abs((point.parameter ?? 0) - value) < Math.abs((points[best]!.parameter ?? 0) - value)) best = k;
  });
  return best;
}
