import { describe, expect, it } from 'vitest';
import { mcnemarTest } from './mcnemar.js';
import { referenceValues } from './testing/reference-values.js';

/** Builds graded pairs with the given cell counts: both right, A only (b), B only (c), both wrong. */
function table(bothRight: number, b: number, c: number, bothWrong: number): [boolean[], boolean[]] {
  const a: boolean[] = [];
  const other: boolean[] = [];
  const push = (count: number, left: boolean, right: boolean) => {
    for (let index = 0; index < count; index++) {
      a.push(left);
      other.push(right);
    }
  };
  push(bothRight, true, true);
  push(b, true, false);
  push(c, false, true);
  push(bothWrong, false, false);
  return [a, other];
}

describe('mcnemarTest', () => {
  it('counts discordant pairs and computes the exact p by hand', () => {
    // A: T T T F F T T F;  B: T F F F T T F F.  b (A right, B wrong) = positions 1, 2, 6 → 3; c = position 4 → 1.
    // Exact: n = 4, P(X ≤ 1) = (1 + 4)/16 = 5/16, two-sided 10/16 = 0.625.
    const result = mcnemarTest(
      [true, true, true, false, false, true, true, false],
      [true, false, false, false, true, true, false, false],
    );
    expect(result).toMatchObject({ b: 3, c: 1, statistic: 1, method: 'exact' });
    expect(result.pValue).toBeCloseTo(0.625, 14);
  });

  it('uses the chi-square with continuity correction from 25 discordant pairs, by hand', () => {
    // b = 20, c = 10: (|20 − 10| − 1)² / 30 = 81/30 = 2.7; p = erfc(√1.35) ≈ 0.1003 (scipy chi2.sf(2.7, 1)).
    const result = mcnemarTest(...table(50, 20, 10, 5));
    expect(result.method).toBe('chi-square-continuity');
    expect(result.statistic).toBeCloseTo(2.7, 14);
    expect(result.pValue).toBeCloseTo(0.10034824646229054, 12);
  });

  // Reference: scipy.stats.binomtest (exact) and scipy.stats.chi2.sf (chi-square).
  it.each(referenceValues.mcnemar)('b=$b c=$c: $method p matches scipy', ({ b, c, method, statistic, pValue }) => {
    const result = mcnemarTest(...table(7, b, c, 3));
    expect(result.b).toBe(b);
    expect(result.c).toBe(c);
    expect(result.method).toBe(method);
    if (statistic !== undefined) expect(result.statistic).toBeCloseTo(statistic, 12);
    expect(result.pValue).toBeCloseTo(pValue, 12);
  });

  it('is symmetric in A and B', () => {
    const [a, other] = table(4, 2, 9, 1);
    expect(mcnemarTest(a, other).pValue).toBe(mcnemarTest(other, a).pValue);
  });

  it('rejects gradings of different lengths', () => {
    expect(() => mcnemarTest([true], [true, false])).toThrow(/same problems/);
  });
});
