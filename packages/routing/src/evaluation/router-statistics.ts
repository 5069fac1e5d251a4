import { orientedScore, SeededDraws, type ScoreDirection } from '@confide/core';
import {
  aurc,
  auroc,
  bootstrapCountStream,
  brierScore,
  chooseThresholdForDelegationBudget,
  chooseThresholdForErrorRate,
  chooseThresholdForMeanLoss,
  delegationBudgetRank,
  fixedSequenceChoice,
  keptLossPValue,
  excessAurc,
  expectedCalibrationError,
  mcnemarTest,
  percentileInterval,
  type McNemarResult,
} from '@confide/metrics';
import { LoopTurns, weightedSum, type ResamplePlan, type ResampleSettings, type RunControl } from './resample-plan.js';

/** Per-problem outcome of one routed run: what bootstrap intervals and paired tests resample. */
export interface ProblemOutcomes {
  /** The binary verdict of the answer taken (McNemar's test, agreement zones). */
  correct: Uint8Array;
  /** The graded score of the answer taken, in [0, 1] (means and their intervals). */
  score: Float64Array;
  /** Paid cost per problem, in 1e-8 dollars (every call made for it). */
  cost: Float64Array;
  delegated: Uint8Array;
}

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * The percentile interval of `finish(Σ count·value)` over the resamples of `bootstrapCountStream(n, resamples, seed)`
 * (the one resampling scheme), drawn one at a time: for one statistic on its own (`compare`, the viewer). An
 * evaluation with many statistics shares one pass through a `ResamplePlan`.
 */
export function bootstrapInterval(values: ArrayLike<number>, settings: ResampleSettings, finish: (weightedSum: number) => number): Interval {
  const samples = new Float64Array(settings.resamples);
  let resample = 0;
  for (const counts of bootstrapCountStream(values.length, settings.resamples, settings.seed)) samples[resample++] = finish(weightedSum(values, counts));
  return percentileInterval(samples, settings.confidence);
}

export interface RouterComparison {
  left: string;
  right: string;
  atDelegationRate: number;
  delegationRates: [number, number];
  accuracies: [number, number];
  /** Mean score of left minus right, with its paired bootstrap interval. */
  difference: number;
  differenceInterval: Interval;
  mcnemar: McNemarResult;
}

/**
 * Two routers on the same problems: the difference of their mean graded scores with its paired-bootstrap interval
 * (scores, so partial credit counts), and McNemar's test on their binary verdicts (`correct`: McNemar is defined on
 * binary labels only).
 */
