import { orientedScore, type ScoreDirection } from '@confide/core';
import { BinomialCdfMemo, bootstrapCountStream, fixedSequenceTest, lastFixedSequenceCertified, memoizedHoeffdingBentkusPValue, percentileInterval } from '@confide/metrics';
import type { OutcomeTable } from '../sweep/outcome-table.js';
import { LoopTurns, type RunControl } from './resample-plan.js';
import { candidateEndPositions, fixedSequencesPhrase, fixedSequenceStarts, randomSplits, type Interval } from './router-statistics.js';

/**
 * The threshold rules teams ask for, on the routed system as a whole (kept small answers plus delegated answers):
 * `system-accuracy` — the cheapest threshold whose accuracy is at least `minAccuracy`; `mean-cost` — the most accurate
 * threshold whose mean cost per problem is at most `maxMeanCostUsd`.
 */
export type SystemGuarantee = { kind: 'system-accuracy'; minAccuracy: number } | { kind: 'mean-cost'; maxMeanCostUsd: number };

export interface SystemGuaranteeInput {
  label: string;
  table: OutcomeTable;
  /** The swept router's score of every problem (a problem without one is delegated at every threshold). */
  scores: Float64Array;
  direction: ScoreDirection;
  calibrationIndices: readonly number[];
  testIndices: readonly number[];
  guarantee: SystemGuarantee;
  delta: number;
  /** Candidate thresholds in the score's units, fixed before looking at the calibration split. */
  grid: readonly number[];
  /** Random calibration/test splits of the same sizes over which violations are counted. */
  splits?: { count: number; seed: number };
  /** The bootstrap of the held-out figures' intervals (the evaluation's resample count, seed and confidence). */
  bootstrap: { resamples: number; seed: number; confidence: number };
}

export interface SystemGuaranteeResult {
  label: string;
  guarantee: SystemGuarantee;
  /** The target: the least accuracy, or the most mean cost per problem in dollars. */
  target: number;
  delta: number;
  method: string;
  /**
   * What the calibration half allows: the most accurate candidate's accuracy and the large model's alone (for an
   * accuracy target), the small model's mean cost alone (for a cost cap, the cheapest system); `feasible` says whether
   * the target is within reach on the calibration half at all.
   */
  feasibility: { feasible: boolean; bestAccuracy: number; largeAccuracy: number; smallMeanCostUsd: number };
  violations: { splits: number; population: { violated: number; rate: number }; heldOut: { violated: number; rate: number } } | null;
  /** In the score's own units (keep answers at or above it for keep-high, at or below for keep-low); null: none certified. */
  threshold: number | null;
  calibration: { size: number; accuracy: number; meanCostUsd: number; delegationRate: number; pValue: number } | null;
  heldOut: {
    size: number;
    accuracy: number;
    accuracyInterval: Interval;
    meanCostUsd: number;
    delegationRate: number;
    /** The large model alone on the same problems, and the share of its cost the routed system saves (with its interval). */
    largeAccuracy: number;
    largeMeanCostUsd: number;
    costSavingVsLarge: number;
    costSavingInterval: Interval;
  } | null;
}

/** Per candidate (strictest first: most delegated), the sums over a set of problems that both rules read. */
interface CandidateSums {
  size: number;
  kept: Float64Array;
  keptSmallLoss: Float64Array;
  keptLargeLoss: Float64Array;
  keptLargeCost: Float64Array;
  smallLoss: number;
  largeLoss: number;
  smallCost: number;
  largeCost: number;
}

/** What the splits and the chosen thresholds read, laid out once in order of oriented score, highest first. */
interface SortedProblems {
  /** Table indices, by oriented score descending (ties by index). */
  order: Uint32Array;
  oriented: Float64Array;
  smallLoss: Float64Array;
  largeLoss: Float64Array;
  smallCost: Float64Array;
  largeCost: Float64Array;
  /** Candidates, oriented, strictest (highest) first. */
  candidates: Float64Array;
  /** Per candidate, the position where what it keeps ends (it keeps the positions before). */
  candidateEnds: Uint32Array;
  graded: boolean;
  /** The largest cost one problem can have (small and large both called), in 1e-8 $: the cost loss's scale. */
  costScale: number;
}

