import { orientedScore, type ScoreDirection } from '@confide/core';
import {
  aurc,
  auroc,
  bootstrapCounts,
  brierScore,
  chooseThresholdForErrorRate,
  excessAurc,
  expectedCalibrationError,
  mcnemarTest,
  percentileInterval,
  type McNemarResult,
} from '@confide/metrics';

/** Per-problem outcome of one routed run: what bootstrap intervals and paired tests resample. */
export interface ProblemOutcomes {
  correct: Uint8Array;
  /** Paid cost per problem, in 1e-8 dollars (every call made for it). */
  cost: Float64Array;
  delegated: Uint8Array;
}

export interface Interval {
  lower: number;
  upper: number;
}

/** The bootstrap resamples as per-problem multiplicities, one view per resample (shared by every statistic). */
export function resampleWeights(n: number, resamples: number, seed: number): Uint16Array[] {
  const counts = bootstrapCounts(n, resamples, seed);
  return Array.from({ length: resamples }, (_, resample) => counts.subarray(resample * n, (resample + 1) * n));
}

/** Percentile interval of `finish(Σ weight·value)` over the resamples. */
export function bootstrapInterval(
  values: ArrayLike<number>,
  weights: readonly Uint16Array[],
  confidence: number,
  finish: (weightedSum: number) => number,
): Interval {
  const samples = new Float64Array(weights.length);
  weights.forEach((weight, resample) => {
    let sum = 0;
    for (let index = 0; index < weight.length; index++) sum += weight[index]! * values[index]!;
    samples[resample] = finish(sum);
  });
  return percentileInterval(samples, confidence);
}

export interface RouterComparison {
  left: string;
  right: string;
  atDelegationRate: number;
  delegationRates: [number, number];
  accuracies: [number, number];
  /** Accuracy of left minus right, with its paired bootstrap interval. */
  difference: number;
  differenceInterval: Interval;
  mcnemar: McNemarResult;
}

/** McNemar's test and a paired bootstrap of the accuracy difference between two routers on the same problems. */
export function mcnemarComparison(
  left: string,
  leftOutcomes: ProblemOutcomes,
  right: string,
  rightOutcomes: ProblemOutcomes,
  atDelegationRate: number,
  weights: readonly Uint16Array[],
  confidence: number,
): RouterComparison {
  const n = leftOutcomes.correct.length;
  const mean = (values: Uint8Array) => values.reduce((sum, value) => sum + value, 0) / n;
  const difference = Float64Array.from(leftOutcomes.correct, (value, index) => value - rightOutcomes.correct[index]!);
  return {
    left,
    right,
    atDelegationRate,
    delegationRates: [mean(leftOutcomes.delegated), mean(rightOutcomes.delegated)],
    accuracies: [mean(leftOutcomes.correct), mean(rightOutcomes.correct)],
    difference: mean(leftOutcomes.correct) - mean(rightOutcomes.correct),
    differenceInterval: bootstrapInterval(difference, weights, confidence, (sum) => sum / n),
    mcnemar: mcnemarTest(Array.from(leftOutcomes.correct, Boolean), Array.from(rightOutcomes.correct, Boolean)),
  };
}

export interface ScoreCalibration {
  router: string;
  score: string;
  /** AUROC / AURC use the score oriented so that higher means "keep" (lengths are negated). */
  auroc: number;
  aurc: number;
  excessAurc: number;
  /** ECE, Brier and the reliability bins only for scores that are probabilities in [0, 1]. */
  probability: null | {
    brier: number;
    equalWidth: { ece: number; binning: string; binCount: number; bins: Array<{ lower: number; upper: number; count: number; meanScore: number; accuracy: number }> };
    equalMass: { ece: number; binning: string; binCount: number; bins: Array<{ lower: number; upper: number; count: number; meanScore: number; accuracy: number }> };
    binCount: number;
  };
}

