import { InvalidInputError } from '@confide/core';
import type { ModelMean } from './single-model-routers.js';

/**
 * A random mixture of two models: each problem goes to `second` with probability p, else to `first`. Its expected
 * mean score and cost (no draw is made): (1 − p)·first + p·second.
 */
export interface RandomMixturePoint {
  name: string;
  pair: readonly [number, number];
  probability: number;
  meanScore: number;
  meanCostUsd: number;
  totalCostUsd: number;
  /** The expected shares of the two models, [1 − p, p]. */
  shares: readonly [number, number];
}

/** Probabilities 0, 1/steps, …, 1. */
export function mixtureProbabilityGrid(steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidInputError({ field: 'steps', problem: `must be a positive integer, got ${steps}` });
  return Array.from({ length: steps + 1 }, (_, index) => index / steps);
}

/** The random mixtures of one pair at each probability, from the models' means (O(1) each). */
export function randomMixtures(means: readonly ModelMean[], pair: readonly [number, number], probabilities: readonly number[]): RandomMixturePoint[] {
  const first = means[pair[0]];
  const second = means[pair[1]];
  if (first === undefined || second === undefined) throw new InvalidInputError({ field: 'pair', problem: `[${pair.join(', ')}] names a model the table lacks` });
  return probabilities.map((probability) => {
    if (!(probability >= 0 && probability <= 1)) throw new InvalidInputError({ field: 'probabilities', problem: `must be in [0, 1], got ${probability}` });
    const mix = (a: number, b: number) => (1 - probability) * a + probability * b;
    return {
      name: `mixture ${first.label}/${second.label} p=${probability}`,
      pair,
      probability,
      meanScore: mix(first.meanScore, second.meanScore),
      meanCostUsd: mix(first.meanCostUsd, second.meanCostUsd),
      totalCostUsd: mix(first.totalCostUsd, second.totalCostUsd),
      shares: [1 - probability, probability],
    };
  });
}

/** Every unordered pair of models (i < j), in table order. */
export function unorderedModelPairs(modelCount: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let first = 0; first < modelCount; first++) for (let second = first + 1; second < modelCount; second++) pairs.push([first, second]);
  return pairs;
}

/** The random mixtures of every unordered pair at each probability. */
export function allPairMixtures(means: readonly ModelMean[], probabilities: readonly number[]): RandomMixturePoint[] {
  return unorderedModelPairs(means.length).flatMap((pair) => randomMixtures(means, pair, probabilities));
}