function sortedProblems(input: SystemGuaranteeInput): SortedProblems {
  const { table } = input;
  const n = table.problemIds.length;
  const orientedOf = Float64Array.from(input.scores, (score) => orientedScore(score, input.direction));
  const order = Uint32Array.from({ length: n }, (_, index) => index).sort((left, right) => {
    const [a, b] = [orientedOf[left]!, orientedOf[right]!];
    return a > b ? -1 : a < b ? 1 : left - right;
  });
  let costScale = 0;
  for (let index = 0; index < n; index++) costScale = Math.max(costScale, table.smallCost[index]! + table.largeCost[index]!);
  const oriented = Float64Array.from(order, (index) => orientedOf[index]!);
  const candidates = Float64Array.from(new Set(input.grid.map((threshold) => orientedScore(threshold, input.direction)))).sort().reverse();
  return {
    order,
    oriented,
    smallLoss: Float64Array.from(order, (index) => 1 - table.smallScore[index]!),
    largeLoss: Float64Array.from(order, (index) => 1 - table.largeScore[index]!),
    smallCost: Float64Array.from(order, (index) => table.smallCost[index]!),
    largeCost: Float64Array.from(order, (index) => table.largeCost[index]!),
    candidates,
    candidateEnds: candidateEndPositions(oriented, candidates),
    graded: [table.smallScore, table.largeScore].some((scores) => scores.some((score) => score > 0 && score < 1)),
    costScale: Math.max(costScale, 1),
  };
}

/** Empty candidate sums for `count` candidates, to be filled by `candidateSums` (a split's sums reuse one). */
function emptyCandidateSums(count: number): CandidateSums {
  return {
    size: 0,
    kept: new Float64Array(count),
    keptSmallLoss: new Float64Array(count),
    keptLargeLoss: new Float64Array(count),
    keptLargeCost: new Float64Array(count),
    smallLoss: 0,
    largeLoss: 0,
    smallCost: 0,
    largeCost: 0,
  };
}

/**
 * The candidate sums over the sorted positions `member` marks (1), in one pass, written into `sums` (returned). The
 * totals are running sums in position order; a candidate's kept sums are the running sums where what it keeps ends
 * (the same additions in the same order, so the same bits as summing them apart).
 */
function candidateSums(sorted: SortedProblems, member: Uint8Array, sums: CandidateSums = emptyCandidateSums(sorted.candidates.length)): CandidateSums {
  const { candidateEnds, smallLoss, largeLoss, smallCost, largeCost } = sorted;
  const count = candidateEnds.length;
  let size = 0;
  let smallLossSum = 0;
  let largeLossSum = 0;
  let smallCostSum = 0;
  let largeCostSum = 0;
  let position = 0;
  // one stretch per candidate (the positions it keeps beyond the stricter one), then the positions none keeps
  for (let candidate = 0; candidate <= count; candidate++) {
    const end = candidate < count ? candidateEnds[candidate]! : member.length;
    for (; position < end; position++) {
      if (member[position] !== 1) continue;
      size++;
      smallLossSum += smallLoss[position]!;
      largeLossSum += largeLoss[position]!;
      smallCostSum += smallCost[position]!;
      largeCostSum += largeCost[position]!;
    }
    if (candidate === count) break;
    sums.kept[candidate] = size;
    sums.keptSmallLoss[candidate] = smallLossSum;
    sums.keptLargeLoss[candidate] = largeLossSum;
    sums.keptLargeCost[candidate] = largeCostSum;
  }
  sums.size = size;
  sums.smallLoss = smallLossSum;
  sums.largeLoss = largeLossSum;
  sums.smallCost = smallCostSum;
  sums.largeCost = largeCostSum;
  return sums;
}

/** The routed system at candidate c over the summed set: mean loss (1 − accuracy), mean cost (1e-8 $), delegation rate. */
function systemAt(sums: CandidateSums, c: number): { loss: number; cost: number; delegationRate: number } {
  if (sums.size === 0) return { loss: 0, cost: 0, delegationRate: 0 };
  return { loss: systemLossSum(sums, c) / sums.size, cost: systemCostSum(sums, c) / sums.size, delegationRate: (sums.size - sums.kept[c]!) / sums.size };
}

/** The routed system's summed loss at candidate c: the kept small answers' plus the delegated large answers'. */
function systemLossSum(sums: CandidateSums, c: number): number {
  return sums.keptSmallLoss[c]! + (sums.largeLoss - sums.keptLargeLoss[c]!);
}

/** The routed system's summed cost at candidate c (1e-8 $): every small call plus the delegated large calls. */
function systemCostSum(sums: CandidateSums, c: number): number {
  return sums.smallCost + (sums.largeCost - sums.keptLargeCost[c]!);
}