/** How well a routing score ranks (and, for probabilities, predicts) the small model's correctness. */
export function scoreCalibration(
  router: string,
  /** The score's name (a RoutingScore, or a learned router's own score). */
  score: string,
  direction: ScoreDirection,
  scores: Float64Array,
  smallCorrect: Uint8Array,
  binCount: number,
): ScoreCalibration {
  const oriented = Float64Array.from(scores, (value) => orientedScore(value, direction));
  const isProbability = direction === 'keep-high' && scores.every((value) => value >= 0 && value <= 1);
  return {
    router,
    score,
    auroc: auroc(oriented, smallCorrect),
    aurc: aurc(oriented, smallCorrect),
    excessAurc: excessAurc(oriented, smallCorrect),
    probability: isProbability
      ? {
          brier: brierScore(scores, smallCorrect),
          equalWidth: expectedCalibrationError(scores, smallCorrect, { bins: binCount, binning: 'equal-width' }),
          equalMass: expectedCalibrationError(scores, smallCorrect, { bins: binCount, binning: 'equal-mass' }),
          binCount,
        }
      : null,
  };
}

export interface RiskControlResult {
  label: string;
  maxKeptErrorRate: number;
  delta: number;
  method: string;
  /** In the score's own units: keep answers at or above it (`keep-high`) or at or below it (`keep-low`). */
  threshold: number | null;
  calibration: { size: number; kept: number; keptErrorRate: number; pValue: number } | null;
  heldOut: { size: number; kept: number; keptErrorRate: number; delegationRate: number; accuracy: number; costUsd: number } | null;
}

/** Fixed sequences started at evenly spaced candidates (each at δ / starts), so a strict start keeping too few answers cannot end the search. */
const FIXED_SEQUENCE_STARTS = 10;

/**
 * Chooses a threshold on the calibration indices with Learn then Test (kept error ≤ target with probability ≥ 1 − δ),
 * then reports what it achieves on the held-out indices.
 */
export function riskControlledThreshold(input: {
  label: string;
  table: { smallCorrect: Uint8Array; largeCorrect: Uint8Array; smallCost: Float64Array; largeCost: Float64Array };
  scores: Float64Array;
  direction: ScoreDirection;
  calibrationIndices: readonly number[];
  testIndices: readonly number[];
  maxKeptErrorRate: number;
  delta: number;
  /** Candidate thresholds in the score's units, fixed before looking at the calibration split. */
  grid: readonly number[];
}): RiskControlResult {
  const oriented = (index: number) => orientedScore(input.scores[index]!, input.direction);
  const calibrationScores = Float64Array.from(input.calibrationIndices, oriented);
  const calibrationLabels = Uint8Array.from(input.calibrationIndices, (index) => input.table.smallCorrect[index]!);
  const candidates = [...new Set(input.grid.map((threshold) => orientedScore(threshold, input.direction)))].sort((left, right) => right - left);
  const chosen = chooseThresholdForErrorRate(calibrationScores, calibrationLabels, {
    thresholds: candidates,
    targetErrorRate: input.maxKeptErrorRate,
    delta: input.delta,
    starts: Math.min(FIXED_SEQUENCE_STARTS, candidates.length),
  });
  const base = {
    label: input.label,
    maxKeptErrorRate: input.maxKeptErrorRate,
    delta: input.delta,
    method: `Learn then Test: ${FIXED_SEQUENCE_STARTS} fixed sequences over a fixed grid, exact binomial p-values`,
  };
  if (chosen === null) return { ...base, threshold: null, calibration: null, heldOut: null };
  let kept = 0;
  let keptErrors = 0;
  let correct = 0;
  let cost = 0;
  for (const index of input.testIndices) {
    const keep = oriented(index) >= chosen.threshold;
    cost += input.table.smallCost[index]! + (keep ? 0 : input.table.largeCost[index]!);
    if (keep) {
      kept++;
      if (input.table.smallCorrect[index] === 0) keptErrors++;
      else correct++;
    } else {
      correct += input.table.largeCorrect[index]!;
    }
  }
  const size = input.testIndices.length;
  return {
    ...base,
    threshold: orientedScore(chosen.threshold, input.direction),
    calibration: { size: input.calibrationIndices.length, kept: chosen.kept, keptErrorRate: chosen.keptErrorRate, pValue: chosen.pValue },
    heldOut: {
      size,
      kept,
      keptErrorRate: kept === 0 ? 0 : keptErrors / kept,
      delegationRate: (size - kept) / size,
      accuracy: correct / size,
      costUsd: cost / 1e8,
    },
  };
}
