import { InvalidInputError } from '@confide/core';
import { BinomialCdfMemo, binomialCdf } from './binomial-distribution.js';

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
  return hoeffdingBentkus(meanLoss, n, alpha, (count) => binomialCdf(count, n, alpha));
}

/**
 * `hoeffdingBentkusPValue` for one α, its binomial tails remembered per (n, count) (`BinomialCdfMemo`): for a search
 * that tests many candidates over many splits. Each p-value is bit for bit the direct one.
 */
export function memoizedHoeffdingBentkusPValue(alpha: number): (meanLoss: number, n: number) => number {
  const tails = new BinomialCdfMemo(alpha);
  return (meanLoss, n) => hoeffdingBentkus(meanLoss, n, alpha, (count) => tails.cdf(count, n));
}

/** The p-value of `hoeffdingBentkusPValue`, with P(Binomial(n, α) ≤ count) from `binomialTail`. */
function hoeffdingBentkus(meanLoss: number, n: number, alpha: number, binomialTail: (count: number) => number): number {
  if (!(alpha > 0 && alpha < 1)) throw new InvalidInputError({ field: 'alpha', problem: `must be in (0, 1), got ${alpha}` });
  if (!(meanLoss >= 0 && meanLoss <= 1)) throw new InvalidInputError({ field: 'meanLoss', problem: `must be in [0, 1], got ${meanLoss}` });
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError({ field: 'n', problem: `must be a non-negative integer, got ${n}` });
  if (n === 0) return 1;
  const hoeffding = Math.exp(-n * bernoulliDivergence(Math.min(meanLoss, alpha), alpha));
  // ⌈n·R̂⌉ with a tolerance, so a mean loss that is exactly k/n in exact arithmetic is not pushed to k + 1
  const count = Math.min(n, Math.ceil(n * meanLoss - 1e-9));
  const bentkus = Math.E * binomialTail(count);
  return Math.min(1, hoeffding, bentkus);
}
