import { ascendingOrder } from './score-inputs.js';

/** ECE (equal-width, equal-mass), Brier and AUROC of one resample, NaN where undefined (as the unweighted functions give). */
export interface WeightedFigures {
  eceEqualWidth: number;
  eceEqualMass: number;
  brier: number;
  auroc: number;
}

/**
 * Calibration figures of a score on bootstrap resamples given as multiplicities, in O(n + bins) per resample: the
 * problems are sorted once, and each resample's figures are those of the drawn problems written out (each problem
 * `counts[i]` times) — the same bins, edges, tie groups and ranks as `expectedCalibrationError`, `brierScore` and
 * `auroc` on that sample (sums may differ from them in the last bits: a problem drawn twice adds its score once,
 * doubled). For resamples of fixed scores (a calibration held fixed while the problems are resampled).
 *
 * A resample is two passes over the problems: one in problem order (Brier and the equal-width bins, whose sums run in
 * that order) and one in score order, tie group by tie group (AUROC's ranks, and the equal-mass edges and bins at once:
 * a tie group shares a bin, the last one whose edge it reaches). Each sum is accumulated in the same order as when
 * the edges were found first and the bins filled after, so the figures do not depend on how they are computed.
 */
export class WeightedCalibrationFigures {
  readonly #bins: number;
  readonly #probability: boolean;
  /**
   * Every score finite: a problem drawn 0 times then adds ±0 to every sum, which changes none of them, so the loops
   * run without testing for it (a test whose outcome is random costs more than the addition it saves). A score that is
   * not finite (NaN: a problem left uncalibrated) must be skipped when undrawn: 0 · NaN is NaN.
   */
  readonly #finite: boolean;
  /** Problem i's score, label, score − label (Brier's difference) and equal-width bin, in problem order. */
  readonly #scores: Float64Array;
  readonly #labels: Uint8Array;
  readonly #differences: Float64Array;
  readonly #widthBin: Uint32Array;
  /** Problems by score, ascending; their scores and labels in that order; where each group of tied scores ends (exclusive). */
  readonly #order: Uint32Array;
  readonly #sortedScores: Float64Array;
  readonly #sortedLabels: Uint8Array;
  readonly #groupEnds: Uint32Array;
  /** Scratch of one resample, allocated once: the equal-width bins' sums, and the counts of a tie group in score order. */
  readonly #widthWeights: Float64Array;
  readonly #widthScoreSums: Float64Array;
  readonly #widthCorrectSums: Float64Array;
  readonly #sortedCounts: Uint32Array;

  constructor(scores: ArrayLike<number>, labels: Uint8Array, options: { bins: number; probability: boolean }) {
    const n = scores.length;
    const binCount = options.bins;
    this.#bins = binCount;
    this.#probability = options.probability;
    this.#scores = Float64Array.from(scores);
    this.#labels = Uint8Array.from(labels);
    this.#finite = this.#scores.every((score) => Number.isFinite(score));
    this.#differences = Float64Array.from(this.#scores, (score, index) => score - this.#labels[index]!);
    this.#widthBin = Uint32Array.from(this.#scores, (score) => {
      let bin = Math.min(Math.floor(score * binCount), binCount - 1);
      if (score < bin / binCount) bin--;
      else if (bin < binCount - 1 && score >= (bin + 1) / binCount) bin++;
      return Math.max(0, bin);
    });
    this.#order = ascendingOrder(this.#scores);
    this.#sortedScores = Float64Array.from(this.#order, (index) => this.#scores[index]!);
    this.#sortedLabels = Uint8Array.from(this.#order, (index) => this.#labels[index]!);
    const ends: number[] = [];
    for (let position = 1; position <= n; position++) {
      if (position === n || this.#sortedScores[position]! !== this.#sortedScores[position - 1]!) ends.push(position);
    }
    this.#groupEnds = Uint32Array.from(ends);
    this.#widthWeights = new Float64Array(binCount);
    this.#widthScoreSums = new Float64Array(binCount);
    this.#widthCorrectSums = new Float64Array(binCount);
    this.#sortedCounts = new Uint32Array(n);
  }

  /** The figures on the resample `counts` (multiplicities summing to the sample's size). */
  figures(counts: ArrayLike<number>): WeightedFigures {
    const figures: WeightedFigures = { eceEqualWidth: Number.NaN, eceEqualMass: Number.NaN, brier: Number.NaN, auroc: Number.NaN };
    const total = this.#probability ? this.#brierAndEqualWidth(counts, figures) : 0;
    this.#aurocAndEqualMass(counts, total, figures);
    return figures;
  }

  /** Brier (Σ weight · d · d / Σ weight, every problem) and the equal-width ECE (bins summed in problem order), into `figures`; returns Σ weight. */
  #brierAndEqualWidth(counts: ArrayLike<number>, figures: WeightedFigures): number {
    const scores = this.#scores;
    const labels = this.#labels;
    const differences = this.#differences;
    const widthBin = this.#widthBin;
    const weights = this.#widthWeights.fill(0);
    const scoreSums = this.#widthScoreSums.fill(0);
    const correctSums = this.#widthCorrectSums.fill(0);
    let squareSum = 0;
    let total = 0;
    const finite = this.#finite;
    for (let index = 0; index < counts.length; index++) {
      const weight = counts[index]!;
      const difference = differences[index]!;
      squareSum += weight * difference * difference;
      total += weight;
      if (!finite && weight === 0) continue;
      const bin = widthBin[index]!;
      weights[bin] += weight;
      scoreSums[bin] += weight * scores[index]!;
      correctSums[bin] += weight * labels[index]!;
    }
    figures.brier = squareSum / total;
    figures.eceEqualWidth = eceOfBins(weights, scoreSums, correctSums, total);
    return total;
  }

