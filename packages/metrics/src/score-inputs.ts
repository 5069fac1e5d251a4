import { InvalidInputError } from '@confide/core';

/** Correctness per answer: 1 or true = correct, 0 or false = wrong. */
export type CorrectnessLabels = ArrayLike<number | boolean>;

function labelValue(labels: CorrectnessLabels, index: number): number {
  const value = labels[index];
  if (value === 1 || value === true) return 1;
  if (value === 0 || value === false) return 0;
  throw new InvalidInputError({ field: `labels[${index}]`, problem: `must be 0, 1, true or false, got ${String(value)}` });
}

/**
 * Checks that scores and labels have the same length, that scores are finite (and in [0, 1] when `unitInterval`),
 * and returns the labels as 0/1 bytes.
 */
export function readScoresAndLabels(
  scores: ArrayLike<number>,
  labels: CorrectnessLabels,
  unitInterval: boolean,
): Uint8Array {
  if (scores.length !== labels.length) {
    throw new InvalidInputError({
      field: 'labels',
      problem: `has ${labels.length} entries but scores has ${scores.length}`,
    });
  }
  const values = new Uint8Array(scores.length);
  for (let index = 0; index < scores.length; index++) {
    checkScore(scores[index]!, index, unitInterval);
    values[index] = labelValue(labels, index);
  }
  return values;
}

export function checkScore(score: number, index: number, unitInterval: boolean): void {
  if (!Number.isFinite(score) || (unitInterval && (score < 0 || score > 1))) {
    throw new InvalidInputError({
      field: `scores[${index}]`,
      problem: unitInterval ? `must be a probability in [0, 1], got ${score}` : `must be finite, got ${score}`,
    });
  }
}

/** Indices 0..n−1 sorted by score, ascending (ties keep index order). */
export function ascendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let index = 0; index < order.length; index++) order[index] = index;
  return order.sort((left, right) => scores[left]! - scores[right]! || left - right);
}
