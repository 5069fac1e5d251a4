import { describe, expect, it } from 'vitest';
import { agreementZones, delegationsByZone, headroomCaptured, oracleAccuracy } from './leaderboard.js';

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
});
