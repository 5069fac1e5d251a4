import { InvalidInputError } from '@confide/core';

/**
 * One operating point of a router on the cost–accuracy plane. `accuracy` is a fraction in 0..1 (not a percentage);
 * `cost` is in any unit, the same for every point compared (e.g. USD for the whole test set).
 */
export interface CostAccuracyCurvePoint {
  cost: number;
  accuracy: number;
  label?: string;
}

/** One point of a RouteLLM call–performance curve: the share of problems sent to the strong model, and accuracy. */
export interface StrongCallRatePoint {
  /** Fraction of problems routed to the strong model, 0..1. */
  strongCallRate: number;
  /** Accuracy as a fraction, 0..1. */
  accuracy: number;
}

/** The two ends a routed pair is measured against (fractions 0..1). */
export interface ModelPairAccuracy {
  weakAccuracy: number;
  strongAccuracy: number;
}

function checkFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new InvalidInputError({ field, problem: `must be a finite number, got ${value}` });
}

/**
 * RouterBench's non-decreasing convex hull (Hu et al., 2024, "RouterBench: A Benchmark for Multi-LLM Routing System",
 * arXiv:2403.12031, §3): the upper-left boundary of what a router can reach by mixing its operating points at random
 * and by spending more without gaining. It is the least concave, non-decreasing function that lies on or above every
 * point, described by its vertices.
 *
 * Returns the vertex points (the input objects themselves, labels kept), sorted by cost, starting at the cheapest point
 * (of several at the cheapest cost, the most accurate) and rising strictly in both cost and accuracy. Points on a hull
 * edge but not at a corner are left out. Of points equal in cost and accuracy the first given is kept.
 * O(n log n); O(n) for points already in that order (a threshold sweep's curve).
 */
export function nonDecreasingConvexHull<Point extends CostAccuracyCurvePoint>(points: readonly Point[]): Point[] {
  // Points that come in the hull's order (a threshold sweep's curve does: its cost never falls as it delegates more)
  // are taken as they come, in one pass that checks each; the first out of order sends them all through the sort.
  const hull: Point[] = [];
  for (let index = 0; index < points.length; index++) {
    const point = points[index]!;
    checkPoint(point, index);
    if (index > 0 && !comesBefore(points[index - 1]!, point)) return sortedHull(points, index + 1);
    addToHull(hull, point);
  }
  return hull;
}

/** The hull of points in any order, by the sort (the points before `checkedUntil` have been checked already). */
function sortedHull<Point extends CostAccuracyCurvePoint>(points: readonly Point[], checkedUntil: number): Point[] {
  for (let index = checkedUntil; index < points.length; index++) checkPoint(points[index]!, index);
  const order = points
    .map((_, index) => index)
    .sort((left, right) => {
      const a = points[left]!;
      const b = points[right]!;
      return a.cost - b.cost || b.accuracy - a.accuracy || left - right;
    });
  const hull: Point[] = [];
  for (const index of order) addToHull(hull, points[index]!);
  return hull;
}

/** Refuses a point with a coordinate that is not finite, naming it (the name is built only then). */
function checkPoint(point: CostAccuracyCurvePoint, index: number): void {
  if (!Number.isFinite(point.cost)) checkFinite(point.cost, `points[${index}].cost`);
  if (!Number.isFinite(point.accuracy)) checkFinite(point.accuracy, `points[${index}].accuracy`);
}

/** The next point in the hull's order added to the hull built so far (Andrew's monotone chain, upper part). */
function addToHull<Point extends CostAccuracyCurvePoint>(hull: Point[], point: Point): void {
  const last = hull[hull.length - 1];
  // Same or higher cost and no more accurate than a point already kept: dominated (the hull is flat-extended).
  if (last !== undefined && point.accuracy <= last.accuracy) return;
  // Monotone-chain upper hull: drop the previous vertex while it lies on or under the segment that skips it.
  while (hull.length >= 2) {
    const before = hull[hull.length - 2]!;
    const middle = hull[hull.length - 1]!;
    const cross =
      (middle.cost - before.cost) * (point.accuracy - before.accuracy) -
      (middle.accuracy - before.accuracy) * (point.cost - before.cost);
    if (cross >= 0) hull.pop();
    else break;
  }
  hull.push(point);
}

/**
 * Whether `earlier`, given just before `later`, comes before it in the hull's order (the sort's): cheaper, or as cheap
 * and at least as accurate (of equal points the first given comes first). Finite coordinates.
 */
function comesBefore(earlier: CostAccuracyCurvePoint, later: CostAccuracyCurvePoint): boolean {
  return earlier.cost < later.cost || (earlier.cost === later.cost && earlier.accuracy >= later.accuracy);
}

/**
 * The hull's edge that holds `cost` (at least the cheapest vertex's): the first vertex from `fromEdge` (1 or more) that
 * costs at least as much, its edge running from the vertex before it; `hull.length` past the dearest vertex. Costs
 * read in ascending order continue from the previous edge (the search is then linear over the whole hull).
 */