/**
   * AUROC (tie groups share their average rank) and, for a probability, the equal-mass ECE: bin b starts at the score
   * of rank ⌊b·N/B⌋ of the drawn sample, so a drawn tie group whose counts reach rank ⌊b·N/B⌋ sets edges up to b, and
   * sits (with every problem tied with it) in the last bin whose edge it set or passed.
   */
  #aurocAndEqualMass(counts: ArrayLike<number>, total: number, figures: WeightedFigures): void {
    const order = this.#order;
    const sortedScores = this.#sortedScores;
    const sortedLabels = this.#sortedLabels;
    const sortedCounts = this.#sortedCounts;
    const groupEnds = this.#groupEnds;
    const binCount = this.#bins;
    const probability = this.#probability;
    const finite = this.#finite;
    // AUROC
    let positives = 0;
    let drawn = 0;
    let positiveRankSum = 0;
    // equal-mass bins: edges set so far and the rank of the next one, the bin being filled and its sums, the ECE of
    // the bins filled before it
    let edgesSet = 0;
    let nextEdgeRank = 0;
    let bin = -1;
    let binWeight = 0;
    let binScoreSum = 0;
    let binCorrectSum = 0;
    let eceEqualMass = 0;
    let start = 0;
    for (let group = 0; group < groupEnds.length; group++) {
      const end = groupEnds[group]!;
      let groupCount = 0;
      let groupPositives = 0;
      for (let position = start; position < end; position++) {
        const weight = counts[order[position]!]!;
        sortedCounts[position] = weight;
        groupCount += weight;
        groupPositives += weight * sortedLabels[position]!;
      }
      // ranks drawn + 1 .. drawn + groupCount share their average
      positiveRankSum += groupPositives * ((drawn + 1 + drawn + groupCount) / 2);
      positives += groupPositives;
      drawn += groupCount;
      // an undrawn group sets no edge and stays in the bin being filled (edgesSet − 1 is that bin already)
      if (probability && (finite || groupCount > 0)) {
        while (edgesSet < binCount && nextEdgeRank < drawn) nextEdgeRank = Math.floor((++edgesSet * total) / binCount);
        if (edgesSet - 1 !== bin) {
          if (binWeight !== 0) eceEqualMass += (binWeight / total) * Math.abs(binCorrectSum / binWeight - binScoreSum / binWeight);
          bin = edgesSet - 1;
          binWeight = 0;
          binScoreSum = 0;
          binCorrectSum = 0;
        }
        for (let position = start; position < end; position++) {
          const weight = sortedCounts[position]!;
          if (!finite && weight === 0) continue;
          binWeight += weight;
          binScoreSum += weight * sortedScores[position]!;
          binCorrectSum += weight * sortedLabels[position]!;
        }
      }
      start = end;
    }
    if (binWeight !== 0) eceEqualMass += (binWeight / total) * Math.abs(binCorrectSum / binWeight - binScoreSum / binWeight);
    const negatives = drawn - positives;
    figures.auroc = positives === 0 || negatives === 0 ? Number.NaN : (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
    if (probability && total !== 0) figures.eceEqualMass = eceEqualMass;
  }
}

function eceOfBins(weights: Float64Array, scoreSums: Float64Array, correctSums: Float64Array, total: number): number {
  if (total === 0) return Number.NaN;
  let ece = 0;
  for (let bin = 0; bin < weights.length; bin++) {
    const weight = weights[bin]!;
    if (weight === 0) continue;
    ece += (weight / total) * Math.abs(correctSums[bin]! / weight - scoreSums[bin]! / weight);
  }
  return ece;
}
