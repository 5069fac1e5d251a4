export interface CostAccuracyPoint {
  id: string;
  cost: number;
  accuracy: number;
}

/**
 * The Pareto frontier of cost (lower is better) against accuracy (higher is better): the points no other point beats
 * on both, sorted by cost. Of points equal on both, the first by id is kept.
 */
export function paretoFrontier<Point extends CostAccuracyPoint>(points: readonly Point[]): Point[] {
  const sorted = [...points].sort(
    (left, right) => left.cost - right.cost || right.accuracy - left.accuracy || left.id.localeCompare(right.id),
  );
  const frontier: Point[] = [];
  for (const point of sorted) {
    const best = frontier.at(-1);
    if (best === undefined || point.accuracy > best.accuracy) frontier.push(point);
  }
  return frontier;
}
