import { delegatedAtEveryThreshold, distinctThresholds, routingScore } from '@confide/core';
import { outcomeTable, ThresholdSweep, type OperatingPoint } from '@confide/routing';
import type { ViewData } from '../view-data.js';
import { problemsOf } from './view-model.js';

/** The threshold sweep of the page: the same table, scores and sweep as `confide ablate` builds for a threshold router. */
export interface ThresholdModel {
  points: OperatingPoint[];
  /** Whether problem `index` is delegated at point `k`. */
  delegated: (index: number, k: number) => boolean;
}

export function thresholdModel(data: ViewData): ThresholdModel | null {
  const score = data.score;
  if (score === undefined || data.large === undefined || data.problems.some((problem) => problem.large === undefined)) return null;
  const table = outcomeTable(
    problemsOf(data),
    { label: data.run.id, records: data.problems.map((problem) => problem.answer.record) },
    { label: data.large.id, records: data.problems.map((problem) => problem.large!.record) },
    data.prices,
  );
  // an answer with no score (no P(c)) is delegated at every threshold, as in `confide ablate`
  const scores = 'values' in score
    ? Float64Array.from(score.values)
    : Float64Array.from(data.problems, (problem) => routingScore(problem.answer.record, score.score) ?? delegatedAtEveryThreshold(score.direction));
  const sweep = new ThresholdSweep(table, scores, { direction: score.direction, thresholds: distinctThresholds(scores, score.direction) });
  const rank = new Uint32Array(sweep.order.length);
  sweep.order.forEach((index, position) => (rank[index] = position));
  return { points: sweep.points(), delegated: (index, k) => rank[index]! < sweep.delegatedCounts[k]! };
}

/** The point whose threshold is closest to `value`. */
export function nearestPoint(points: readonly OperatingPoint[], value: number): number {
  let best = 0;
  points.forEach((point, k) => {
    if (Math.abs((point.parameter ?? 0) - value) < Math.abs((points[best]!.parameter ?? 0) - value)) best = k;
  });
  return best;
}
