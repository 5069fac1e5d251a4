import { nonDecreasingConvexHull } from '@confide/metrics';
import type { RouterCurve } from './router-curves.js';

/**
 * The non-decreasing convex hull of every point a deployable router reaches on the pair (mean score against cost).
 * The oracle reads the large model's grade, so it is left out.
 */
export function deployableHull(curves: readonly RouterCurve[]): Array<{ label: string; accuracy: number; costUsd: number }> {
  const points = curves
    .filter((curve) => curve.router.id !== 'core/oracle')
    .flatMap((curve) => curve.points.map((point) => ({ label: curve.label, cost: point.costUsd, accuracy: point.accuracy })));
  return nonDecreasingConvexHull(points).map((point) => ({ label: point.label!, accuracy: point.accuracy, costUsd: point.cost }));
}
