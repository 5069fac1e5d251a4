import { describe, expect, it } from 'vitest';
import { agreementZones, arenaScore, delegationsByZone, headroomCaptured, oracleAccuracy, routerArenaOptimality } from './leaderboard.js';

/**
 * A hand-made pair of 8 problems:
 *   problem  0 1 2 3 4 5 6 7
 *   small    1 1 1 0 0 0 0 1
 *   large    1 0 1 1 1 0 0 1
 *   routed   0 1 0 1 0 1 0 1   (1 = delegated)
 * zones: both right {0,2,7} = 3, only small {1} = 1, only large {3,4} = 2, both wrong {5,6} = 2.
 * delegated: both right {7} = 1, only small {1} = 1, only large {3} = 1, both wrong {5} = 1.
 * accuracies: small 4/8, oracle 6/8; the router is right on {0,2,3,7} = 4/8 — it gains 3 and loses 1.
 */
const small = [1, 1, 1, 0, 0, 0, 0, 1];
const large = [1, 0, 1, 1, 1, 0, 0, 1];
const routed = [0, 1, 0, 1, 0, 1, 0, 1];

describe('leaderboard figures, against a hand-computed table', () => {
  it('counts the agreement zones and the delegations in each', () => {
    expect(agreementZones(small, large)).toEqual({ bothRight: 3, onlySmallRight: 1, onlyLargeRight: 2, bothWrong: 2 });
    expect(delegationsByZone(small, large, routed)).toEqual({ bothRight: 1, onlySmallRight: 1, onlyLargeRight: 1, bothWrong: 1 });
  });

  it("gives the oracle's accuracy and the share of its headroom a router captures", () => {
    expect(oracleAccuracy(small, large)).toBe(0.75);
    const routerAccuracy = routed.reduce((sum, delegated, index) => sum + (delegated ? large[index]! : small[index]!), 0) / 8;
    expect(routerAccuracy).toBe(0.5);
    expect(headroomCaptured(routerAccuracy, 0.5, 0.75)).toBe(0);
    expect(headroomCaptured(0.625, 0.5, 0.75)).toBe(0.5);
    expect(headroomCaptured(0.75, 0.5, 0.75)).toBe(1);
    expect(headroomCaptured(0.7, 0.7, 0.7)).toBeNull();
  });

  it('takes the better graded score per problem for the oracle', () => {
    // (max(0.2, 0.9) + max(0.6, 0.5) + max(0, 0)) / 3 = 1.5 / 3
    expect(oracleAccuracy([0.2, 0.6, 0], [0.9, 0.5, 0])).toBeCloseTo(0.5, 12);
  });
});

describe("RouterArena's figures, against hand-computed values", () => {
  it('arena score: log-normalised cost combined with accuracy (β = 0.1, $0.0044 … $200 per 1,000 queries)', () => {
    // c = 200 (the most expensive): C = 0, S = 0; c = 0.0044 (the cheapest): C = 1, S = 1.1·A / (0.1·A + 1)
    expect(arenaScore(200, 0.9)).toBe(0);
    expect(arenaScore(0.0044, 0.5)).toBeCloseTo((1.1 * 0.5) / (0.05 + 1), 12);
    expect(arenaScore(0.001, 0.5)).toBeCloseTo(arenaScore(0.0044, 0.5), 12);
    // c = 1: C = log2(200) / (log2(200) - log2(0.0044)) = 7.643856 / (7.643856 + 7.828281) = 0.494040
    const C = Math.log2(200) / (Math.log2(200) - Math.log2(0.0044));
    expect(C).toBeCloseTo(0.49404, 5);
    expect(arenaScore(1, 0.8)).toBeCloseTo((1.1 * 0.8 * C) / (0.08 + C), 12);
  });

  it('optimality on the table above, costs small 1 and large 10', () => {
    // counted: the router's choice right and a right choice exists: 0 (small, optimal small), 2 (small, small),
    // 3 (large, optimal large), 7 (large, optimal small) -> 4 problems, 3 optimal selections;
    // optimal cost 1 + 1 + 11 + 1 = 14, router cost 1 + 1 + 11 + 11 = 24
    const result = routerArenaOptimality(small, large, new Array(8).fill(1), new Array(8).fill(10), routed);
    expect(result.problems).toBe(4);
    expect(result.optimalSelection).toBe(0.75);
    expect(result.optimalCost).toBeCloseTo(14 / 24, 12);
    expect(result.optimalAccuracy).toBe(1);
  });
});