export function mcnemarComparison(
  left: string,
  leftOutcomes: ProblemOutcomes,
  right: string,
  rightOutcomes: ProblemOutcomes,
  atDelegationRate: number,
  plan: ResamplePlan,
): RouterComparison {
  const n = leftOutcomes.score.length;
  const mean = (values: ArrayLike<number>) => {
    let sum = 0;
    for (let index = 0; index < n; index++) sum += values[index]!;
    return sum / n;
  };
  const difference = Float64Array.from(leftOutcomes.score, (value, index) => value - rightOutcomes.score[index]!);
  return {
    left,
    right,
    atDelegationRate,
    delegationRates: [mean(leftOutcomes.delegated), mean(rightOutcomes.delegated)],
    accuracies: [mean(leftOutcomes.score), mean(rightOutcomes.score)],
    difference: mean(leftOutcomes.score) - mean(rightOutcomes.score),
    differenceInterval: plan.intervalWhenRun(plan.weighted(difference, (sum) => sum / n)),
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

/** What a threshold is chosen to guarantee: the error rate of kept answers, or the delegation rate (hence the spend). */
export type Guarantee = { kind: 'kept-error'; maxKeptErrorRate: number } | { kind: 'delegation-rate'; maxDelegationRate: number };

export interface RiskControlResult {
  label: string;
  guarantee: Guarantee;
  /** The guarantee's target: α for kept error, the cap for the delegation rate. */
  target: number;
  delta: number;
  method: string;
  /**
   * Kept-error guarantees: the small model's error rate μ on the calibration half and the least share any threshold
   * must delegate to reach α, (μ − α)/(1 − α) when μ > α (delegating only wrong answers), else 0.
   */
  feasibility: { smallErrorRate: number; minimumDelegationRate: number } | null;
  /**
   * How often the guarantee failed over random calibration/test splits: measured on the whole set (the population the
   * halves are drawn from, what the guarantee is about: compare with δ), and on the held-out half (a sample of it,
   * so its own noise adds violations).
   */
  violations: { splits: number; population: { violated: number; rate: number }; heldOut: { violated: number; rate: number } } | null;
  /** In the score's own units: keep answers at or above it (`keep-high`) or at or below it (`keep-low`). */
  threshold: number | null;
  calibration: { size: number; kept: number; keptErrorRate: number; pValue: number } | null;
  heldOut: { size: number; kept: number; keptErrorRate: number; delegationRate: number; accuracy: number; costUsd: number } | null;
}

/** Fixed sequences started at evenly spaced candidates (each at δ / starts), so a strict start keeping too few answers cannot end the search. */
const FIXED_SEQUENCE_STARTS = 10;

/** How many fixed sequences Learn then Test runs over `candidates` thresholds: ten, or one per candidate when there are fewer. */
export function fixedSequenceStarts(candidates: number): number {
  return Math.min(FIXED_SEQUENCE_STARTS, candidates);
}

/**
 * The fixed sequences of a method's description, as run over `candidates` thresholds: "10 fixed sequences (each at
 * δ/10) over 101 thresholds", "1 fixed sequence (at δ) over 1 threshold".
 */
export function fixedSequencesPhrase(candidates: number): string {
  const starts = fixedSequenceStarts(candidates);
  const sequences = starts === 1 ? '1 fixed sequence (at δ)' : `${starts} fixed sequences (each at δ/${starts})`;
  return `${sequences} over ${candidates} ${candidates === 1 ? 'threshold' : 'thresholds'}`;
}

export interface GuaranteeInput {
  label: string;
  table: { smallCorrect: Uint8Array; smallScore: Float64Array; largeScore: Float64Array; smallCost: Float64Array; largeCost: Float64Array };
  scores: Float64Array;
  direction: ScoreDirection;
  calibrationIndices: readonly number[];
  testIndices: readonly number[];
  guarantee: Guarantee;
  delta: number;
  /** Candidate thresholds in the score's units, fixed before looking at the calibration split (kept-error guarantees). */
  grid: readonly number[];
}

/** What every choice of a guarantee reads, computed once: oriented scores per problem and whether grades are graded. */
interface GuaranteeData {
  input: GuaranteeInput;
  /** Per problem (table index): its score oriented so that keep = oriented ≥ threshold; -Infinity without a score. */
  oriented: Float64Array;
  graded: boolean;
  /** The candidate thresholds, oriented, strictest first (kept-error guarantees). */
  candidates: number[];
}

function guaranteeData(input: GuaranteeInput): GuaranteeData {
  const size = Math.max(input.scores.length, input.table.smallScore.length);
  const oriented = new Float64Array(size);
  for (let index = 0; index < input.scores.length; index++) oriented[index] = orientedScore(input.scores[index]!, input.direction);
  return {
    input,
    oriented,
    graded: isGraded(input.table.smallScore),
    candidates: [...new Set(input.grid.map((threshold) => orientedScore(threshold, input.direction)))].sort((left, right) => right - left),
  };
}

/** The oriented threshold a guarantee picks on calibration indices (keep oriented score ≥ it), or null when none is certified. */
function chooseGuaranteed(
  data: GuaranteeData,
  calibrationIndices: ArrayLike<number>,
): { threshold: number; kept: number; keptErrorRate: number; pValue: number } | null {
  const { input, oriented } = data;
  const count = calibrationIndices.length;
  // A problem without a score (P(c) under its token-mass floor) is oriented to -Infinity: delegated at every
  // threshold. It is never kept, so Learn then Test leaves it out (it adds neither a kept answer nor an error); for the
  // delegation bound it stands below every scored problem, and a threshold that would keep it is no threshold.
  let scoredCount = 0;
  let lowest = Infinity;
  for (let position = 0; position < count; position++) {
    const value = oriented[calibrationIndices[position]!]!;
    if (Number.isFinite(value)) {
      scoredCount++;
      if (value < lowest) lowest = value;
    }
  }
  if (input.guarantee.kind === 'delegation-rate') {
    const belowEverything = scoredCount === 0 ? 0 : lowest - 1;
    const calibrationScores = new Float64Array(count);
    for (let position = 0; position < count; position++) {
      const value = oriented[calibrationIndices[position]!]!;
      calibrationScores[position] = Number.isFinite(value) ? value : belowEverything;
    }
    const chosen = chooseThresholdForDelegationBudget(calibrationScores, input.guarantee.maxDelegationRate, input.delta);
    if (chosen === null || (scoredCount < count && chosen.threshold <= belowEverything)) return null;
    const kept = count - chosen.delegated;
    let loss = 0;
    for (let position = 0; position < count; position++) {
      const index = calibrationIndices[position]!;
      const value = Number.isFinite(oriented[index]!) ? oriented[index]! : belowEverything;
      if (value >= chosen.threshold) loss += 1 - input.table.smallScore[index]!;
    }
    return { threshold: chosen.threshold, kept, keptErrorRate: kept === 0 ? 0 : loss / kept, pValue: chosen.exceedProbability };
  }
  const calibrationScores = new Float64Array(scoredCount);
  const calibrationLosses = new Float64Array(scoredCount);
  let next = 0;
  for (let position = 0; position < count; position++) {
    const index = calibrationIndices[position]!;
    if (!Number.isFinite(oriented[index]!)) continue;
    calibrationScores[next] = oriented[index]!;
    calibrationLosses[next++] = data.graded ? 1 - input.table.smallScore[index]! : 1 - input.table.smallCorrect[index]!;
  }
  const search = { thresholds: data.candidates, delta: input.delta, starts: fixedSequenceStarts(data.candidates.length) };
  if (data.graded) {
    const chosen = chooseThresholdForMeanLoss(calibrationScores, calibrationLosses, { ...search, targetMeanLoss: input.guarantee.maxKeptErrorRate });
    return chosen === null ? null : { threshold: chosen.threshold, kept: chosen.kept, keptErrorRate: chosen.keptMeanLoss, pValue: chosen.pValue };
  }
  const calibrationLabels = Uint8Array.from(calibrationLosses, (loss) => 1 - loss);
  return chooseThresholdForErrorRate(calibrationScores, calibrationLabels, { ...search, targetErrorRate: input.guarantee.maxKeptErrorRate });
}

/** Whether any score is strictly between 0 and 1 (partial credit): then a kept-error guarantee is on the mean loss 1 − score. */
function isGraded(scores: Float64Array): boolean {
  return scores.some((score) => score > 0 && score < 1);
}

/** What an oriented threshold does on some indices: kept count and error, delegation, accuracy, cost. */
function evaluateThreshold(input: GuaranteeInput, threshold: number | null, indices: ArrayLike<number>) {
  let kept = 0;
  let keptLoss = 0;
  let score = 0;
  let cost = 0;
  for (let position = 0; position < indices.length; position++) {
    const index = indices[position]!;
    // no certified threshold: delegate everything
    const keep = threshold !== null && orientedScore(input.scores[index]!, input.direction) >= threshold;
    cost += input.table.smallCost[index]! + (keep ? 0 : input.table.largeCost[index]!);
    if (keep) {
      kept++;
      keptLoss += 1 - input.table.smallScore[index]!;
      score += input.table.smallScore[index]!;
    } else {
      score += input.table.largeScore[index]!;
    }
  }
  const size = indices.length;
  return { size, kept, keptErrorRate: kept === 0 ? 0 : keptLoss / kept, delegationRate: (size - kept) / size, accuracy: score / size, costUsd: cost / 1e8 };
}

function violates(guarantee: Guarantee, outcome: { keptErrorRate: number; delegationRate: number }): boolean {
  return guarantee.kind === 'kept-error' ? outcome.keptErrorRate > guarantee.maxKeptErrorRate : outcome.delegationRate > guarantee.maxDelegationRate;
}

/**
 * How often the guarantee fails over random calibration/test splits of the same sizes: on the whole set and on the
 * held-out half. The problems are sorted by oriented score once; each split's calibration half is read off that order
 * (no sort per split): the rule's threshold keeps a prefix of the sorted problems (`splitRule`), whose figures on the
 * whole set are prefix sums and on the held-out half one pass over the prefix. O(n) per split.
 */
async function violationRates(data: GuaranteeData, splits: { count: number; seed: number }, control: RunControl): Promise<NonNullable<RiskControlResult['violations']>> {
  const { input } = data;
  const guarantee = input.guarantee;
  const turns = new LoopTurns(control, `risk control: ${input.label}: violation splits`, splits.count);
  const sorted = splitProblems(data);
  const n = sorted.oriented.length;
  const calibrationSize = input.calibrationIndices.length;
  const keptPrefixOf = splitRule(data, sorted);
  let [population, heldOut, done] = [0, 0, 0];
  for (const calibration of randomSplits(n, calibrationSize, splits)) {
    const kept = keptPrefixOf(calibration);
    population += violates(guarantee, thresholdOutcome(n, kept, sorted.keptLossBefore[kept]!)) ? 1 : 0;
    heldOut += violates(guarantee, heldOutOutcome(calibration, kept, sorted.smallScore, n - calibrationSize)) ? 1 : 0;
    await turns.step(++done);
  }
  turns.finish();
  const share = (count: number) => ({ violated: count, rate: count / splits.count });
  return { splits: splits.count, population: share(population), heldOut: share(heldOut) };
}

/**
 * A guarantee's problems (calibration and test) sorted once by oriented score, descending (ties by index), with what a
 * split reads laid out in that order: every pass is sequential (a split is a random subset of sorted positions, as
 * uniform as one of problems).
 */
interface SplitProblems {
  oriented: Float64Array;
  smallScore: Float64Array;
  /** The loss Learn then Test sums: 1 − graded score, or 1 − verdict. */
  loss: Float64Array;
  /** The whole set's kept loss (1 − small score) of each prefix, summed in position order. */
  keptLossBefore: Float64Array;
}

function splitProblems(data: GuaranteeData): SplitProblems {
  const { input, oriented } = data;
  const everything = Uint32Array.from([...input.calibrationIndices, ...input.testIndices]);
  const descending = everything.slice().sort((left, right) => {
    const [a, b] = [oriented[left]!, oriented[right]!];
    return a > b ? -1 : a < b ? 1 : left - right;
  });
  const smallScore = Float64Array.from(descending, (index) => input.table.smallScore[index]!);
  const keptLossBefore = new Float64Array(descending.length + 1);
  for (let position = 0; position < descending.length; position++) keptLossBefore[position + 1] = keptLossBefore[position]! + (1 - smallScore[position]!);
  return {
    oriented: Float64Array.from(descending, (index) => oriented[index]!),
    smallScore,
    loss: Float64Array.from(descending, (index) => (data.graded ? 1 - input.table.smallScore[index]! : 1 - input.table.smallCorrect[index]!)),
    keptLossBefore,
  };
}

/**
 * The rule redone on one split's calibration half (a mask over the sorted positions): how long the prefix of the sorted
 * problems is that the threshold it certifies keeps (what `chooseGuaranteed` picks on that half), 0 when none is
 * certified. Kept error: the kept counts and losses at each candidate, tested as Learn then Test tests them; delegation
 * rate: the certified rank depends only on the calibration size.
 */
function splitRule(data: GuaranteeData, sorted: SplitProblems): (calibration: Uint8Array) => number {
  const { input, candidates } = data;
  const guarantee = input.guarantee;
  const { oriented } = sorted;
  if (guarantee.kind === 'delegation-rate') {
    const rank = delegationBudgetRank(input.calibrationIndices.length, guarantee.maxDelegationRate, input.delta);
    return (calibration) => {
      if (rank === 0) return 0;
      // the rank-th smallest calibration score; an unscored problem stands below every scored one: no threshold
      let seen = 0;
      for (let position = oriented.length - 1; position >= 0; position--) {
        if (calibration[position] === 1 && ++seen === rank) return Number.isFinite(oriented[position]!) ? keptPrefix(oriented, oriented[position]!) : 0;
      }
      return 0;
    };
  }
  const candidateEnds = candidateEndPositions(oriented, candidates);
  const kept = new Uint32Array(candidates.length);
  const lossSums = new Float64Array(candidates.length);
  const pValueOf = keptLossPValue(data.graded ? 'hoeffding-bentkus' : 'binomial', guarantee.maxKeptErrorRate);
  const options = { delta: input.delta, starts: fixedSequenceStarts(candidates.length) };
  return (calibration) => {
    keptAtCandidates(calibration, oriented, sorted.loss, candidateEnds, kept, lossSums);
    const chosen = fixedSequenceChoice(kept, lossSums, options, pValueOf);
    return chosen === null ? 0 : keptPrefix(oriented, candidates[chosen.index]!);
  };
}

/**
 * Per candidate threshold (strictest first), the sorted position where what it keeps ends: the first position whose
 * score is below it (n when none is), so candidate c keeps the positions before `ends[c]`.
 */
export function candidateEndPositions(descending: Float64Array, candidates: ArrayLike<number>): Uint32Array {
  const ends = new Uint32Array(candidates.length).fill(descending.length);
  let candidate = 0;
  for (let position = 0; position < descending.length && candidate < candidates.length; position++) {
    while (candidate < candidates.length && descending[position]! < candidates[candidate]!) ends[candidate++] = position;
  }
  return ends;
}

/**
 * How many scored problems of a calibration half (a mask over the sorted positions) each candidate keeps and their
 * summed loss, written into `kept` and `lossSums`: one pass up to the most lenient candidate's end, adding the losses
 * in position order (what Learn then Test on that half sums). Unscored problems (oriented −∞) are never kept.
 */
function keptAtCandidates(
  calibration: Uint8Array,
  orientedSorted: Float64Array,
  lossSorted: Float64Array,
  candidateEnds: Uint32Array,
  kept: Uint32Array,
  lossSums: Float64Array,
): void {
  let position = 0;
  let keptSoFar = 0;
  let lossSoFar = 0;
  for (let candidate = 0; candidate < candidateEnds.length; candidate++) {
    for (const end = candidateEnds[candidate]!; position < end; position++) {
      if (calibration[position] === 1 && Number.isFinite(orientedSorted[position]!)) {
        keptSoFar++;
        lossSoFar += lossSorted[position]!;
      }
    }
    kept[candidate] = keptSoFar;
    lossSums[candidate] = lossSoFar;
  }
}

/** What a kept prefix of the sorted problems does on the held-out half (the positions outside the calibration mask). */
function heldOutOutcome(calibration: Uint8Array, kept: number, smallScoreSorted: Float64Array, size: number): { keptErrorRate: number; delegationRate: number } {
  let restKept = 0;
  let restKeptLoss = 0;
  for (let position = 0; position < kept; position++) {
    if (calibration[position] === 0) {
      restKept++;
      restKeptLoss += 1 - smallScoreSorted[position]!;
    }
  }
  return thresholdOutcome(size, restKept, restKeptLoss);
}

/** A threshold's kept error (mean loss of the kept answers) and delegation rate, from what it keeps of `size` problems. */
function thresholdOutcome(size: number, kept: number, keptLoss: number): { keptErrorRate: number; delegationRate: number } {
  return { keptErrorRate: kept === 0 ? 0 : keptLoss / kept, delegationRate: (size - kept) / size };
}

/** How many of the scores, sorted descending, are at or above `threshold`: the prefix a threshold keeps. */
function keptPrefix(descending: Float64Array, threshold: number): number {
  let low = 0;
  let high = descending.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (descending[middle]! >= threshold) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Random calibration/test splits of n positions with `calibrationSize` in calibration, for violation rates: per split a
 * partial Fisher–Yates shuffle drawn from one seeded stream (core's createRandom stream, through SeededDraws; fast at a million problems, where
 * numpy's permutation is not), yielded as a calibration mask over the positions (reused: read it before the next).
 */
export function* randomSplits(n: number, calibrationSize: number, splits: { count: number; seed: number }): Generator<Uint8Array> {
  const draws = new SeededDraws(splits.seed);
  const mask = new Uint8Array(n);
  const pool = Uint32Array.from({ length: n }, (_, position) => position);
  for (let split = 0; split < splits.count; split++) {
    mask.fill(0);
    draws.markSubset(pool, calibrationSize, mask);
    yield mask;
  }
}

/**
 * Chooses a threshold on the calibration indices with a guarantee — on the kept answers' error rate (Learn then Test:
 * ≤ α with probability ≥ 1 − δ) or on the delegation rate, hence the spend (an order-statistic bound: ≤ the cap with
 * probability ≥ 1 − δ) — then reports what it achieves on the held-out indices. A kept-error guarantee first checks
 * feasibility: when the small model errs on more than α of the calibration half, at least (μ − α)/(1 − α) must be
 * delegated, and the result says so. `splits` (random calibration/test splits of the same sizes, from a seeded stream)
 * measure how often the guarantee fails, on the whole set and on the held-out half; they yield to the event loop every
 * 200 ms (progress, Ctrl-C through `control.signal`).
 */
export async function riskControlledThreshold(input: GuaranteeInput & { splits?: { count: number; seed: number } }, control: RunControl = {}): Promise<RiskControlResult> {
  const target = input.guarantee.kind === 'kept-error' ? input.guarantee.maxKeptErrorRate : input.guarantee.maxDelegationRate;
  let feasibility: RiskControlResult['feasibility'] = null;
  if (input.guarantee.kind === 'kept-error') {
    const loss = input.calibrationIndices.reduce((sum, index) => sum + 1 - input.table.smallScore[index]!, 0);
    const smallErrorRate = input.calibrationIndices.length === 0 ? 0 : loss / input.calibrationIndices.length;
    const alpha = input.guarantee.maxKeptErrorRate;
    feasibility = { smallErrorRate, minimumDelegationRate: smallErrorRate > alpha ? (smallErrorRate - alpha) / (1 - alpha) : 0 };
  }
  const data = guaranteeData(input);
  let violations: RiskControlResult['violations'] = null;
  if (input.splits && input.splits.count > 0) violations = await violationRates(data, input.splits, control);
  const base = {
    label: input.label,
    guarantee: input.guarantee,
    target,
    delta: input.delta,
    method:
      input.guarantee.kind === 'kept-error'
        ? isGraded(input.table.smallScore)
          ? `Learn then Test on the kept answers' mean loss (1 − graded score): ${fixedSequencesPhrase(data.candidates.length)} of a fixed grid, Hoeffding–Bentkus p-values`
          : `Learn then Test: ${fixedSequencesPhrase(data.candidates.length)} of a fixed grid, exact binomial p-values`
        : 'order-statistic bound on the delegation rate (exact binomial; distribution-free)',
    feasibility,
    violations,
  };
  const chosen = chooseGuaranteed(data, input.calibrationIndices);
  if (chosen === null) return { ...base, threshold: null, calibration: null, heldOut: null };
  return {
    ...base,
    threshold: orientedScore(chosen.threshold, input.direction),
    calibration: { size: input.calibrationIndices.length, kept: chosen.kept, keptErrorRate: chosen.keptErrorRate, pValue: chosen.pValue },
    heldOut: evaluateThreshold(input, chosen.threshold, input.testIndices),
  };
}
