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
   * grid) however many thresholds there are). One resample: it prepares its pass each call (a loop over many
   * resamples uses a `SweepResampler`).
   */
  pointsWithWeights(weights: ArrayLike<number> | null, at: ArrayLike<number> | null = null): OperatingPoint[] {
    if (weights !== null) return resampledCurves([{ sweep: this, at }], weights)[0]!;
    const { order } = this;
    const { largeScore: largeScores, smallScore: smallScores, largeCost: largeCosts, smallCost: smallCosts } = this.#inOrder;
    const n = order.length;
    const { needed } = this.neededCounts(at);
    // one pass over the sorted problems: running sums, recorded where a needed count is reached
    const prefixes = new Float64Array(needed.length * 4);
    let weightSum = 0;
    let largeScore = 0;
    let smallScore = 0;
    let largeCost = 0;
    let smallCostTotal = 0;
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
      prefixes[slot * 4] = weightSum;
      prefixes[slot * 4 + 1] = largeScore;
      prefixes[slot * 4 + 2] = smallScore;
      prefixes[slot * 4 + 3] = largeCost;
    }
    return this.pointsOfPrefixes(at, prefixes, { weight: weightSum, smallScore, smallCost: smallCostTotal });
  }

  /**
   * The points at `at` from the running sums at each needed count (`prefixes`, four per count: weight, large score,
   * small score, large cost) and the totals over every problem. With `into` (a resampler's points of the previous
   * resample), its point objects are filled again in place rather than new ones made.
   */
  pointsOfPrefixes(
    at: ArrayLike<number> | null,
    prefixes: Float64Array,
    totals: { weight: number; smallScore: number; smallCost: number },
    into: OperatingPoint[] | null = null,
  ): OperatingPoint[] {
    const { wanted } = this.neededCounts(at);
    const points: OperatingPoint[] = into ?? new Array(wanted.length);
    const { weight: totalWeight, smallScore: totalSmallScore, smallCost: totalSmallCost } = totals;
    for (let position = 0; position < wanted.length; position++) {
      const k = at === null ? position : at[position]!;
      const offset = wanted[position]! * 4;
      const weight = prefixes[offset]!;
      const score = prefixes[offset + 1]! + totalSmallScore - prefixes[offset + 2]!;
      const parameter = this.thresholds[k]!;
      const accuracy = totalWeight === 0 ? 0 : score / totalWeight;
      const costUsd = (totalSmallCost + prefixes[offset + 3]!) / 1e8;
      const delegationRate = totalWeight === 0 ? 0 : weight / totalWeight;
      const point = into === null ? undefined : into[position];
      if (point === undefined) {
        points[position] = { parameter, accuracy, costUsd, delegationRate, llmCalls: weight };
      } else {
        point.parameter = parameter;
        point.accuracy = accuracy;
        point.costUsd = costUsd;
        point.delegationRate = delegationRate;
        point.llmCalls = weight;
      }
    }
    return points;
  }

  /** Per threshold index set, computed on the first resample: each problem's segment (in the table's order). */
  readonly #segmentsOf = new Map<ArrayLike<number> | null, { segmentOf: Uint32Array }>();

  /** Each problem's segment (table order) for the threshold indices `at`: the needed counts cut the sorted problems into segments. */
  segments(at: ArrayLike<number> | null): { segmentOf: Uint32Array } {
    let cached = this.#segmentsOf.get(at);
    if (cached === undefined) {
      const { needed } = this.neededCounts(at);
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

  neededCounts(at: ArrayLike<number> | null): { wanted: Uint32Array; needed: Uint32Array } {
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

/** One sweep's curve as a resample asks for it: at the threshold indices `at` (null: at every threshold). */
export interface SweepRequest {
  sweep: ThresholdSweep;
  at: ArrayLike<number> | null;
}

/**
 * Several sweeps of one outcome table on one resample, in one pass over the problems (see `SweepResampler`): each
 * sweep's points, new objects.
 */
export function resampledCurves(requests: readonly SweepRequest[], weights: ArrayLike<number>): OperatingPoint[][] {
  return new SweepResampler(requests).curves(weights);
}

/**
 * Several sweeps of one outcome table resampled again and again (a bootstrap pass). Each resample's weighted outcomes
 * are computed once per problem (table order: each column and the weights are read once however many sweeps there
 * are); then each sweep sums its segments in order, each segment over its problems in table order, and the running
 * sums at the segments' ends are its points. Sums of integer values (binary verdicts, costs in 1e-8 $, counts) are
 * exact in any order; graded scores may differ from a pass in sorted order in the last bits.
 *
 * What every resample needs is prepared once — each sweep's segment of every problem, its segment and running sums,
 * its points — so a resample allocates nothing: `curves` fills the same arrays and point objects each time. The
 * problems are read in one sequential pass per sweep (table order), each added to its segment's sums: the same
 * additions in the same order as summing segment by segment, without jumping about the columns at field scale.
 */
export class SweepResampler {
  readonly #table: OutcomeTable | null;
  /** Per sweep: each problem's segment (`segmentOf`) and the delegated counts the segments end at (`needed`). */
  readonly #segments: Array<{ segmentOf: Uint32Array; needed: Uint32Array }>;
  /** Per sweep, the current resample's sums per segment, four per segment: weight, large score, small score, large cost. */
  readonly #segmentSums: Float64Array[];
  /** Per sweep, the running sums at each needed count, four per count: weight, large score, small score, large cost. */
  readonly #prefixes: Float64Array[];
  /** Per sweep, the points of the last resample (filled again in place by the next). */
  readonly #points: OperatingPoint[][];
  /** The current resample's weighted outcomes per problem (table order): large score, small score, large cost. */
  readonly #weighted: { largeScore: Float64Array; smallScore: Float64Array; largeCost: Float64Array };

  constructor(readonly requests: readonly SweepRequest[]) {
    this.#table = requests.length === 0 ? null : requests[0]!.sweep.table;
    if (requests.some((request) => request.sweep.table !== this.#table)) throw new Error('SweepResampler: every sweep must be of one outcome table');
    this.#segments = requests.map((request) => ({ segmentOf: request.sweep.segments(request.at).segmentOf, needed: request.sweep.neededCounts(request.at).needed }));
    this.#segmentSums = this.#segments.map(({ needed }) => new Float64Array((needed.length + 1) * 4));
    this.#prefixes = this.#segments.map(({ needed }) => new Float64Array(needed.length * 4));
    this.#points = requests.map(() => []);
    const n = this.#table === null ? 0 : this.#table.problemIds.length;
    this.#weighted = { largeScore: new Float64Array(n), smallScore: new Float64Array(n), largeCost: new Float64Array(n) };
  }

  /**
   * Every sweep's points on a resample given by per-problem multiplicities (`weights[i]` = times problem i was drawn).
   * The arrays and their points are this resampler's and are filled again by the next call: read them before it.
   */
  curves(weights: ArrayLike<number>): OperatingPoint[][] {
    const table = this.#table;
    if (table === null) return [];
    const n = table.problemIds.length;
    const { largeScore: largeScores, smallScore: smallScores, largeCost: largeCosts, smallCost: smallCosts } = table;
    const { largeScore: weightedLargeScore, smallScore: weightedSmallScore, largeCost: weightedLargeCost } = this.#weighted;
    let smallCostTotal = 0;
    for (let index = 0; index < n; index++) {
      const weight = weights[index]!;
      weightedLargeScore[index] = weight * largeScores[index]!;
      weightedSmallScore[index] = weight * smallScores[index]!;
      weightedLargeCost[index] = weight * largeCosts[index]!;
      smallCostTotal += weight * smallCosts[index]!;
    }
    for (let request = 0; request < this.requests.length; request++) {
      const { sweep, at } = this.requests[request]!;
      const { segmentOf, needed } = this.#segments[request]!;
      const sums = this.#segmentSums[request]!;
      const prefixes = this.#prefixes[request]!;
      // each segment's sums over its problems in table order: one sequential pass over the problems (at a million
      // problems a pass segment by segment would jump about the arrays), the segments' sums small enough to stay in cache
      sums.fill(0);
      for (let index = 0; index < n; index++) {
        const at4 = segmentOf[index]! * 4;
        sums[at4]! += weights[index]!;
        sums[at4 + 1]! += weightedLargeScore[index]!;
        sums[at4 + 2]! += weightedSmallScore[index]!;
        sums[at4 + 3]! += weightedLargeCost[index]!;
      }
      // then the running sums, segment after segment
      let weight = 0;
      let largeScore = 0;
      let smallScore = 0;
      let largeCost = 0;
      for (let segment = 0; segment <= needed.length; segment++) {
        weight += sums[segment * 4]!;
        largeScore += sums[segment * 4 + 1]!;
        smallScore += sums[segment * 4 + 2]!;
        largeCost += sums[segment * 4 + 3]!;
        if (segment === needed.length) break;
        prefixes[segment * 4] = weight;
        prefixes[segment * 4 + 1] = largeScore;
        prefixes[segment * 4 + 2] = smallScore;
        prefixes[segment * 4 + 3] = largeCost;
      }
      sweep.pointsOfPrefixes(at, prefixes, { weight, smallScore, smallCost: smallCostTotal }, this.#points[request]!);
    }
    return this.#points;
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
