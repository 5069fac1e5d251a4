import { InvalidInputError, predictIsotonic, type IsotonicBlock, type IsotonicFit, type IsotonicInterpolation } from '@confide/core';
import { ascendingOrder } from './score-inputs.js';

/**
 * Isotonic regression: the non-decreasing step function of the score closest to the targets in weighted least squares,
 * found by pool-adjacent-violators (PAV; Ayer et al., 1955; Barlow et al., 1972). As a calibrator (Zadrozny & Elkan,
 * 2002) the targets are 1 for a right answer and 0 for a wrong one, and the fitted value of a block is the share of
 * right answers in it.
 *
 * The fit as data (`IsotonicFit`, its blocks and `IsotonicInterpolation`) and its reading (`predictIsotonic`) live in
 * core, where a router applies a policy's calibrator; they are re-exported here.
 */
export { predictIsotonic };
export type { IsotonicBlock, IsotonicFit, IsotonicInterpolation } from '@confide/core';

/**
 * PAV on values already in order: the non-decreasing sequence closest to `values` in weighted least squares (weights
 * default to 1; a zero weight takes no part in the fit and gets its neighbours' pooled value). A block is pooled with
 * the one before it while the one before holds a value at or above its own, so the returned values of adjacent blocks
 * strictly increase.
 */
export function poolAdjacentViolators(values: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  const n = values.length;
  checkWeights(n, weights);
  const blocks = pool(
    n,
    (position) => values[position]!,
    (position) => weights?.[position] ?? 1,
  );
  const fitted = new Float64Array(n);
  for (let block = 0; block < blocks.count; block++) {
    const value = blocks.sumWeightedTarget[block]! / blocks.sumWeight[block]!;
    fitted.fill(value, blocks.first[block]!, blocks.last[block]! + 1);
  }
  // leading zero-weight entries belong to no block: they take the first block's value
  if (blocks.count > 0) fitted.fill(fitted[blocks.first[0]!]!, 0, blocks.first[0]!);
  for (let block = 0; block + 1 < blocks.count; block++) {
    // zero-weight entries between blocks take the earlier block's value
    fitted.fill(fitted[blocks.last[block]!]!, blocks.last[block]! + 1, blocks.first[block + 1]!);
  }
  if (blocks.count > 0) fitted.fill(fitted[blocks.last[blocks.count - 1]!]!, blocks.last[blocks.count - 1]! + 1, n);
  return fitted;
}

/**
 * Fits a non-decreasing function of `scores` to `targets` (weights default to 1; zero-weight answers take no part).
 * Tied scores are one point first (their weighted mean target, their summed weight), as scikit-learn does, so the
 * fit does not depend on the order of tied answers. `order` may give the answers' ascending order by score (e.g.
 * sorted once and reused by every fold and resample of a cross-fit); any ascending order of the scores will do.
 */
export function fitIsotonicRegression(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  options: { weights?: ArrayLike<number>; order?: ArrayLike<number>; interpolation?: IsotonicInterpolation } = {},
): IsotonicFit {
  const n = scores.length;
  if (targets.length !== n) throw new InvalidInputError({ field: 'targets', problem: `has ${targets.length} entries but scores has ${n}` });
  for (let index = 0; index < n; index++) {
    if (!Number.isFinite(scores[index]!)) throw new InvalidInputError({ field: `scores[${index}]`, problem: `must be finite, got ${scores[index]}` });
    if (!Number.isFinite(targets[index]!)) throw new InvalidInputError({ field: `targets[${index}]`, problem: `must be finite, got ${targets[index]}` });
  }
  const { weights } = options;
  checkWeights(n, weights);
  const order = options.order ?? ascendingOrder(scores);
  if (order.length !== n) throw new InvalidInputError({ field: 'order', problem: `has ${order.length} entries but scores has ${n}` });
  // tied scores as one point each: distinct scores in ascending order with their weight and weighted target
  const pointScore = new Float64Array(n);
  const pointWeight = new Float64Array(n);
  const pointWeightedTarget = new Float64Array(n);
  let points = 0;
  for (let position = 0; position < n; position++) {
    const index = order[position]!;
    const weight = weights?.[index] ?? 1;
    if (weight === 0) continue;
    const score = scores[index]!;
    if (points > 0 && score < pointScore[points - 1]!) throw new InvalidInputError({ field: 'order', problem: 'is not an ascending order of the scores' });
    if (points === 0 || score !== pointScore[points - 1]!) {
      pointScore[points] = score;
      points++;
    }
    pointWeight[points - 1]! += weight;
    pointWeightedTarget[points - 1]! += weight * targets[index]!;
  }
  const pooled = pool(
    points,
    (point) => pointWeightedTarget[point]! / pointWeight[point]!,
    (point) => pointWeight[point]!,
  );
  const blocks: IsotonicBlock[] = [];
  for (let block = 0; block < pooled.count; block++) {
    blocks.push({
      lower: pointScore[pooled.first[block]!]!,
      upper: pointScore[pooled.last[block]!]!,
      value: pooled.sumWeightedTarget[block]! / pooled.sumWeight[block]!,
      weight: pooled.sumWeight[block]!,
    });
  }
  return { blocks, interpolation: options.interpolation ?? 'step' };
}

function checkWeights(n: number, weights: ArrayLike<number> | undefined): void {
  if (weights === undefined) return;
  if (weights.length !== n) throw new InvalidInputError({ field: 'weights', problem: `has ${weights.length} entries but there are ${n} values` });
  for (let index = 0; index < n; index++) {
    const weight = weights[index]!;
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new InvalidInputError({ field: `weights[${index}]`, problem: `must be a finite number ≥ 0, got ${weight}` });
  }
}

/** PAV's stack of blocks over `count` ordered items (zero weights skipped): each block's items, weight and weighted target. */
function pool(count: number, value: (item: number) => number, weight: (item: number) => number) {
  const first = new Uint32Array(count);
  const last = new Uint32Array(count);
  const sumWeight = new Float64Array(count);
  const sumWeightedTarget = new Float64Array(count);
  let blocks = 0;
  for (let item = 0; item < count; item++) {
    const itemWeight = weight(item);
    if (itemWeight === 0) continue;
    first[blocks] = item;
    last[blocks] = item;
    sumWeight[blocks] = itemWeight;
    sumWeightedTarget[blocks] = itemWeight * value(item);
    blocks++;
    // pool while the block before holds a mean at or above this one's
    while (blocks > 1 && sumWeightedTarget[blocks - 2]! / sumWeight[blocks - 2]! >= sumWeightedTarget[blocks - 1]! / sumWeight[blocks - 1]!) {
      last[blocks - 2] = last[blocks - 1]!;
      sumWeight[blocks - 2]! += sumWeight[blocks - 1]!;
      sumWeightedTarget[blocks - 2]! += sumWeightedTarget[blocks - 1]!;
      blocks--;
    }
  }
  return { count: blocks, first, last, sumWeight, sumWeightedTarget };
}