function hullEdgeAt(hull: readonly CostAccuracyCurvePoint[], cost: number, fromEdge: number): number {
  let edge = fromEdge;
  while (edge < hull.length && cost > hull[edge]!.cost) edge++;
  return edge;
}

/** Accuracy of the hull at `cost` on `edge` (from `hullEdgeAt`): linear between its two vertices, flat past the last. */
function hullAccuracyOnEdge(hull: readonly CostAccuracyCurvePoint[], cost: number, edge: number): number {
  if (edge >= hull.length) return hull[hull.length - 1]!.accuracy;
  const left = hull[edge - 1]!;
  const right = hull[edge]!;
  return left.accuracy + ((right.accuracy - left.accuracy) * (cost - left.cost)) / (right.cost - left.cost);
}

/** Accuracy of the hull at `cost`: linear between vertices, flat after the last, 0 before the first. */
function hullAccuracyAt(hull: readonly CostAccuracyCurvePoint[], cost: number): number {
  if (cost < hull[0]!.cost) return 0;
  return hullAccuracyOnEdge(hull, cost, hullEdgeAt(hull, cost, 1));
}

/** ∫ from `from` to `to` of the hull's accuracy (0 before the first vertex, flat after the last), exactly. */
function hullArea(hull: readonly CostAccuracyCurvePoint[], from: number, to: number): number {
  // Nothing below the cheapest vertex; above it the hull is continuous and linear between vertex costs, so the
  // trapezoid rule on [start, vertex costs inside, to] is exact. The costs ascend, so each continues from the
  // previous one's edge, and each accuracy is read once (the right end of one trapezoid is the left of the next).
  const start = Math.max(from, hull[0]!.cost);
  if (to <= start) return 0;
  let edge = hullEdgeAt(hull, start, 1);
  let left = start;
  let leftAccuracy = hullAccuracyOnEdge(hull, start, edge);
  let area = 0;
  for (let vertex = 0; vertex <= hull.length; vertex++) {
    // the vertices strictly inside (start, to), then `to` itself
    const right = vertex < hull.length ? hull[vertex]!.cost : to;
    if (vertex < hull.length && !(right > start && right < to)) continue;
    edge = hullEdgeAt(hull, right, edge);
    const rightAccuracy = hullAccuracyOnEdge(hull, right, edge);
    area += ((leftAccuracy + rightAccuracy) / 2) * (right - left);
    left = right;
    leftAccuracy = rightAccuracy;
  }
  return area;
}

/**
 * RouterBench's Average Improvement in Quality (Hu et al., 2024, arXiv:2403.12031, §3.2, eq. for AIQ):
 *
 *   AIQ = 1 / (c_max − c_min) · ∫_{c_min}^{c_max} R̃(c) dc
 *
 * where R̃ is the router's non-decreasing convex hull, extended flat after its most expensive vertex.
 *
 * - `maxCost` (c_max) defaults to the largest cost among the points; if larger, the hull is extended flat to it.
 * - `minCost` (c_min) defaults to the cheapest point's cost (the paper's definition for a single router). Below the
 *   cheapest point the router cannot operate, so the hull counts as accuracy 0 there: passing `minCost: 0` gives
 *   area / maxCost, which is what RouterBench's released code computes (evaluation/AIQ.py: trapezoid area from the
 *   router's cheapest point, divided by the largest cost) and what "area under the hull extended flat to the largest
 *   cost, divided by that cost" means.
 * - To compare routers, pass the same `minCost` and `maxCost` to each.
 * - When c_max = c_min (one cost only) the average is taken as the hull's accuracy at that cost.
 *
 * The area is exact (the hull is piecewise linear). Accuracy as a fraction 0..1 gives AIQ in 0..1.
 */
export function aiq(
  points: readonly CostAccuracyCurvePoint[],
  options: { minCost?: number; maxCost?: number } = {},
): number {
  if (points.length === 0) throw new InvalidInputError({ field: 'points', problem: 'needs at least one point' });
  const hull = nonDecreasingConvexHull(points);
  const minCost = options.minCost ?? hull[0]!.cost;
  const maxCost = options.maxCost ?? Math.max(...points.map((point) => point.cost));
  checkFinite(minCost, 'minCost');
  checkFinite(maxCost, 'maxCost');
  if (maxCost < minCost) {
    throw new InvalidInputError({ field: 'maxCost', problem: `must be at least minCost (${minCost}), got ${maxCost}` });
  }
  if (maxCost === minCost) return hullAccuracyAt(hull, maxCost);
  return hullArea(hull, minCost, maxCost) / (maxCost - minCost);
}

