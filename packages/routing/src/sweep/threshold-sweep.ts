import { orientedScore, type ScoreDirection } from '@confide/core';
import type { OutcomeTable } from './outcome-table.js';

/** One point of a routing curve. Accuracy is the mean graded score (binary grades: the share right); cost counts every call made (see `smallAlwaysCalled`). */
export interface OperatingPoint {
  parameter: number | null;
  accuracy: number;
  costUsd: number;
  delegationRate: number;
  llmCalls: number;
}

export interface ThresholdSweepOptions {
  /** `keep-high`: delegate scores below the threshold; `keep-low`: delegate scores above it. */
  direction: ScoreDirection;
  /** Thresholds to evaluate; `distinct` = every distinct score plus one past the end (delegate nothing / everything). */
  thresholds: readonly number[] | 'distinct';
}

/**
 * A threshold sweep prepared once: problems sorted by how readily they are delegated, with prefix sums, so any
 * threshold — and any bootstrap resample — is evaluated in O(1) after an O(n) pass. The small model is always
 * called (a post-hoc router reads its answer), so cost = all small calls + the large calls for delegated problems.
 */
export class ThresholdSweep {
  readonly thresholds: Float64Array;
  /** For threshold k, how many problems (a prefix of `order`) are delegated. */
  readonly delegatedCounts: Uint32Array;
  readonly order: Uint32Array;
  /** The table's columns in `order` (read sequentially by every resample's pass). */
  readonly #inOrder: { largeScore: Float64Array; smallScore: Float64Array; largeCost: Float64Array; smallCost: Float64Array };

  constructor(
    readonly table: OutcomeTable,
    scores: Float64Array,
    options: ThresholdSweepOptions,
  ) {
    const n = scores.length;
    if (n !== table.problemIds.length) throw new Error(`${n} scores for ${table.problemIds.length} problems`);
    // Sort so that delegated problems form a prefix: ascending scores for keep-high, descending for keep-low.
    // Oriented scores (core's orientedScore): the delegated problems are those below the oriented threshold.
    const oriented = Float64Array.from(scores, (score) => orientedScore(score, options.direction));
    const order = Uint32Array.from({ length: n }, (_, index) => index);
    order.sort((left, right) => oriented[left]! - oriented[right]! || left - right);
    this.order = order;
    this.#inOrder = {
      largeScore: Float64Array.from(order, (index) => table.largeScore[index]!),
      smallScore: Float64Array.from(order, (index) => table.smallScore[index]!),
      largeCost: Float64Array.from(order, (index) => table.largeCost[index]!),
      smallCost: Float64Array.from(order, (index) => table.smallCost[index]!),
    };
    const sorted = Float64Array.from(order, (index) => oriented[index]!);
    let thresholds: number[];
    if (options.thresholds === 'distinct') {
      const distinct = [...new Set(sorted)].map((value) => orientedScore(value, options.direction));
      const last = orientedScore(sorted[n - 1]! + 1, options.direction);
      thresholds = [...distinct, last];
    } else {
      thresholds = [...options.thresholds];
    }
    this.thresholds = Float64Array.from(thresholds);
    this.delegatedCounts = Uint32Array.from(thresholds, (threshold) => lowerBound(sorted, orientedScore(threshold, options.direction)));
  }

  /** The curve on the whole table. */
  points(): OperatingPoint[] {
    return this.pointsWithWeights(null);
  }

  /**
   * The curve on a resample given by per-problem multiplicities (`weights[i]` = times problem i was drawn), or on the
   * table itself when `weights` is null; at every threshold, or only at the threshold indices `at` (a grid: O(n +
   * grid) however many thresholds there are).
   */
  pointsWithWeights(weights: ArrayLike<number> | null, at: ArrayLike<number> | null = null): OperatingPoint[] {
    const { order } = this;
    const columns = this.#inOrder;
    const n = order.length;
    const count = at === null ? this.thresholds.length : at.length;
    // the delegated counts the points need, ascending (a threshold's count is how many problems of `order` it delegates)
    const wanted = Array.from({ length: count }, (_, position) => this.delegatedCounts[at === null ? position : at[position]!]!);
    const needed = [...new Set(wanted)].sort((left, right) => left - right);
    // one pass over the sorted problems: running sums, recorded where a needed count is reached (no per-problem arrays)
    const atCount = new Map<number, { weight: number; largeScore: number; smallScore: number; largeCost: number }>();
    let weightSum = 0;
    let largeScore = 0;
    let smallScore = 0;
    let largeCost = 0;
    let smallCostTotal = 0;
    let next = 0;
    for (let position = 0; position <= n; position++) {
      while (next < needed.length && needed[next] === position) atCount.set(needed[next++]!, { weight: weightSum, largeScore, smallScore, largeCost });
      if (position === n) break;
      const weight = weights === null ? 1 : weights[order[position]!]!;
      weightSum += weight;
      largeScore += weight * columns.largeScore[position]!;
      smallScore += weight * columns.smallScore[position]!;
      largeCost += weight * columns.largeCost[position]!;
      smallCostTotal += weight * columns.smallCost[position]!;
    }
    const smallScoreTotal = smallScore;
    const total = weightSum;
    const points: OperatingPoint[] = new Array(count);
    for (let position = 0; position < count; position++) {
      const k = at === null ? position : at[position]!;
      const prefix = atCount.get(wanted[position]!)!;
      const score = prefix.largeScore + smallScoreTotal - prefix.smallScore;
      points[position] = {
        parameter: this.thresholds[k]!,
        accuracy: total === 0 ? 0 : score / total,
        costUsd: (smallCostTotal + prefix.largeCost) / 1e8,
        delegationRate: total === 0 ? 0 : prefix.weight / total,
        llmCalls: prefix.weight,
      };
    }
    return points;
  }
}

/** First position whose value is >= `value` in an ascending array. */
function lowerBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