/**
 * The whole set minus a part (held-out = every problem − the calibration half) at candidate c alone, written into
 * `rest` (returned): its totals, and its kept sums at c (the other candidates' entries are left as they were; with c
 * null, none) — what `violates` reads of it at c.
 */
function minusAt(whole: CandidateSums, part: CandidateSums, c: number | null, rest: CandidateSums): CandidateSums {
  if (c !== null) {
    rest.kept[c] = whole.kept[c]! - part.kept[c]!;
    rest.keptSmallLoss[c] = whole.keptSmallLoss[c]! - part.keptSmallLoss[c]!;
    rest.keptLargeLoss[c] = whole.keptLargeLoss[c]! - part.keptLargeLoss[c]!;
    rest.keptLargeCost[c] = whole.keptLargeCost[c]! - part.keptLargeCost[c]!;
  }
  rest.size = whole.size - part.size;
  rest.smallLoss = whole.smallLoss - part.smallLoss;
  rest.largeLoss = whole.largeLoss - part.largeLoss;
  rest.smallCost = whole.smallCost - part.smallCost;
  rest.largeCost = whole.largeCost - part.largeCost;
  return rest;
}

/** A rule's p-value at candidate c on some sums (the null of `choose`), made once per guarantee. */
type CandidatePValue = (sums: CandidateSums, c: number) => number;

/**
 * The p-value `choose` tests at candidate c. System accuracy: "system loss > 1 − target", the exact binomial tail of
 * the rounded loss for 0/1 scores, Hoeffding–Bentkus for graded ones; mean cost: Hoeffding–Bentkus on "mean cost /
 * scale > cap / scale". Made once for the calibration half and every violation split, it remembers its binomial tails
 * (`BinomialCdfMemo`): each p-value is bit for bit the direct one.
 */
function candidatePValue(sorted: SortedProblems, guarantee: SystemGuarantee): CandidatePValue {
  if (guarantee.kind === 'system-accuracy') {
    const alpha = 1 - guarantee.minAccuracy;
    if (sorted.graded) {
      const hoeffdingBentkus = memoizedHoeffdingBentkusPValue(alpha);
      return (sums, c) => hoeffdingBentkus(Math.min(1, Math.max(0, systemLossSum(sums, c) / sums.size)), sums.size);
    }
    const tails = new BinomialCdfMemo(alpha);
    return (sums, c) => tails.cdf(Math.round(systemLossSum(sums, c)), sums.size);
  }
  const target = Math.min(1, (guarantee.maxMeanCostUsd * 1e8) / sorted.costScale);
  const hoeffdingBentkus = memoizedHoeffdingBentkusPValue(target);
  return (sums, c) => hoeffdingBentkus(Math.min(1, systemCostSum(sums, c) / sums.size / sorted.costScale), sums.size);
}

/**
 * The candidate a rule picks on calibration sums (an index into the candidates, strictest first), with its p-value,
 * or null when none is certified. System accuracy: Learn then Test of "system loss > 1 − target", fixed sequences
 * from the most delegating candidate towards cheaper ones, the cheapest certified. Mean cost: "mean cost / scale >
 * cap / scale" with Hoeffding–Bentkus p-values (a loss bounded by the largest per-problem cost), fixed sequences from
 * the cheapest candidate towards dearer ones, the most accurate certified (the cheaper of equals).
 */
function choose(sorted: SortedProblems, sums: CandidateSums, guarantee: SystemGuarantee, delta: number, pValueAt: CandidatePValue): { index: number; pValue: number } | null {
  const count = sorted.candidates.length;
  const starts = fixedSequenceStarts(count);
  if (sums.size === 0 || count === 0) return null;
  if (guarantee.kind === 'system-accuracy') {
    // the cheapest certified: the most lenient
    return lastFixedSequenceCertified(count, (c) => pValueAt(sums, c), { delta, starts });
  }
  // cheapest first: the candidates reversed
  const { certified, pValues } = fixedSequenceTest(count, (position) => pValueAt(sums, count - 1 - position), { delta, starts });
  let best: { index: number; pValue: number; loss: number } | null = null;
  for (let position = 0; position < count; position++) {
    if (certified[position] !== 1) continue;
    const c = count - 1 - position;
    const { loss } = systemAt(sums, c);
    if (best === null || loss < best.loss) best = { index: c, pValue: pValues[position]!, loss };
  }
  return best === null ? null : { index: best.index, pValue: best.pValue };
}

