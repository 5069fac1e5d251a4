import { InvalidInputError } from '@confide/core';
import { ascendingOrder, readScoresAndLabels, type CorrectnessLabels } from './score-inputs.js';

/**
 * Calibration and ranking quality of a confidence score. Throughout, `scores[i]` is a score for answer i that is
 * meant as P(answer i is correct) (higher = more confident) and `labels[i]` is 1 (or true) when answer i is correct,
 * 0 (or false) when it is wrong.
 */
export type { CorrectnessLabels } from './score-inputs.js';

export type CalibrationBinning = 'equal-width' | 'equal-mass';

export interface CalibrationBin {
  /** Lowest score the bin takes (inclusive). */
  lower: number;
  /** Upper edge: exclusive, except for the last bin, which includes it. */
  upper: number;
  count: number;
  /** Mean score in the bin (its "confidence"). */
  meanScore: number;
  /** Share of correct answers in the bin. */
  accuracy: number;
}

export interface ExpectedCalibrationErrorResult {
  /** Σ_b (n_b / n) · |accuracy_b − meanScore_b| over the non-empty bins. */
  ece: number;
  binning: CalibrationBinning;
  /** Number of bins asked for. */
  binCount: number;
  /** The non-empty bins, in increasing score order (empty bins are left out). */
  bins: CalibrationBin[];
}

/**
 * Expected calibration error with the binning stated.
 *
 * - `equal-width` (default): bins [b/B, (b+1)/B) for b = 0..B−1; the last bin also takes 1.
 * - `equal-mass`: edges at the order statistics: with the scores sorted, bin b starts at the score of rank
 *   ⌊b·n/B⌋ (0-based) and takes every score from its edge up to (not including) the next edge; the last bin takes
 *   everything up to the largest score. Tied scores always share a bin, so bins hold about n/B answers each, not
 *   exactly; bins whose edges coincide are empty.
 *
 * ECE = Σ_b (n_b / n) · |accuracy_b − meanScore_b|; empty bins are left out of `bins` and add nothing. `bins` is the
 * data of a reliability diagram. With no answers ece is NaN.
 */
export function expectedCalibrationError(
  scores: ArrayLike<number>,
  labels: CorrectnessLabels,
  options: { bins?: number; binning?: CalibrationBinning } = {},
): ExpectedCalibrationErrorResult {
  const binCount = options.bins ?? 10;
  const binning = options.binning ?? 'equal-width';
  if (!Number.isInteger(binCount) || binCount < 1) {
    throw new InvalidInputError({ field: 'bins', problem: `must be a positive integer, got ${binCount}` });
  }
  const correct = readScoresAndLabels(scores, labels, true);
  const n = scores.length;
  const binOf = new Uint32Array(n);
  const lowerEdges = new Float64Array(binCount);
  const upperEdges = new Float64Array(binCount);
  if (binning === 'equal-width') {
    for (let bin = 0; bin < binCount; bin++) {
      lowerEdges[bin] = bin / binCount;
      upperEdges[bin] = (bin + 1) / binCount;
    }
    for (let index = 0; index < n; index++) {
      const score = scores[index]!;
      let bin = Math.min(Math.floor(score * binCount), binCount - 1);
      // Guard against rounding in score * binCount: the edges are bin / binCount.
      if (score < lowerEdges[bin]!) bin--;
      else if (bin < binCount - 1 && score >= upperEdges[bin]!) bin++;
      binOf[index] = bin;
    }
  } else if (binning === 'equal-mass') {
    const order = ascendingOrder(scores);
    for (let bin = 0; bin < binCount; bin++) {
      const rank = Math.floor((bin * n) / binCount);
      lowerEdges[bin] = n === 0 ? 0 : scores[order[Math.min(rank, n - 1)]!]!;
    }
    for (let bin = 0; bin < binCount; bin++) {
      upperEdges[bin] = bin + 1 < binCount ? lowerEdges[bin + 1]! : n === 0 ? 0 : scores[order[n - 1]!]!;
    }
    let bin = 0;
    for (let position = 0; position < n; position++) {
      const index = order[position]!;
      while (bin + 1 < binCount && scores[index]! >= lowerEdges[bin + 1]!) bin++;
      binOf[index] = bin;
    }
  } else {
    throw new InvalidInputError({
      field: 'binning',
      problem: `must be "equal-width" or "equal-mass", got ${String(binning)}`,
    });
  }
  const counts = new Float64Array(binCount);
  const scoreSums = new Float64Array(binCount);
  const correctSums = new Float64Array(binCount);
  for (let index = 0; index < n; index++) {
    const bin = binOf[index]!;
    counts[bin]!++;
    scoreSums[bin]! += scores[index]!;
    correctSums[bin]! += correct[index]!;
  }
  const bins: CalibrationBin[] = [];
  let ece = 0;
  for (let bin = 0; bin < binCount; bin++) {
    const count = counts[bin]!;
    if (count === 0) continue;
    const meanScore = scoreSums[bin]! / count;
    const accuracy = correctSums[bin]! / count;
    ece += (count / n) * Math.abs(accuracy - meanScore);
    bins.push({ lower: lowerEdges[bin]!, upper: upperEdges[bin]!, count, meanScore, accuracy });
  }
  return { ece: n === 0 ? Number.NaN : ece, binning, binCount, bins };
}

