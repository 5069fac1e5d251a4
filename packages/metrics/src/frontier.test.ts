import { describe, expect, it } from 'vitest';
import { nonDecreasingConvexHull } from './cost-accuracy-curve.js';
import { aiqOverCommonRange, commonCostRange, hullScoreAt, pairwiseEnvelope } from './frontier.js';
import { arenaScore, oracleHeadroom, routerArenaOptimality, routerArenaOptimalityOverModels } from './leaderboard.js';

/**
 * A hand-made K = 3 table with graded scores (the same as routing's column-router tests), costs in micro-dollars:
 *
 *   problem     p1    p2    p3    p4    p5    p6    p7    p8    mean score   mean cost
 *   A score     1     0     0.25  0     0.5   0     1     0     0.34375      125   (A costs 100, 300 on p4)
 *   B score     1     0.5   0     0     0.25  1     0.5   0.25  0.4375       200
 *   C score     1     0.5   1     0     0     0.5   1     0.75  0.59375      1,000
 *
 * Operating points (cost, mean score): A (125, 0.34375), B (200, 0.4375), C (1,000, 0.59375);
 * the oracle O (362.5, 0.71875); the cascade A → C keeping A's confident answers X (625, 0.5625), which uses A and C;
 * the chain A → B → C Y (475, 0.625), which uses all three.
 */
const A = { label: 'A', cost: 125, accuracy: 0.34375 };
const B = { label: 'B', cost: 200, accuracy: 0.4375 };
const C = { label: 'C', cost: 1000, accuracy: 0.59375 };
const O = { label: 'oracle', cost: 362.5, accuracy: 0.71875 };
const X = { label: 'cascade A → C', cost: 625, accuracy: 0.5625 };
const Y = { label: 'cascade A → B → C', cost: 475, accuracy: 0.625 };
const singles = [A, B, C];

describe('the hull over single models and routers', () => {
  it('keeps the concave corners', () => {
    // slopes A→B 0.09375 / 75 = 0.00125 > B→C 0.15625 / 800 = 0.000195: concave, all three are corners
    expect(nonDecreasingConvexHull(singles).map((point) => point.label)).toEqual(['A', 'B', 'C']);
    // with the oracle: the chord A→O at cost 200 is 0.34375 + 75 · 0.375 / 237.5 = 0.4622 > B's 0.4375 (B drops);
    // C costs more than O and scores less (dominated)
    expect(nonDecreasingConvexHull([...singles, O]).map((point) => point.label)).toEqual(['A', 'oracle']);
  });
});

describe('AIQ over one common cost range', () => {
  const range = commonCostRange(singles);

  it('runs from the cheapest single model to the dearest', () => {
    expect(range).toEqual({ minCost: 125, maxCost: 1000 });
  });

  it('integrates each hull over that range, divided by its width 875', () => {
    // singles: 125→200 (0.34375 + 0.4375) / 2 · 75 = 29.296875; 200→1,000 (0.4375 + 0.59375) / 2 · 800 = 412.5
    //   -> 441.796875 / 875 = 0.50491071…
    expect(aiqOverCommonRange(singles, range)).toBeCloseTo(441.796875 / 875, 12);
    // singles and the oracle: 125→362.5 (0.34375 + 0.71875) / 2 · 237.5 = 126.171875; flat 0.71875 · 637.5 = 458.203125
    //   -> 584.375 / 875 = 0.66785714…
    expect(aiqOverCommonRange([...singles, O], range)).toBeCloseTo(584.375 / 875, 12);
  });

  it('counts 0 below a hull cheapest point and nothing beyond the dearest model', () => {
    // the oracle alone: 0 over 125→362.5, then flat 0.71875 · 637.5 = 458.203125 -> 0.52366071…
    expect(aiqOverCommonRange([O], range)).toBeCloseTo(458.203125 / 875, 12);
    // a router dearer than every model scores 0 on the range
    expect(aiqOverCommonRange([{ cost: 1200, accuracy: 0.9 }], range)).toBe(0);
  });

  it('reads a hull at a reference cost', () => {
    // singles at 600: between B and C, 0.4375 + (400 / 800) · 0.15625 = 0.515625; below A: 0; above C: flat
    expect(hullScoreAt(singles, 600)).toBeCloseTo(0.515625, 12);
    expect(hullScoreAt(singles, 100)).toBe(0);
    expect(hullScoreAt(singles, 5000)).toBe(0.59375);
  });
});

