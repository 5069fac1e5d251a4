import { InvalidInputError } from '@confide/core';
import { BinomialCdfMemo, binomialCdf } from './binomial-distribution.js';
import { memoizedHoeffdingBentkusPValue } from './hoeffding-bentkus.js';
import { ascendingOrder, checkScore, readScoresAndLabels, type CorrectnessLabels } from './score-inputs.js';

/**
 * What keeping the answers with score ≥ threshold does on a set of graded answers. Scores are on the keep-high scale
 * (core's orientedScore negates keep-low scores such as lengths), so this is the one threshold rule.
 */
export interface ThresholdOutcome {
  threshold: number;
  /** Answers kept (score ≥ threshold). */
  kept: number;
  /** Wrong answers among the kept ones. */
  errors: number;
  /** errors / kept (NaN when nothing is kept). */
  keptErrorRate: number;
  /** Share of answers delegated (score < threshold). */
  delegationRate: number;
}

/** Evaluates one threshold: keep score ≥ threshold, delegate the rest. Use it to report a choice on held-out data. */
export function thresholdOutcome(
  scores: ArrayLike<number>,
  labels: CorrectnessLabels,
  threshold: number,
): ThresholdOutcome {
  const correct = readScoresAndLabels(scores, labels, false);
  let kept = 0;
  let errors = 0;
  for (let index = 0; index < correct.length; index++) {
    if (scores[index]! >= threshold) {
      kept++;
      errors += 1 - correct[index]!;
    }
  }
  return {
    threshold,
    kept,
    errors,
    keptErrorRate: kept === 0 ? Number.NaN : errors / kept,
    delegationRate: correct.length === 0 ? Number.NaN : (correct.length - kept) / correct.length,
  };
}

export interface RiskControlledThreshold extends ThresholdOutcome {
  /** The binomial p-value of the null "error rate of kept answers > target" at this threshold. */
  pValue: number;
  targetErrorRate: number;
  delta: number;
  /** Number of fixed sequences run (each at level delta / starts). */
  starts: number;
  method: 'learn-then-test/fixed-sequence/binomial';
}

function checkProbability(value: number, field: string, open: boolean): void {
  const ok = open ? value > 0 && value < 1 : value >= 0 && value <= 1;
  if (!ok) {
    throw new InvalidInputError({ field, problem: `must be in ${open ? '(0, 1)' : '[0, 1]'}, got ${value}` });
  }
}

/**
 * Picks the most lenient threshold (keep answers with score ≥ threshold, delegate the rest) whose kept answers have
 * an error rate of at most `targetErrorRate` (α), with probability at least 1 − `delta` (δ) over the draw of the
 * calibration set, by Learn then Test (Angelopoulos, Bates, Candès, Jordan & Lei, 2021, "Learn then Test:
 * Calibrating Predictive Algorithms to Achieve Risk Control", arXiv:2110.01052).
 *
 * For each candidate threshold t the null hypothesis is H_t: "the error rate of answers with score ≥ t exceeds α".
 * Given that n_t calibration answers are kept, their errors are Binomial(n_t, error rate), so
 * p_t = P(Binomial(n_t, α) ≤ errors_t) is a valid p-value (exact binomial tail, Clopper–Pearson style; p_t = 1 when
 * nothing is kept). The hypotheses are tested by fixed-sequence testing from the strictest threshold to the most
 * lenient, each at level δ, stopping at the first p_t > δ; every threshold rejected before that stop is certified, and
 * the most lenient of them is returned. This controls the family-wise error rate at δ, so the returned threshold's
 * true kept error rate is ≤ α with probability ≥ 1 − δ (calibration and test answers drawn i.i.d. from the same
 * distribution).
 *
 * A sequence stops at once where the strictest thresholds keep too few answers to reject anything (even with no
 * errors, n_t answers give p_t = (1 − α)^{n_t}, which needs n_t ≥ ln δ / ln(1 − α): 22 answers for α = δ = 0.1).
 * Either pass candidates that all keep enough answers (chosen without looking at this calibration set's labels), or
 * set `starts` = k > 1: k fixed sequences start at evenly spaced positions of the strict-to-lenient candidate list,
 * each at level δ / k (a union bound keeps the family-wise error at δ).
 *
 * Returns null when no threshold is certified (then delegate everything, or relax α or δ).
 */
