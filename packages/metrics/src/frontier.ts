import { InvalidInputError } from '@confide/core';
import { aiq, nonDecreasingConvexHull, type CostAccuracyCurvePoint } from './cost-accuracy-curve.js';

/**
 * Frontiers over K models. Points are (cost, accuracy) where `accuracy` is the mean graded score in [0, 1] (for
 * binary grades, the accuracy); the hull is `nonDecreasingConvexHull` and AIQ is `aiq`, over one cost range for all.
 */

/** The cost range every router's AIQ is taken over: from the cheapest single model's cost to the dearest's. */
export interface CommonCostRange {
  minCost: number;
  maxCost: number;
}

/** The common cost range of a set of single models' points. */
export function commonCostRange(singleModels: readonly CostAccuracyCurvePoint[]): CommonCostRange {
  if (singleModels.length === 0) throw new InvalidInputError({ field: 'singleModels', problem: 'needs at least one model' });
  const costs = singleModels.map((point) => point.cost);
  return { minCost: Math.min(...costs), maxCost: Math.max(...costs) };
}

/**
 * AIQ over the common cost range: the area under the points' non-decreasing hull from `range.minCost` to
 * `range.maxCost`, divided by the range's width. The hull counts 0 below its cheapest point and is flat above its
 * dearest; points beyond the range do not widen it. Every router compared over one range gets comparable values.
 */
export function aiqOverCommonRange(points: readonly CostAccuracyCurvePoint[], range: CommonCostRange): number {
  return aiq(points, range);
}

/** The hull's score at `cost` (linear between vertices, 0 below the cheapest, flat above the dearest): a router at a reference cost. */
export function hullScoreAt(points: readonly CostAccuracyCurvePoint[], cost: number): number {
  return aiq(points, { minCost: cost, maxCost: cost });
}

/** A router's operating point and the models it uses (by label), for the pairwise envelope. */
export interface RouterOnModels<Point extends CostAccuracyCurvePoint = CostAccuracyCurvePoint> {
  uses: readonly string[];
  point: Point;
}

/** One unordered pair's hull: the two models, their random mixtures and every router using exactly that pair. */
export interface PairHull<Point extends CostAccuracyCurvePoint> {
  labels: readonly [string, string];
  hull: Point[];
}

/**
 * The pairwise envelope over K models: for each unordered pair of `singleModels` (by `label`), the hull of the two
 * models' points (the chord between them is their random mixtures) and of every router in `routers` that uses exactly
 * that pair; the envelope is the upper hull of all those pair hulls (`nonDecreasingConvexHull` of their vertices).
 * Routers using one model or more than two are not part of it.
 */
export function pairwiseEnvelope<Point extends CostAccuracyCurvePoint & { label: string }>(
  singleModels: readonly Point[],
  routers: readonly RouterOnModels<Point>[] = [],
): { pairs: PairHull<Point>[]; envelope: Point[] } {
  const labels = singleModels.map((point) => point.label);
  if (new Set(labels).size !== labels.length) throw new InvalidInputError({ field: 'singleModels', problem: 'labels must be distinct' });
  const pairs: PairHull<Point>[] = [];
  for (let first = 0; first < singleModels.length; first++) {
    for (let second = first + 1; second < singleModels.length; second++) {
      const a = singleModels[first]!;
      const b = singleModels[second]!;
      const onPair = routers.filter((router) => usesExactly(router.uses, a.label, b.label)).map((router) => router.point);
      pairs.push({ labels: [a.label, b.label], hull: nonDecreasingConvexHull([a, b, ...onPair]) });
    }
  }
  const envelope = pairs.length === 0 ? nonDecreasingConvexHull(singleModels) : nonDecreasingConvexHull(pairs.flatMap((pair) => pair.hull));
  return { pairs, envelope };
}

function usesExactly(uses: readonly string[], first: string, second: string): boolean {
  const set = new Set(uses);
  return set.size === 2 && set.has(first) && set.has(second);
}