/**
 * Whether the system at candidate c misses the target on these sums; with no certified threshold the rule falls back
 * on delegating everything (an accuracy target: the large model answers all) or on delegating nothing (a cost cap).
 */
function violates(sums: CandidateSums, c: number | null, guarantee: SystemGuarantee): boolean {
  if (sums.size === 0) return false;
  const system =
    c !== null
      ? systemAt(sums, c)
      : guarantee.kind === 'system-accuracy'
        ? { loss: sums.largeLoss / sums.size, cost: (sums.smallCost + sums.largeCost) / sums.size }
        : { loss: sums.smallLoss / sums.size, cost: sums.smallCost / sums.size };
  return guarantee.kind === 'system-accuracy' ? 1 - system.loss < guarantee.minAccuracy - 1e-12 : system.cost / 1e8 > guarantee.maxMeanCostUsd + 1e-12;
}

/**
 * Certifies a threshold of a swept router for a system-level target on a calibration half (Learn then Test), checks
 * it on the held-out half (accuracy and the cost saved against the large model alone, with bootstrap intervals), and
 * counts how often the rule misses its target over random calibration/test splits of the same sizes — on the whole
 * set (the population the halves come from: compare with δ) and on the held-out half. Yields every 200 ms.
 */
export async function systemGuaranteedThreshold(input: SystemGuaranteeInput, control: RunControl = {}): Promise<SystemGuaranteeResult> {
  const sorted = sortedProblems(input);
  const n = sorted.order.length;
  const count = sorted.candidates.length;
  const positionOf = new Uint32Array(n);
  sorted.order.forEach((index, position) => (positionOf[index] = position));
  const inCalibration = new Uint8Array(n);
  for (const index of input.calibrationIndices) inCalibration[positionOf[index]!] = 1;
  const inTest = new Uint8Array(n);
  for (const index of input.testIndices) inTest[positionOf[index]!] = 1;
  const calibration = candidateSums(sorted, inCalibration);
  const pValueAt = candidatePValue(sorted, input.guarantee);
  const chosen = choose(sorted, calibration, input.guarantee, input.delta, pValueAt);

  // feasibility on the calibration half
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let c = 0; c < count; c++) bestLoss = Math.min(bestLoss, systemAt(calibration, c).loss);
  const largeAccuracy = calibration.size === 0 ? 0 : 1 - calibration.largeLoss / calibration.size;
  const smallMeanCostUsd = calibration.size === 0 ? 0 : calibration.smallCost / calibration.size / 1e8;
  const bestAccuracy = Math.max(largeAccuracy, count === 0 ? 0 : 1 - bestLoss);
  const feasible = input.guarantee.kind === 'system-accuracy' ? bestAccuracy >= input.guarantee.minAccuracy : smallMeanCostUsd <= input.guarantee.maxMeanCostUsd;

  const violations = input.splits && input.splits.count > 0 ? await violationRates(sorted, input, input.splits, pValueAt, control) : null;
  const target = input.guarantee.kind === 'system-accuracy' ? input.guarantee.minAccuracy : input.guarantee.maxMeanCostUsd;
  const base = {
    label: input.label,
    guarantee: input.guarantee,
    target,
    delta: input.delta,
    method:
      input.guarantee.kind === 'system-accuracy'
        ? `Learn then Test on the routed system's loss (1 − score of the answer it keeps or delegates): ${fixedSequencesPhrase(sorted.candidates.length)}, from the most delegating candidate, ${sorted.graded ? 'Hoeffding–Bentkus' : 'exact binomial'} p-values; the cheapest certified threshold`
        : `Learn then Test on the mean cost per problem scaled by the largest per-problem cost (small and large both called, $${(sorted.costScale / 1e8).toPrecision(3)}): ${fixedSequencesPhrase(sorted.candidates.length)}, from the cheapest candidate, Hoeffding–Bentkus p-values; the most accurate certified threshold`,
    feasibility: { feasible, bestAccuracy, largeAccuracy, smallMeanCostUsd },
    violations,
  };
  if (chosen === null) return { ...base, threshold: null, calibration: null, heldOut: null };
  const atCalibration = systemAt(calibration, chosen.index);
  return {
    ...base,
    threshold: orientedScore(sorted.candidates[chosen.index]!, input.direction),
    calibration: { size: calibration.size, accuracy: 1 - atCalibration.loss, meanCostUsd: atCalibration.cost / 1e8, delegationRate: atCalibration.delegationRate, pValue: chosen.pValue },
    heldOut: heldOutFigures(input, sorted.candidates[chosen.index]!),
  };
}