export function chooseThresholdForErrorRate(
  scores: ArrayLike<number>,
  labels: CorrectnessLabels,
  options: { thresholds: readonly number[]; targetErrorRate: number; delta: number; starts?: number },
): RiskControlledThreshold | null {
  const correct = readScoresAndLabels(scores, labels, false);
  const losses = Float64Array.from(correct, (value) => 1 - value);
  const chosen = learnThenTest(scores, losses, options, keptLossPValue('binomial', options.targetErrorRate));
  if (chosen === null) return null;
  const errors = Math.round(chosen.lossSum);
  return {
    threshold: chosen.threshold,
    kept: chosen.kept,
    errors,
    keptErrorRate: errors / chosen.kept,
    delegationRate: chosen.delegationRate,
    pValue: chosen.pValue,
    targetErrorRate: options.targetErrorRate,
    delta: options.delta,
    starts: chosen.starts,
    method: 'learn-then-test/fixed-sequence/binomial',
  };
}

/** A threshold certified for the mean of a bounded loss (graded answers: loss 1 − score) of the kept answers. */
export interface MeanLossControlledThreshold {
  threshold: number;
  kept: number;
  /** The kept answers' summed loss. */
  lossSum: number;
  /** lossSum / kept: the kept answers' mean loss. */
  keptMeanLoss: number;
  delegationRate: number;
  /** The Hoeffding–Bentkus p-value of the null "the kept answers' mean loss > target" at this threshold. */
  pValue: number;
  targetMeanLoss: number;
  delta: number;
  starts: number;
  method: 'learn-then-test/fixed-sequence/hoeffding-bentkus';
}

/**
 * `chooseThresholdForErrorRate` for graded answers: the most lenient threshold whose kept answers have a mean loss
 * (each in [0, 1]; for a graded score, 1 − score) of at most `targetMeanLoss` with probability ≥ 1 − δ, by Learn then
 * Test's fixed-sequence testing with Hoeffding–Bentkus p-values (valid for any bounded loss; the binomial tail is
 * only valid for 0/1 errors).
 */
export function chooseThresholdForMeanLoss(
  scores: ArrayLike<number>,
  losses: ArrayLike<number>,
  options: { thresholds: readonly number[]; targetMeanLoss: number; delta: number; starts?: number },
): MeanLossControlledThreshold | null {
  if (scores.length !== losses.length) throw new InvalidInputError({ field: 'losses', problem: `has ${losses.length} entries but scores has ${scores.length}` });
  for (let index = 0; index < losses.length; index++) {
    checkScore(scores[index]!, index, false);
    const loss = losses[index]!;
    if (!(loss >= 0 && loss <= 1)) throw new InvalidInputError({ field: `losses[${index}]`, problem: `must be in [0, 1], got ${loss}` });
  }
  const chosen = learnThenTest(scores, losses, { ...options, targetErrorRate: options.targetMeanLoss }, keptLossPValue('hoeffding-bentkus', options.targetMeanLoss));
  if (chosen === null) return null;
  return {
    threshold: chosen.threshold,
    kept: chosen.kept,
    lossSum: chosen.lossSum,
    keptMeanLoss: chosen.lossSum / chosen.kept,
    delegationRate: chosen.delegationRate,
    pValue: chosen.pValue,
    targetMeanLoss: options.targetMeanLoss,
    delta: options.delta,
    starts: chosen.starts,
    method: 'learn-then-test/fixed-sequence/hoeffding-bentkus',
  };
}

/**
 * Learn then Test's fixed-sequence search over candidate thresholds (see `chooseThresholdForErrorRate`), for any
 * per-answer loss and any valid p-value of "the kept answers' mean loss > target" given the kept count and loss sum.
 */
