import { InvalidInputError } from '@confide/core';
import { binomialCdf } from './binomial-distribution.js';
import { chiSquareSurvival } from './special-functions.js';

export interface McNemarResult {
  /** Problems A gets right and B gets wrong. */
  b: number;
  /** Problems A gets wrong and B gets right. */
  c: number;
  /** 'exact': min(b, c), the binomial count. 'chi-square-continuity': (|b − c| − 1)² / (b + c), 0 when b = c. */
  statistic: number;
  /** Two-sided p-value for "A and B are equally accurate on these problems". */
  pValue: number;
  method: 'exact' | 'chi-square-continuity';
}

/**
 * McNemar's test for two routers (or models) graded on the same problems. Only the discordant problems count:
 * b (A right, B wrong) and c (A wrong, B right).
 *
 * - b + c < 25: exact — under the null each discordant problem is a fair coin, so
 *   p = min(1, 2 · P(Binomial(b + c, ½) ≤ min(b, c))); p = 1 when b + c = 0.
 * - otherwise: chi-square with Edwards' continuity correction, statistic (|b − c| − 1)² / (b + c) and
 *   p = P(χ²₁ > statistic) = erfc(√(statistic / 2)). As R's mcnemar.test does, the correction is not applied when
 *   b = c (the statistic is then 0 and p = 1).
 */
export function mcnemarTest(correctA: readonly boolean[], correctB: readonly boolean[]): McNemarResult {
  if (correctA.length !== correctB.length) {
    throw new InvalidInputError({
      field: 'correctB',
      problem: `has ${correctB.length} entries but correctA has ${correctA.length}; both must grade the same problems`,
    });
  }
  let b = 0;
  let c = 0;
  for (let index = 0; index < correctA.length; index++) {
    if (correctA[index] && !correctB[index]) b++;
    else if (!correctA[index] && correctB[index]) c++;
  }
  const discordant = b + c;
  if (discordant < 25) {
    const smaller = Math.min(b, c);
    const pValue = discordant === 0 ? 1 : Math.min(1, 2 * binomialCdf(smaller, discordant, 0.5));
    return { b, c, statistic: smaller, pValue, method: 'exact' };
  }
  const difference = Math.abs(b - c);
  const statistic = difference === 0 ? 0 : (difference - 1) ** 2 / discordant;
  return { b, c, statistic, pValue: chiSquareSurvival(statistic, 1), method: 'chi-square-continuity' };
}
