import { InvalidInputError } from '@confide/core';
import { binomialCdf } from './binomial-distribution.js';

/** Kullback–Leibler divergence of Bernoulli(a) from Bernoulli(b), with 0·log 0 = 0. */
function bernoulliDivergence(a: number, b: number): number {
  const term = (p: number, q: number) => (p === 0 ? 0 : p * Math.log(p / q));
  return term(a, b) + term(1 - a, 1 - b);
}

/**
 * The Hoeffding–Bentkus p-value of the null "the mean loss exceeds α", for n losses in [0, 1] with mean `meanLoss`
 * (Bates, Angelopoulos, Lei, Malik & Jordan, 2021, "Distribution-Free, Risk-Controlling Prediction Sets", JACM,
 * arXiv:2101.02703, Proposition 3): the smaller of Hoeffding's tail exp(−n·h(min(R̂, α), α)), h the Bernoulli
 * divergence, and Bentkus's e·P(Binomial(n, α) ≤ ⌈n·R̂⌉). Valid for any bounded loss (graded scores: loss 1 − score),
 * not only 0/1 errors; with 0/1 losses the exact binomial tail is sharper.
 */
export function hoeffdingBentkusPValue(meanLoss: number, n: number, alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new InvalidInputError({ field: 'alpha', problem: `must be in (0, 1), got ${alpha}` });
  if (!(meanLoss >= 0 && meanLoss <= 1)) throw new InvalidInputError({ field: 'meanLoss', problem: `must be in [0, 1], got ${meanLoss}` });
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError({ field: 'n', problem: `must be a non-negative integer, got ${n}` });
  if (n === 0) return 1;
  const hoeffding = Math.exp(-n * bernoulliDivergence(Math.min(meanLoss, alpha), alpha));
  // ⌈n·R̂⌉ with a tolerance, so a mean loss that is exactly k/n in exact arithmetic is not pushed to k + 1
  const count = Math.min(n, Math.ceil(n * meanLoss - 1e-9));
  const bentkus = Math.E * binomialCdf(count, n, alpha);
  return Math.min(1, hoeffding, bentkus);
}