/** Brier score: the mean of (score − label)². 0 is perfect; always answering 0.5 scores 0.25. NaN with no answers. */
export function brierScore(scores: ArrayLike<number>, labels: CorrectnessLabels): number {
  const correct = readScoresAndLabels(scores, labels, true);
  let sum = 0;
  for (let index = 0; index < correct.length; index++) {
    const difference = scores[index]! - correct[index]!;
    sum += difference * difference;
  }
  return sum / correct.length;
}

/**
 * Area under the ROC curve of the score for telling correct answers (positives) from wrong ones: the probability
 * that a random correct answer scores higher than a random wrong one, ties counting one half (Mann–Whitney U /
 * (n_correct · n_wrong), from average ranks). O(n log n). NaN when all answers are correct or all are wrong.
 * Scores may be any finite numbers.
 */
export function auroc(scores: ArrayLike<number>, labels: CorrectnessLabels): number {
  const correct = readScoresAndLabels(scores, labels, false);
  const order = ascendingOrder(scores);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    let groupPositives = 0;
    const score = scores[order[start]!]!;
    while (end < order.length && scores[order[end]!]! === score) {
      groupPositives += correct[order[end]!]!;
      end++;
    }
    // Ranks start + 1 .. end share their average.
    positiveRankSum += groupPositives * ((start + 1 + end) / 2);
    positives += groupPositives;
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface RiskCoverageCurve {
  /** coverage[k − 1] = k / n: the share of answers kept (the k highest-scoring). */
  coverage: Float64Array;
  /** risk[k − 1]: the error rate among the k kept answers (expected over tie orders, see `riskCoverageCurve`). */
  risk: Float64Array;
}

/**
 * The risk–coverage curve (Geifman & El-Yaniv, 2017, "Selective Classification for Deep Neural Networks"): keep the
 * k highest-scoring answers, k = 1..n, and measure the error rate of what is kept.
 *
 * Ties: answers with equal scores cannot be ordered by the score, so inside a group of g tied answers holding e
 * errors, the first j kept are counted as holding j·e/g errors — the exact expectation over every order of the tied
 * answers. The risk at each k (and so AURC) is therefore the average over all tie-breaks, and does not depend on the
 * order the answers are given in.
 */
export function riskCoverageCurve(scores: ArrayLike<number>, labels: CorrectnessLabels): RiskCoverageCurve {
  const correct = readScoresAndLabels(scores, labels, false);
  const n = correct.length;
  const order = ascendingOrder(scores);
  const coverage = new Float64Array(n);
  const risk = new Float64Array(n);
  let kept = 0;
  let errorsBefore = 0;
  // Walk from the highest score down, one tie group at a time.
  for (let end = n; end > 0; ) {
    let start = end - 1;
    const score = scores[order[start]!]!;
    while (start > 0 && scores[order[start - 1]!]! === score) start--;
    const groupSize = end - start;
    let groupErrors = 0;
    for (let position = start; position < end; position++) groupErrors += 1 - correct[order[position]!]!;
    for (let taken = 1; taken <= groupSize; taken++) {
      const k = kept + taken;
      coverage[k - 1] = k / n;
      risk[k - 1] = (errorsBefore + (taken * groupErrors) / groupSize) / k;
    }
    kept += groupSize;
    errorsBefore += groupErrors;
    end = start;
  }
  return { coverage, risk };
}

/**
 * Area under the risk–coverage curve (AURC; Geifman, Uziel & El-Yaniv, 2019, "Bias-Reduced Uncertainty Estimation
 * for Deep Neural Classifiers", ICLR): the mean of the risk at coverages 1/n, 2/n, …, 1 (the discrete estimator
 * (1/n) Σ_k risk_k), with ties handled as in `riskCoverageCurve`. Lower is better. NaN with no answers.
 */
export function aurc(scores: ArrayLike<number>, labels: CorrectnessLabels): number {
  const { risk } = riskCoverageCurve(scores, labels);
  let sum = 0;
  for (let index = 0; index < risk.length; index++) sum += risk[index]!;
  return sum / risk.length;
}

/**
 * The AURC of a perfect ranking (every correct answer above every wrong one) of n answers of which `errors` are
 * wrong, with the same discrete estimator: (1/n) Σ_{k = n−errors+1}^{n} (k − (n − errors)) / k. Close to
 * r + (1 − r) ln(1 − r) for error rate r and large n.
 */
export function optimalAurc(n: number, errors: number): number {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(errors) || errors < 0 || errors > n) {
    throw new InvalidInputError({ field: 'errors', problem: `needs integers 0 <= errors <= n, got ${errors} of ${n}` });
  }
  const correctCount = n - errors;
  let sum = 0;
  for (let k = correctCount + 1; k <= n; k++) sum += (k - correctCount) / k;
  return sum / n;
}

/**
 * Excess AURC (E-AURC; Geifman, Uziel & El-Yaniv, 2019): AURC minus the AURC of a perfect ranking with the same
 * number of errors, so a score is judged on its ranking alone and not on the model's accuracy. 0 is a perfect
 * ranking; NaN with no answers.
 */
export function excessAurc(scores: ArrayLike<number>, labels: CorrectnessLabels): number {
  const correct = readScoresAndLabels(scores, labels, false);
  let errors = 0;
  for (let index = 0; index < correct.length; index++) errors += 1 - correct[index]!;
  return aurc(scores, labels) - optimalAurc(correct.length, errors);
}
