import { createRandom } from '../seeded-random.js';

/**
 * Problem id → fold, 0…k−1: a seeded shuffle of the ids (sorted first, so the input order does not matter), dealt
 * round-robin. Cross-fitting predicts a problem of fold f only with a model fitted on the other folds.
 */
export function assignFolds(ids: readonly string[], folds: number, seed: number): Map<string, number> {
  const order = [...ids].sort();
  const random = createRandom(seed);
  for (let index = order.length - 1; index > 0; index--) {
    const swap = Math.floor(random() * (index + 1));
    [order[index], order[swap]] = [order[swap]!, order[index]!];
  }
  return new Map(order.map((id, position) => [id, position % folds]));
}