/** RouteLLM's Performance Gap Recovered: (accuracy − weak) / (strong − weak). 0 at the weak model, 1 at the strong. */
export function performanceGapRecovered(accuracy: number, pair: ModelPairAccuracy): number {
  // Exact at the two ends, so a target of 1 is met at the strong model despite rounding.
  if (accuracy === pair.strongAccuracy) return 1;
  if (accuracy === pair.weakAccuracy) return 0;
  return (accuracy - pair.weakAccuracy) / (pair.strongAccuracy - pair.weakAccuracy);
}

/**
 * The call–performance curve prepared for APGR and CPT: sorted by strong-call rate; points at the same rate merged
 * into their mean accuracy (e.g. repeats of a random router); anchored at (0, weak) and (1, strong) when no point
 * is given at those rates — by definition, sending no problem to the strong model is the weak model and sending all
 * of them is the strong model.
 */
function prepareCallCurve(curve: readonly StrongCallRatePoint[], pair: ModelPairAccuracy): StrongCallRatePoint[] {
  checkFinite(pair.weakAccuracy, 'weakAccuracy');
  checkFinite(pair.strongAccuracy, 'strongAccuracy');
  if (pair.strongAccuracy === pair.weakAccuracy) {
    throw new InvalidInputError({
      field: 'strongAccuracy',
      problem: `equals weakAccuracy (${pair.weakAccuracy}): there is no performance gap to recover`,
    });
  }
  curve.forEach((point, index) => {
    checkFinite(point.accuracy, `curve[${index}].accuracy`);
    if (!(point.strongCallRate >= 0 && point.strongCallRate <= 1)) {
      throw new InvalidInputError({
        field: `curve[${index}].strongCallRate`,
        problem: `must be a fraction in 0..1, got ${point.strongCallRate}`,
      });
    }
  });
  const sorted = [...curve].sort((left, right) => left.strongCallRate - right.strongCallRate);
  const merged: StrongCallRatePoint[] = [];
  for (let index = 0; index < sorted.length; ) {
    const rate = sorted[index]!.strongCallRate;
    let sum = 0;
    let count = 0;
    while (index < sorted.length && sorted[index]!.strongCallRate === rate) {
      sum += sorted[index]!.accuracy;
      count++;
      index++;
    }
    merged.push({ strongCallRate: rate, accuracy: sum / count });
  }
  if (merged.length === 0 || merged[0]!.strongCallRate > 0) {
    merged.unshift({ strongCallRate: 0, accuracy: pair.weakAccuracy });
  }
  if (merged.at(-1)!.strongCallRate < 1) merged.push({ strongCallRate: 1, accuracy: pair.strongAccuracy });
  return merged;
}

/**
 * RouteLLM's Average Performance Gap Recovered (Ong et al., 2024, "RouteLLM: Learning to Route LLMs with Preference
 * Data", arXiv:2406.18665, §5.1): the area under PGR against the fraction of calls to the strong model, over [0, 1],
 * by the trapezoid rule on the given points (anchored and merged as described at `prepareCallCurve`: (0, weak) and
 * (1, strong) are added when missing, repeated rates averaged). A random router scores 0.5; an oracle scores more.
 * This equals RouteLLM's code (routellm/evals/evaluate.py: (AUC − weak AUC) / (strong AUC − weak AUC)) on a curve
 * that spans 0..1.
 */
export function apgr(curve: readonly StrongCallRatePoint[], pair: ModelPairAccuracy): number {
  const points = prepareCallCurve(curve, pair);
  let area = 0;
  for (let index = 1; index < points.length; index++) {
    const left = points[index - 1]!;
    const right = points[index]!;
    area +=
      ((performanceGapRecovered(left.accuracy, pair) + performanceGapRecovered(right.accuracy, pair)) / 2) *
      (right.strongCallRate - left.strongCallRate);
  }
  return area;
}

/**
 * RouteLLM's Call-Performance Threshold CPT(x) (Ong et al., 2024, arXiv:2406.18665, §5.1): the smallest fraction of
 * calls to the strong model at which PGR reaches `recovered` (0.5 for CPT(50%), 0.8 for CPT(80%)), reading the curve
 * as linear between points (same anchoring and merging as `apgr`). Returns the rate in 0..1, or null when the curve
 * never reaches the target (only possible for a target above the curve's best PGR, e.g. above 1).
 */
export function cpt(
  curve: readonly StrongCallRatePoint[],
  options: ModelPairAccuracy & { recovered: 0.5 | 0.8 | number },
): number | null {
  checkFinite(options.recovered, 'recovered');
  const points = prepareCallCurve(curve, options);
  let previousRate = 0;
  let previousGap = Number.NEGATIVE_INFINITY;
  for (const point of points) {
    const gap = performanceGapRecovered(point.accuracy, options);
    if (gap >= options.recovered) {
      if (previousGap === Number.NEGATIVE_INFINITY) return point.strongCallRate;
      return (
        previousRate +
        ((options.recovered - previousGap) * (point.strongCallRate - previousRate)) / (gap - previousGap)
      );
    }
    previousRate = point.strongCallRate;
    previousGap = gap;
  }
  return null;
}
