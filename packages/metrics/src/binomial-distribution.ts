import { logGamma } from './special-functions.js';

function checkBinomial(n: number, p: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be a probability in [0, 1], got ${p}`);
}

/** ln P(X = k) for X ~ Binomial(n, p), 0 < p < 1, integer 0 ≤ k ≤ n. */
function logBinomialPmf(k: number, n: number, p: number): number {
  return (
    logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p)
  );
}

/**
 * P(X ≤ k) for X ~ Binomial(n, p), computed in log space so it stays accurate for n up to tens of thousands
 * (relative error about 1e-10 at n = 10,000, including tails far below 1e-100; tails below ~1e-308 return 0).
 *
 * The tail on the far side of the mean is summed directly, starting from the term at k (found through ln Γ) and
 * walking away from the mean with the ratio of neighbouring terms, which shrink geometrically, so no term is lost.
 * k is rounded down; k < 0 gives 0 and k ≥ n gives 1.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  checkBinomial(n, p);
  if (Number.isNaN(k)) return Number.NaN;
  const count = Math.floor(k);
  if (count < 0) return 0;
  if (count >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  const oddsDown = (1 - p) / p;
  if (count < n * p) {
    // Lower tail: terms fall geometrically as i goes down from count (count < mean).
    let ratio = 1;
    let sum = 1;
    for (let i = count; i >= 1; i--) {
      ratio *= (i / (n - i + 1)) * oddsDown;
      sum += ratio;
      if (ratio < sum * 1e-17) break;
    }
    return Math.exp(logBinomialPmf(count, n, p) + Math.log(sum));
  }
  // Upper tail P(X > count) summed upwards from count + 1 (beyond the mean), then complemented.
  const first = count + 1;
  let ratio = 1;
  let sum = 1;
  for (let i = first; i < n; i++) {
    ratio *= ((n - i) / (i + 1)) / oddsDown;
    sum += ratio;
    if (ratio < sum * 1e-17) break;
  }
  return 1 - Math.exp(logBinomialPmf(first, n, p) + Math.log(sum));
}

/** A memo stops taking new entries beyond this many (about 50 MB of Map), so a huge sweep cannot grow it without end. */
const MAX_MEMOIZED_VALUES = 1_000_000;

/**
 * `binomialCdf(k, n, p)` for one p, remembered per (n, k). Learn then Test's violation splits ask for the same few
 * thousand (kept, errors) pairs hundreds of thousands of times (each split, each candidate); each value here is
 * computed by `binomialCdf` itself on its first use, so a remembered value is bit for bit the direct one. Live it for
 * one search (one guarantee's splits): the memo grows with the distinct pairs asked.
 */
export class BinomialCdfMemo {
  readonly p: number;
  /** Keyed by the pair's triangular index n(n + 1)/2 + k (a small integer for n up to tens of thousands). */
  private readonly values = new Map<number, number>();

  /** p is checked where binomialCdf checks it, on the first call. */
  constructor(p: number) {
    this.p = p;
  }

  /** P(X ≤ k) for X ~ Binomial(n, p): `binomialCdf(k, n, p)`. */
  cdf(k: number, n: number): number {
    // only integer 0 ≤ k < n is a sum to remember; the rest is a bound check or an error, as direct
    if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || k >= n) return binomialCdf(k, n, this.p);
    const key = (n * (n + 1)) / 2 + k;
    let value = this.values.get(key);
    if (value === undefined) {
      value = binomialCdf(k, n, this.p);
      if (this.values.size < MAX_MEMOIZED_VALUES) this.values.set(key, value);
    }
    return value;
  }
}