describe('the pairwise envelope', () => {
  const routers = [
    { uses: ['A', 'C'], point: X },
    { uses: ['A', 'B', 'C'], point: Y },
    { uses: ['oracle-of-all'], point: O },
  ];
  const { pairs, envelope } = pairwiseEnvelope(singles, routers);

  it('hulls each pair with the routers that use exactly that pair', () => {
    // A/C: the chord A→C at 625 is 0.34375 + 500 · 0.25 / 875 = 0.4866 < X's 0.5625, so X is a corner;
    // slopes A→X 0.21875 / 500 = 0.0004375 > X→C 0.03125 / 375 = 0.0000833: concave
    expect(pairs.map((pair) => [pair.labels, pair.hull.map((point) => point.label)])).toEqual([
      [['A', 'B'], ['A', 'B']],
      [['A', 'C'], ['A', 'cascade A → C', 'C']],
      [['B', 'C'], ['B', 'C']],
    ]);
  });

  it('is the upper hull of the pair hulls; the three-model chain and the oracle are not in it', () => {
    // corners A, B, X, C: slopes A→B 0.00125 > B→X 0.125 / 425 = 0.000294 > X→C 0.0000833
    expect(envelope.map((point) => point.label)).toEqual(['A', 'B', 'cascade A → C', 'C']);
    // AIQ: 125→200 29.296875; 200→625 (0.4375 + 0.5625) / 2 · 425 = 212.5; 625→1,000 (0.5625 + 0.59375) / 2 · 375 = 216.796875
    //   -> 458.59375 / 875 = 0.52410714…
    expect(aiqOverCommonRange(envelope, commonCostRange(singles))).toBeCloseTo(458.59375 / 875, 12);
    // at the oracle's cost 362.5: 0.4375 + (162.5 / 425) · 0.125 = 0.48529…
    expect(hullScoreAt(envelope, 362.5)).toBeCloseTo(0.4375 + (162.5 / 425) * 0.125, 12);
  });

  it('refuses repeated labels', () => {
    expect(() => pairwiseEnvelope([A, A])).toThrow(/distinct/);
  });
});

describe("RouterArena's figures over K = 3", () => {
  const scores = [
    [1, 0, 0.25, 0, 0.5, 0, 1, 0],
    [1, 0.5, 0, 0, 0.25, 1, 0.5, 0.25],
    [1, 0.5, 1, 0, 0, 0.5, 1, 0.75],
  ];
  const costs = [
    [100, 100, 100, 300, 100, 100, 100, 100],
    [200, 200, 200, 200, 200, 200, 200, 200],
    [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  ];

  it('the oracle is optimal everywhere it counts (p4, all zero, is not counted)', () => {
    const oracle = [0, 1, 2, 1, 0, 1, 0, 2];
    expect(routerArenaOptimalityOverModels(scores, costs, oracle)).toEqual({ optimalSelection: 1, optimalCost: 1, optimalAccuracy: 1, problems: 7 });
  });

  it('always-C: counted where C scores above 0 and some model does (p1, p2, p3, p6, p7, p8)', () => {
    // optimal (cheapest of the highest): p1 A, p2 B, p3 C, p6 B, p7 A, p8 C -> C optimal on 2 of 6
    // optimal cost 100 + 200 + 1,000 + 200 + 100 + 1,000 = 2,600; router cost 6 · 1,000 = 6,000
    // router score 1 + 0.5 + 1 + 0.5 + 1 + 0.75 = 4.75; optimal score 1 + 0.5 + 1 + 1 + 1 + 0.75 = 5.25
    const result = routerArenaOptimalityOverModels(scores, costs, new Uint8Array(8).fill(2));
    expect(result.problems).toBe(6);
    expect(result.optimalSelection).toBeCloseTo(2 / 6, 12);
    expect(result.optimalCost).toBeCloseTo(2600 / 6000, 12);
    expect(result.optimalAccuracy).toBeCloseTo(4.75 / 5.25, 12);
  });

  it('keeps the small/large results of the K = 2 form', () => {
    // the leaderboard test's pair, costs small 1 and large 10: 4 problems, 3 optimal, cost 14 / 24
    const small = [1, 1, 1, 0, 0, 0, 0, 1];
    const large = [1, 0, 1, 1, 1, 0, 0, 1];
    const routed = [0, 1, 0, 1, 0, 1, 0, 1];
    const pair = routerArenaOptimality(small, large, new Array(8).fill(1), new Array(8).fill(10), routed);
    expect(pair).toEqual({ optimalSelection: 0.75, optimalCost: 14 / 24, optimalAccuracy: 1, problems: 4 });
    // free large calls: both right costs the same either way, and the small model (first) stays optimal
    expect(routerArenaOptimality(small, large, new Array(8).fill(0), new Array(8).fill(0), routed).optimalSelection).toBe(0.75);
  });

  it("the oracle's arena score and its headroom over the best single model", () => {
    // the oracle costs 362.5 µ$ a problem = $0.3625 per 1,000 queries, scores 0.71875:
    // C = (log2 200 − log2 0.3625) / (log2 200 − log2 0.0044) = (7.643856 + 1.463947) / (7.643856 + 7.828281) = 0.588658
    // S = 1.1 · 0.71875 · C / (0.1 · 0.71875 + C) = 0.465406 / 0.660533 = 0.704594
    expect(arenaScore(0.3625, 0.71875)).toBeCloseTo(0.704594, 6);
    // 0.71875 − 0.59375 (C, the best single model)
    expect(oracleHeadroom(0.71875, 0.59375)).toBe(0.125);
  });
});
