import { describe, expect, it } from 'vitest';
import { BinomialCdfMemo, binomialCdf } from './binomial-distribution.js';
import { chiSquareSurvival, logGamma, regularizedGammaQ } from './special-functions.js';
import { referenceValues } from './testing/reference-values.js';

function expectRelativelyClose(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-300));
}

describe('binomialCdf', () => {
  // By hand: n = 4, p = 1/2: P(X ≤ 1) = (1 + 4)/16; n = 3, p = 0.2: P(X ≤ 0) = 0.8³ = 0.512,
  // P(X ≤ 2) = 1 − 0.2³ = 0.992.
  it.each([
    { k: 1, n: 4, p: 0.5, expected: 5 / 16 },
    { k: 0, n: 3, p: 0.2, expected: 0.512 },
    { k: 2, n: 3, p: 0.2, expected: 0.992 },
  ])('P(Binomial($n, $p) ≤ $k) = $expected by hand', ({ k, n, p, expected }) => {
    expect(binomialCdf(k, n, p)).toBeCloseTo(expected, 14);
  });

  // Reference: scipy.stats.binom.cdf, including n = 10,000 and tails near 1e-30.
  it.each(referenceValues.binomialCdf)('P(Binomial($n, $p) ≤ $k) matches scipy', ({ k, n, p, cdf }) => {
    expectRelativelyClose(binomialCdf(k, n, p), cdf, 1e-9);
  });

  it.each([
    { k: -1, n: 5, p: 0.3, expected: 0 },
    { k: 5, n: 5, p: 0.3, expected: 1 },
    { k: 9, n: 5, p: 0.3, expected: 1 },
    { k: 0, n: 5, p: 0, expected: 1 },
    { k: 4, n: 5, p: 1, expected: 0 },
    { k: 0, n: 0, p: 0.4, expected: 1 },
    { k: 2.7, n: 4, p: 0.5, expected: 11 / 16 },
  ])('edge case k=$k n=$n p=$p → $expected', ({ k, n, p, expected }) => {
    expect(binomialCdf(k, n, p)).toBeCloseTo(expected, 14);
  });

  it('sums the probability mass to 1 across the whole range at n = 10,000', () => {
    expect(binomialCdf(1_000_000, 10_000, 0.37)).toBe(1);
    const lower = binomialCdf(3699, 10_000, 0.37);
    const upper = 1 - binomialCdf(3700, 10_000, 0.37);
    expect(lower).toBeGreaterThan(0.49);
    expect(upper).toBeLessThan(0.51);
  });

  it('rejects a bad n or p', () => {
    expect(() => binomialCdf(1, 2.5, 0.5)).toThrow(/n must be/);
    expect(() => binomialCdf(1, 5, 1.5)).toThrow(/p must be/);
  });
});

describe('BinomialCdfMemo', () => {
  it.each([0.2, 0.31, 0.5, 0.9])('gives binomialCdf’s own bits for every (n, k), asked once and again (p = %s)', (p) => {
    const memo = new BinomialCdfMemo(p);
    const sizes = [...Array.from({ length: 61 }, (_, n) => n), 250, 1000];
    for (let pass = 0; pass < 2; pass++) {
      for (const n of sizes) {
        for (let k = -2; k <= n + 2; k += n > 100 ? 7 : 1) expect(memo.cdf(k, n)).toBe(binomialCdf(k, n, p));
      }
    }
  });

  it('passes a non-integer k and the edges to binomialCdf, and its errors too', () => {
    const memo = new BinomialCdfMemo(0.5);
    expect(memo.cdf(2.7, 4)).toBe(binomialCdf(2.7, 4, 0.5));
    expect(memo.cdf(Number.NaN, 4)).toBeNaN();
    expect(memo.cdf(0, 0)).toBe(1);
    expect(() => memo.cdf(1, 2.5)).toThrow(/n must be/);
    expect(() => new BinomialCdfMemo(1.5).cdf(1, 5)).toThrow(/p must be/);
  });
});

describe('special functions', () => {
  it('logGamma matches log factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(0.25)).toBeCloseTo(Math.log(3.625609908221908), 12);
  });

  it('Q(1, x) = e^−x', () => {
    for (const x of [0.1, 1, 3, 20]) expectRelativelyClose(regularizedGammaQ(1, x), Math.exp(-x), 1e-13);
  });

  // Reference: scipy.stats.chi2.sf.
  it.each(referenceValues.chiSquareSurvival)('P(χ²($dof) > $x) matches scipy', ({ x, dof, sf }) => {
    expectRelativelyClose(chiSquareSurvival(x, dof), sf, 1e-10);
  });

  it('P(χ²₁ > 3.841) is 0.05 and the survival of 0 is 1', () => {
    expect(chiSquareSurvival(3.841458820694124)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(0)).toBe(1);
  });
});