function learnThenTest(
  scores: ArrayLike<number>,
  losses: ArrayLike<number>,
  options: { thresholds: readonly number[]; targetErrorRate: number; delta: number; starts?: number },
  pValueOf: (kept: number, lossSum: number) => number,
): { threshold: number; kept: number; lossSum: number; delegationRate: number; pValue: number; starts: number } | null {
  const { targetErrorRate, delta } = options;
  const starts = options.starts ?? 1;
  checkProbability(targetErrorRate, 'targetErrorRate', true);
  checkProbability(delta, 'delta', true);
  if (!Number.isInteger(starts) || starts < 1) {
    throw new InvalidInputError({ field: 'starts', problem: `must be a positive integer, got ${starts}` });
  }
  options.thresholds.forEach((threshold, index) => {
    if (Number.isNaN(threshold)) throw new InvalidInputError({ field: `thresholds[${index}]`, problem: 'is NaN' });
  });
  // Strictest (largest) threshold first.
  const candidates = [...new Set(options.thresholds)].sort((left, right) => right - left);
  if (candidates.length === 0) throw new InvalidInputError({ field: 'thresholds', problem: 'needs at least one' });

  // Scores in descending order with cumulative losses: kept(t) = #scores ≥ t, loss(t) = prefix[kept].
  const order = ascendingOrder(scores).reverse();
  const n = order.length;
  const descending = new Float64Array(n);
  const lossPrefix = new Float64Array(n + 1);
  for (let position = 0; position < n; position++) {
    descending[position] = scores[order[position]!]!;
    lossPrefix[position + 1] = lossPrefix[position]! + losses[order[position]!]!;
  }
  const keptAt = (threshold: number): number => {
    // First position whose score is < threshold.
    let low = 0;
    let high = n;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (descending[middle]! >= threshold) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const keptCounts = new Uint32Array(candidates.length);
  const lossSums = new Float64Array(candidates.length);
  candidates.forEach((threshold, index) => {
    keptCounts[index] = keptAt(threshold);
    lossSums[index] = lossPrefix[keptCounts[index]!]!;
  });
  const chosen = fixedSequenceChoice(keptCounts, lossSums, { delta, starts }, pValueOf);
  if (chosen === null) return null;
  const kept = keptCounts[chosen.index]!;
  return { threshold: candidates[chosen.index]!, kept, lossSum: lossSums[chosen.index]!, delegationRate: (n - kept) / n, pValue: chosen.pValue, starts };
}

/**
 * Learn then Test's fixed-sequence testing on counts already taken: for candidate thresholds strictest first, how many
 * answers each keeps and their summed loss. Each candidate's p-value comes from `pValueOf(kept, lossSum)` (1 when
 * nothing is kept); `starts` sequences at evenly spaced candidates, each at level δ / starts, stop at their first
 * p-value above the level; the most lenient candidate rejected by any is chosen (its index), or null. Callers that
 * count many calibration splits of one sorted set at once (risk control's violation rates) call this directly.
 */
export function fixedSequenceChoice(
  keptCounts: ArrayLike<number>,
  lossSums: ArrayLike<number>,
  options: { delta: number; starts: number },
  pValueOf: (kept: number, lossSum: number) => number,
): { index: number; pValue: number } | null {
  return lastFixedSequenceCertified(keptCounts.length, (index) => (keptCounts[index] === 0 ? 1 : pValueOf(keptCounts[index]!, lossSums[index]!)), options);
}

/**
 * The candidates fixed-sequence testing certifies, given each candidate's p-value in the testing order: `starts`
 * sequences at evenly spaced candidates, each at level δ / starts, each going on while its p-values stay at or under
 * the level. A mask (1: certified): every certified candidate holds its guarantee together with probability ≥ 1 − δ, so
 * a caller may pick among them by another criterion (the most accurate under a cost cap).
 */
export function fixedSequenceCertified(pValues: ArrayLike<number>, options: { delta: number; starts: number }): Uint8Array {
  return fixedSequenceTest(pValues.length, (index) => pValues[index]!, options).certified;
}

/**
 * `fixedSequenceCertified` over `count` candidates, asking `pValueAt(index)` only for the candidates the sequences
 * reach, each once (`fixedSequenceWalks`): a search over hundreds of candidates per split computes a few dozen
 * p-values. `pValues` holds the p-values asked (NaN where none was): every certified candidate's is there.
 */
export function fixedSequenceTest(
  count: number,
  pValueAt: (index: number) => number,
  options: { delta: number; starts: number },
): { certified: Uint8Array; pValues: Float64Array } {
  const certified = new Uint8Array(count);
  const pValues = new Float64Array(count).fill(Number.NaN);
  fixedSequenceWalks(count, (index) => (pValues[index] = pValueAt(index)), options, (start, stop) => certified.fill(1, start, stop));
  return { certified, pValues };
}

/**
 * The most lenient candidate fixed-sequence testing certifies (the last 1 of `fixedSequenceCertified`'s mask) and its
 * p-value, or null when none is; asks `pValueAt` as `fixedSequenceTest` does, without the mask and p-value arrays
 * (Learn then Test runs it on the candidates of every violation split).
 */
export function lastFixedSequenceCertified(
  count: number,
  pValueAt: (index: number) => number,
  options: { delta: number; starts: number },
): { index: number; pValue: number } | null {
  let chosen: { index: number; pValue: number } | null = null;
  // walks come in increasing order: the latest certified run ends furthest
  fixedSequenceWalks(count, pValueAt, options, (_start, stop, lastPValue) => (chosen = { index: stop - 1, pValue: lastPValue }));
  return chosen;
}

/**
 * Fixed-sequence testing's walks: from each of `starts` evenly spaced candidates, at level δ / starts, forward while
 * the p-values stay at or under the level; `certify(start, stop, lastPValue)` is told each walk's certified run
 * [start, stop), in increasing order, with the p-value of its last candidate (stop − 1). A start at or before where
 * the previous walk stopped is skipped: its walk is the tail of that one (or starts on the failing candidate), so it
 * certifies nothing new — each candidate's p-value is asked at most once.
 */
function fixedSequenceWalks(
  count: number,
  pValueAt: (index: number) => number,
  options: { delta: number; starts: number },
  certify: (start: number, stop: number, lastPValue: number) => void,
): void {
  const level = options.delta / options.starts;
  let stop = -1;
  for (let sequence = 0; sequence < options.starts; sequence++) {
    const start = Math.floor((sequence * count) / options.starts);
    if (start <= stop) continue;
    let lastPValue = Number.NaN;
    for (stop = start; stop < count; stop++) {
      const pValue = pValueAt(stop);
      if (!(pValue <= level)) break;
      lastPValue = pValue;
    }
    if (stop > start) certify(start, stop, lastPValue);
  }
}

/**
 * Learn then Test's p-value of "the kept answers' mean loss > α": the exact binomial tail for 0/1 errors, Hoeffding–Bentkus
 * for graded losses. The function remembers its binomial tails per (kept, count) (`BinomialCdfMemo`), so a search that
 * tests many candidates over many splits keeps one for its whole run; each p-value is bit for bit the direct one.
 */
export function keptLossPValue(kind: 'binomial' | 'hoeffding-bentkus', alpha: number): (kept: number, lossSum: number) => number {
  if (kind === 'binomial') {
    const tails = new BinomialCdfMemo(alpha);
    return (kept, lossSum) => tails.cdf(Math.round(lossSum), kept);
  }
  const hoeffdingBentkus = memoizedHoeffdingBentkusPValue(alpha);
  return (kept, lossSum) => hoeffdingBentkus(Math.min(1, lossSum / kept), kept);
}

export interface DelegationBudgetThreshold {
  /** Delegate answers with score < threshold. */
  threshold: number;
  /** Rank k (1-based, ascending) of the calibration score used as the threshold. */
  rank: number;
  /** Calibration answers delegated by the threshold (at most rank − 1; fewer when scores tie). */
  delegated: number;
  calibrationDelegationRate: number;
  /** P(Binomial(n, budget) ≤ rank − 1): the probability bound that the true delegation rate exceeds the budget. */
  exceedProbability: number;
  maxDelegationRate: number;
  delta: number;
  bound: 'binomial-order-statistic';
}

/**
 * Picks the highest threshold (delegate answers with score < threshold) whose true delegation rate stays within
 * `maxDelegationRate` (B) with probability at least 1 − `delta`, by the exact, distribution-free binomial bound on
 * an order statistic: with calibration scores sorted ascending s(1) ≤ … ≤ s(n), the threshold s(k) delegates a
 * fraction D = P(score < s(k)) of future answers, and P(D > B) ≤ P(Binomial(n, B) ≤ k − 1) for any score
 * distribution (D > B needs fewer than k of the n scores to fall at or below the B-quantile, each of which does so
 * with probability ≥ B). The largest k with that probability ≤ delta is used; k is monotone, so one test, no
 * multiplicity. This is the same lemma as the quantile step of split conformal prediction.
 *
 * Returns null when even the lowest calibration score cannot be certified ((1 − B)^n > delta): delegate nothing.
 */
export function chooseThresholdForDelegationBudget(
  scores: ArrayLike<number>,
  maxDelegationRate: number,
  delta: number,
): DelegationBudgetThreshold | null {
  checkProbability(maxDelegationRate, 'maxDelegationRate', false);
  checkProbability(delta, 'delta', true);
  const n = scores.length;
  for (let index = 0; index < n; index++) checkScore(scores[index]!, index, false);
  if (n === 0) return null;
  const rank = delegationBudgetRank(n, maxDelegationRate, delta);
  if (rank === 0) return null;
  const order = ascendingOrder(scores);
  const threshold = scores[order[rank - 1]!]!;
  let delegated = 0;
  for (let index = 0; index < n; index++) if (scores[index]! < threshold) delegated++;
  return {
    threshold,
    rank,
    delegated,
    calibrationDelegationRate: delegated / n,
    exceedProbability: binomialCdf(rank - 1, n, maxDelegationRate),
    maxDelegationRate,
    delta,
    bound: 'binomial-order-statistic',
  };
}

/**
 * The rank k of the calibration score that certifies a delegation budget B at level δ among n calibration answers:
 * the largest k in 1..n with P(Binomial(n, B) ≤ k − 1) ≤ δ (0 when none is; the cdf rises with k: binary search).
 */
export function delegationBudgetRank(n: number, maxDelegationRate: number, delta: number): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (binomialCdf(middle - 1, n, maxDelegationRate) <= delta) low = middle;
    else high = middle - 1;
  }
  return low;
}
