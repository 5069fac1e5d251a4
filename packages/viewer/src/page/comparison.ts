import { gradeScore } from '@confide/core';
import { bootstrapInterval, compareRuns, type Interval, type RunComparison } from '@confide/routing';
import type { ViewData } from '../view-data.js';
import { isModelsBundle, roleIndex, runName, type BundleRuns } from './runs.js';

/** The compare view's statistics for two runs of the bundle. */
export interface PageComparison {
  /** Indices into `data.runs`. */
  left: number;
  right: number;
  /** `compareRuns`, the function `confide compare` prints: flips, McNemar, the accuracy difference's interval, cost. */
  runs: RunComparison;
  /**
   * The mean graded scores and the paired-bootstrap interval of their difference (right − left), the same resamples as
   * the accuracy's; null when both runs' grades are binary (the accuracy says it all).
   */
  scores: { means: [number, number]; difference: number; interval: Interval } | null;
}

/** Compares run `left` with run `right` on every problem of the bundle, paired. */
export function comparisonOf(data: ViewData, left: number, right: number): PageComparison {
  const records = (run: number) => ({ label: runName(data.runs[run]!), records: data.problems.map((problem) => problem.answers[run]!.record) });
  const [leftRun, rightRun] = [records(left), records(right)];
  const runs = compareRuns(
    data.problems.map((problem) => problem.id),
    leftRun,
    rightRun,
    data.prices,
    data.bootstrap,
  );
  const graded = [...leftRun.records, ...rightRun.records].some((record) => record.grade.score !== undefined);
  if (!graded) return { left, right, runs, scores: null };
  const n = data.problems.length;
  const leftScores = leftRun.records.map((record) => gradeScore(record.grade));
  const rightScores = rightRun.records.map((record) => gradeScore(record.grade));
  const difference = Float64Array.from(rightScores, (score, index) => score - leftScores[index]!);
  const mean = (values: ArrayLike<number>) => (n === 0 ? 0 : Array.from(values).reduce((sum, value) => sum + value, 0) / n);
  return {
    left,
    right,
    runs,
    scores: { means: [mean(leftScores), mean(rightScores)], difference: mean(difference), interval: bootstrapInterval(difference, data.bootstrap, (sum) => sum / n) },
  };
}

/**
 * The pair the compare view opens on: a run bundle's viewed run against its compared run (else its large run); a
 * models bundle's first two models. Null when the bundle holds one run.
 */
export function defaultComparePair(data: BundleRuns): [number, number] | null {
  if (data.runs.length < 2) return null;
  if (isModelsBundle(data)) return [0, 1];
  return [0, roleIndex(data, 'compare') ?? roleIndex(data, 'large') ?? 1];
}