/** The held-out half at an oriented threshold: accuracy and the cost saved against the large model alone, with bootstrap intervals. */
function heldOutFigures(input: SystemGuaranteeInput, threshold: number): NonNullable<SystemGuaranteeResult['heldOut']> {
  const { table } = input;
  const indices = input.testIndices;
  const m = indices.length;
  const score = new Float64Array(m);
  const cost = new Float64Array(m);
  const largeCost = new Float64Array(m);
  let delegated = 0;
  indices.forEach((index, position) => {
    const keep = orientedScore(input.scores[index]!, input.direction) >= threshold;
    if (!keep) delegated++;
    score[position] = keep ? table.smallScore[index]! : table.largeScore[index]!;
    cost[position] = table.smallCost[index]! + (keep ? 0 : table.largeCost[index]!);
    largeCost[position] = table.largeCost[index]!;
  });
  const sum = (values: Float64Array) => values.reduce((total, value) => total + value, 0);
  const saving = (routed: number, large: number) => (large === 0 ? 0 : 1 - routed / large);
  const accuracySamples = new Float64Array(input.bootstrap.resamples);
  const savingSamples = new Float64Array(input.bootstrap.resamples);
  let resample = 0;
  for (const counts of bootstrapCountStream(Math.max(1, m), input.bootstrap.resamples, input.bootstrap.seed)) {
    let [scoreSum, costSum, largeSum] = [0, 0, 0];
    for (let position = 0; position < m; position++) {
      const weight = counts[position]!;
      scoreSum += weight * score[position]!;
      costSum += weight * cost[position]!;
      largeSum += weight * largeCost[position]!;
    }
    accuracySamples[resample] = m === 0 ? 0 : scoreSum / m;
    savingSamples[resample++] = saving(costSum, largeSum);
  }
  const largeScore = indices.reduce((total, index) => total + table.largeScore[index]!, 0);
  return {
    size: m,
    accuracy: m === 0 ? 0 : sum(score) / m,
    accuracyInterval: percentileInterval(accuracySamples, input.bootstrap.confidence),
    meanCostUsd: m === 0 ? 0 : sum(cost) / m / 1e8,
    delegationRate: m === 0 ? 0 : delegated / m,
    largeAccuracy: m === 0 ? 0 : largeScore / m,
    largeMeanCostUsd: m === 0 ? 0 : sum(largeCost) / m / 1e8,
    costSavingVsLarge: saving(sum(cost), sum(largeCost)),
    costSavingInterval: percentileInterval(savingSamples, input.bootstrap.confidence),
  };
}

/** The rule redone on random calibration halves (router-statistics' `randomSplits` over the sorted positions). */
async function violationRates(
  sorted: SortedProblems,
  input: SystemGuaranteeInput,
  splits: { count: number; seed: number },
  pValueAt: CandidatePValue,
  control: RunControl,
): Promise<NonNullable<SystemGuaranteeResult['violations']>> {
  const n = sorted.order.length;
  const stage = `risk control: ${input.label}: violation splits`;
  const count = sorted.candidates.length;
  const whole = candidateSums(sorted, new Uint8Array(n).fill(1));
  // whether the whole set misses the target at each candidate, and (last) with none certified
  const wholeMisses = Uint8Array.from({ length: count + 1 }, (_, c) => (violates(whole, c < count ? c : null, input.guarantee) ? 1 : 0));
  // one split's calibration and held-out sums, rewritten each split
  const calibration = emptyCandidateSums(count);
  const rest = emptyCandidateSums(count);
  let [population, heldOut, done] = [0, 0, 0];
  const turns = new LoopTurns(control, stage, splits.count);
  // the same random halves as a kept-error guarantee's violation splits (over positions in score order)
  for (const mask of randomSplits(n, input.calibrationIndices.length, splits)) {
    candidateSums(sorted, mask, calibration);
    const chosen = choose(sorted, calibration, input.guarantee, input.delta, pValueAt);
    const index = chosen === null ? null : chosen.index;
    population += wholeMisses[index ?? count]!;
    heldOut += violates(minusAt(whole, calibration, index, rest), index, input.guarantee) ? 1 : 0;
    await turns.step(++done);
  }
  turns.finish();
  const share = (violated: number) => ({ violated, rate: violated / splits.count });
  return { splits: splits.count, population: share(population), heldOut: share(heldOut) };
}
