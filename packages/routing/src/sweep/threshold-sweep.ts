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
    const { largeScore: largeScores, smallScore: smallScores, largeCost: largeCosts, smallCost: smallCosts } = this.#inOrder;
    const n = order.length;
    const { wanted, needed } = this.#neededCounts(at);
    // running sums, recorded where a needed count is reached (no per-problem arrays)
    const prefixWeight = new Float64Array(needed.length);
    const prefixLargeScore = new Float64Array(needed.length);
    const prefixSmallScore = new Float64Array(needed.length);
    const prefixLargeCost = new Float64Array(needed.length);
    let weightSum = 0;
    let largeScore = 0;
    let smallScore = 0;
    let largeCost = 0;
    let smallCostTotal = 0;
    if (weights === null) {
      let position = 0;
      for (let slot = 0; slot <= needed.length; slot++) {
        const until = slot === needed.length ? n : needed[slot]!;
        for (; position < until; position++) {
          weightSum += 1;
          largeScore += largeScores[position]!;
          smallScore += smallScores[position]!;
          largeCost += largeCosts[position]!;
          smallCostTotal += smallCosts[position]!;
        }
        if (slot === needed.length) break;
        prefixWeight[slot] = weightSum;
        prefixLargeScore[slot] = largeScore;
        prefixSmallScore[slot] = smallScore;
        prefixLargeCost[slot] = largeCost;
      }
    } else {
      // A resample: each problem's weighted outcomes are added to its segment (the needed counts cut the sorted
      // problems into segments), reading the problems in the table's order — no gather through `order` — and the
      // segments are then summed in order. Sums of integer values (binary verdicts, costs in 1e-8 $, counts) are
      // exact in any order; graded scores may differ from the sorted pass in the last bits.
      const { segmentOf } = this.#segments(at);
      const segments = needed.length + 1;
      const segmentWeight = new Float64Array(segments);
      const segmentLargeScore = new Float64Array(segments);
      const segmentSmallScore = new Float64Array(segments);
      const segmentLargeCost = new Float64Array(segments);
      const { largeScore: tableLargeScore, smallScore: tableSmallScore, largeCost: tableLargeCost, smallCost: tableSmallCost } = this.table;
      for (let index = 0; index < n; index++) {
        const weight = weights[index]!;
        const segment = segmentOf[index]!;
        segmentWeight[segment] += weight;
        segmentLargeScore[segment] += weight * tableLargeScore[index]!;
        segmentSmallScore[segment] += weight * tableSmallScore[index]!;
        segmentLargeCost[segment] += weight * tableLargeCost[index]!;
        smallCostTotal += weight * tableSmallCost[index]!;
      }
      for (let segment = 0; segment < segments; segment++) {
        weightSum += segmentWeight[segment]!;
        largeScore += segmentLargeScore[segment]!;
        smallScore += segmentSmallScore[segment]!;
        largeCost += segmentLargeCost[segment]!;
        if (segment === needed.length) break;
        prefixWeight[segment] = weightSum;
        prefixLargeScore[segment] = largeScore;
        prefixSmallScore[segment] = smallScore;
        prefixLargeCost[segment] = largeCost;
      }
    }
    const smallScoreTotal = smallScore;
    const total = weightSum;
    const points: OperatingPoint[] = new Array(wanted.length);
    for (let position = 0; position < wanted.length; position++) {
      const k = at === null ? position : at[position]!;
      const slot = wanted[position]!;
      const score = prefixLargeScore[slot]! + smallScoreTotal - prefixSmallScore[slot]!;
      points[position] = {
        parameter: this.thresholds[k]!,
        accuracy: total === 0 ? 0 : score / total,
        costUsd: (smallCostTotal + prefixLargeCost[slot]!) / 1e8,
        delegationRate: total === 0 ? 0 : prefixWeight[slot]! / total,
        llmCalls: prefixWeight[slot]!,
      };
    }
    return points;
  }

  /** Per threshold index set, computed on the first resample: each problem's segment (in the table's order). */
  readonly #segmentsOf = new Map<ArrayLike<number> | null, { segmentOf: Uint32Array }>();

  #segments(at: ArrayLike<number> | null): { segmentOf: Uint32Array } {
    let cached = this.#segmentsOf.get(at);
    if (cached === undefined) {
      const { needed } = this.#neededCounts(at);
      const segmentOf = new Uint32Array(this.order.length);
      let segment = 0;
      for (let position = 0; position < this.order.length; position++) {
        while (segment < needed.length && needed[segment]! <= position) segment++;
        segmentOf[this.order[position]!] = segment;
      }
      cached = { segmentOf };
      if (this.#segmentsOf.size > 8) this.#segmentsOf.clear();
      this.#segmentsOf.set(at, cached);
    }
    return cached;
  }

  /** Per threshold index set (`at`; null: every threshold), computed once: the delegated counts needed, ascending, and each point's slot among them. */
  readonly #needed = new Map<ArrayLike<number> | null, { wanted: Uint32Array; needed: Uint32Array }>();

  #neededCounts(at: ArrayLike<number> | null): { wanted: Uint32Array; needed: Uint32Array } {
    let cached = this.#needed.get(at);
    if (cached === undefined) {
      const count = at === null ? this.thresholds.length : at.length;
      const counts = Array.from({ length: count }, (_, position) => this.delegatedCounts[at === null ? position : at[position]!]!);
      const needed = Uint32Array.from(new Set(counts)).sort();
      const slotOf = new Map(Array.from(needed, (value, slot) => [value, slot] as const));
      cached = { wanted: Uint32Array.from(counts, (value) => slotOf.get(value)!), needed };
      // an index set passed once (not kept by the caller) is not kept here either beyond a few
      if (this.#needed.size > 8) this.#needed.clear();
      this.#needed.set(at, cached);
    }
    return cached;
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
