import { delegatedAtEveryThreshold, distinctThresholds, gradeScore, routingScore, type RunRecord, type ScoreDirection } from '@confide/core';
import { outcomeTable, ThresholdSweep } from '@confide/routing';
import type { ViewData } from '../view-data.js';
import { isModelsBundle, roleIndex, runName } from './runs.js';
import { pConfidentOf, problemsOf } from './view-model.js';

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

/** Sweeps every distinct score of `values` (one per problem, keep-side) for keeping run `keep` or escalating to `to`. */
export function thresholdSweepOf(data: ViewData, keep: number, to: number, score: { values: Float64Array; direction: ScoreDirection; label: string }): ThresholdModel {
  const recordsOf = (run: number) => data.problems.map((problem) => problem.answers[run]!.record);
  const table = outcomeTable(problemsOf(data), { label: runName(data.runs[keep]!), records: recordsOf(keep) }, { label: runName(data.runs[to]!), records: recordsOf(to) }, data.prices);
  const sweep = new ThresholdSweep(table, score.values, { direction: score.direction, thresholds: distinctThresholds(score.values, score.direction) });
  // the sweep's order and escalated counts, cost and rate; the graded and binary means summed here over that order:
  // the kept answers' total plus, over the escalated prefix, what escalating changed
  const n = data.problems.length;
  const meanOver = (value: (record: RunRecord) => number) => {
    const kept = data.problems.map((problem) => value(problem.answers[keep]!.record));
    const escalated = data.problems.map((problem) => value(problem.answers[to]!.record));
    const gain = new Float64Array(n + 1);
    sweep.order.forEach((index, position) => (gain[position + 1] = gain[position]! + escalated[index]! - kept[index]!));
    const keptTotal = kept.reduce((sum, item) => sum + item, 0);
    return (k: number) => (n === 0 ? 0 : (keptTotal + gain[sweep.delegatedCounts[k]!]!) / n);
  };
  const meanScore = meanOver((record) => gradeScore(record.grade));
  const accuracy = meanOver((record) => (record.grade.correct ? 1 : 0));
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

/** A run bundle's threshold: the viewed run against its large run, on the bundle's score; null without both. */
export function thresholdModel(data: ViewData): ThresholdModel | null {
  const score = data.score;
  const large = roleIndex(data, 'large');
  if (score === undefined || large === null) return null;
  // an answer with no score (no P(c)) is delegated at every threshold, as in `confide ablate`
  const values = 'values' in score
    ? Float64Array.from(score.values)
    : Float64Array.from(data.problems, (problem) => routingScore(problem.answers[0]!.record, score.score) ?? delegatedAtEveryThreshold(score.direction));
  return thresholdSweepOf(data, 0, large, { values, direction: score.direction, label: score.label });
}

/** The scores run `run` of a models bundle carries: P(c) where some answer has one, the token where some answer has one. */
export function modelScoresOf(data: ViewData, run: number): ModelScore[] {
  const records = data.problems.map((problem) => problem.answers[run]!.record);
  return MODEL_SCORES.filter((score) =>
    score === 'p-confident' ? records.some((record) => pConfidentOf(record) !== null) : records.some((record) => record.generation.confidenceToken !== null),
  );
}

/**
 * A models bundle's threshold for any (keep, escalate-to) pair: the keep model's P(c) (an answer without one escalates
 * at every threshold) or its confidence token (<|c_math|> 1, else 0). Null when the keep model carries that score
 * nowhere, or the pair is one run.
 */
export function modelsThresholdModel(data: ViewData, keep: number, to: number, score: ModelScore): ThresholdModel | null {
  if (!isModelsBundle(data) || keep === to || !modelScoresOf(data, keep).includes(score)) return null;
  const values = Float64Array.from(data.problems, (problem) => {
    const record = problem.answers[keep]!.record;
    return (score === 'p-confident' ? pConfidentOf(record) : routingScore(record, 'confidence-token')) ?? delegatedAtEveryThreshold('keep-high');
  });
  const label = `${score === 'p-confident' ? 'P(c)' : 'the confidence token'} of ${runName(data.runs[keep]!)}`;
  return thresholdSweepOf(data, keep, to, { values, direction: 'keep-high', label });
}

/** The point whose threshold is closest to `value`. */
export function nearestPoint(points: readonly ThresholdPoint[], value: number): number {
  let best = 0;
  points.forEach((point, k) => {
    if (Math.abs((point.parameter ?? 0) - value) < Math.abs((points[best]!.parameter ?? 0) - value)) best = k;
  });
  return best;
}
