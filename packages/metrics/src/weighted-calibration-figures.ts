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
 */
export class WeightedCalibrationFigures {
  readonly #scores: ArrayLike<number>;
  readonly #labels: Uint8Array;
  readonly #bins: number;
  readonly #probability: boolean;
  /** Problems by score, ascending, and where each group of tied scores ends (exclusive). */
  readonly #order: Uint32Array;
  readonly #groupEnds: Uint32Array;
  /** Each problem's equal-width bin. */
  readonly #widthBin: Uint32Array;

  constructor(scores: ArrayLike<number>, labels: Uint8Array, options: { bins: number; probability: boolean }) {
    this.#scores = scores;
    this.#labels = labels;
    this.#bins = options.bins;
    this.#probability = options.probability;
    this.#order = ascendingOrder(scores);
    const ends: number[] = [];
    for (let position = 1; position <= this.#order.length; position++) {
      if (position === this.#order.length || scores[this.#order[position]!]! !== scores[this.#order[position - 1]!]!) ends.push(position);
    }
    this.#groupEnds = Uint32Array.from(ends);
    const binCount = options.bins;
    this.#widthBin = Uint32Array.from({ length: scores.length }, (_, index) => {
      const score = scores[index]!;
      let bin = Math.min(Math.floor(score * binCount), binCount - 1);
      if (score < bin / binCount) bin--;
      else if (bin < binCount - 1 && score >= (bin + 1) / binCount) bin++;
      return Math.max(0, bin);
    });
  }

  /** The figures on the resample `counts` (multiplicities summing to the sample's size). */
  figures(counts: ArrayLike<number>): WeightedFigures {
    return {
      eceEqualWidth: this.#probability ? this.#eceEqualWidth(counts) : Number.NaN,
      eceEqualMass: this.#probability ? this.#eceEqualMass(counts) : Number.NaN,
      brier: this.#probability ? this.#brier(counts) : Number.NaN,
      auroc: this.#auroc(counts),
    };
  }

  #eceEqualWidth(counts: ArrayLike<number>): number {
    const binCount = this.#bins;
    const [weights, scoreSums, correctSums] = [new Float64Array(binCount), new Float64Array(binCount), new Float64Array(binCount)];
    let total = 0;
    for (let index = 0; index < counts.length; index++) {
      const weight = counts[index]!;
      if (weight === 0) continue;
      const bin = this.#widthBin[index]!;
      weights[bin] += weight;
      scoreSums[bin] += weight * this.#scores[index]!;
      correctSums[bin] += weight * this.#labels[index]!;
      total += weight;
    }
    return eceOfBins(weights, scoreSums, correctSums, total);
  }

  #eceEqualMass(counts: ArrayLike<number>): number {
    const binCount = this.#bins;
    const order = this.#order;
    let total = 0;
    for (let index = 0; index < counts.length; index++) total += counts[index]!;
    if (total === 0) return Number.NaN;
    // the edges: bin b starts at the score of rank ⌊b·N/B⌋ of the drawn sample, sorted
    const edges = new Float64Array(binCount);
    let bin = 0;
    let seen = 0;
    for (let position = 0; position < order.length && bin < binCount; position++) {
      const index = order[position]!;
      seen += counts[index]!;
      while (bin < binCount && Math.floor((bin * total) / binCount) < seen) edges[bin++] = this.#scores[index]!;
    }
    const [weights, scoreSums, correctSums] = [new Float64Array(binCount), new Float64Array(binCount), new Float64Array(binCount)];
    bin = 0;
    for (let position = 0; position < order.length; position++) {
      const index = order[position]!;
      const weight = counts[index]!;
      if (weight === 0) continue;
      const score = this.#scores[index]!;
      while (bin + 1 < binCount && score >= edges[bin + 1]!) bin++;
      weights[bin] += weight;
      scoreSums[bin] += weight * score;
      correctSums[bin] += weight * this.#labels[index]!;
    }
    return eceOfBins(weights, scoreSums, correctSums, total);
  }

  #brier(counts: ArrayLike<number>): number {
    let sum = 0;
    let total = 0;
    for (let index = 0; index < counts.length; index++) {
      const weight = counts[index]!;
      const difference = this.#scores[index]! - this.#labels[index]!;
      sum += weight * difference * difference;
      total += weight;
    }
    return sum / total;
  }

  #auroc(counts: ArrayLike<number>): number {
    const order = this.#order;
    let positives = 0;
    let drawn = 0;
    let positiveRankSum = 0;
    let start = 0;
    for (const end of this.#groupEnds) {
      let groupCount = 0;
      let groupPositives = 0;
      for (let position = start; position < end; position++) {
        const index = order[position]!;
        groupCount += counts[index]!;
        groupPositives += counts[index]! * this.#labels[index]!;
      }
      // ranks drawn + 1 .. drawn + groupCount share their average
      positiveRankSum += groupPositives * ((drawn + 1 + drawn + groupCount) / 2);
      positives += groupPositives;
      drawn += groupCount;
      start = end;
    }
    const negatives = drawn - positives;
    if (positives === 0 || negatives === 0) return Number.NaN;
    return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
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
