import { CONFIDENT_TOKEN, UNCERTAIN_TOKEN, type ConfidenceToken } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { buildOutcomeTable, type OutcomeRecord } from '../outcome-table.js';
import { cascadeRouter, everyTwoStageCascade, keepWhenConfidentToken, keepWhenPConfidentAtLeast, twoStageCascade } from './cascade-router.js';
import { oracleRouter } from './oracle-router.js';
import { allPairMixtures, mixtureProbabilityGrid, randomMixtures, unorderedModelPairs } from './random-mixture.js';
import { alwaysModelRouter, bestSingleModel, bestSingleModelRouter, modelMeans } from './single-model-routers.js';
import { gradedRecord, outputPrices } from './testing/hand-made-runs.js';

/**
 * A hand-made K = 3 table with graded scores. Prices are $1, $2 and $10 per million output tokens; every answer is
 * 100 output tokens except A's on p4 (300), so a call costs (in micro-dollars, µ$) A 100 (p4: 300), B 200, C 1,000.
 *
 *   problem     p1    p2    p3    p4    p5    p6    p7    p8    sum    mean     cost µ$ (sum, mean)
 *   A score     1     0     0.25  0     0.5   0     1     0     2.75   0.34375  1,000   125
 *   B score     1     0.5   0     0     0.25  1     0.5   0.25  3.5    0.4375   1,600   200
 *   C score     1     0.5   1     0     0     0.5   1     0.75  4.75   0.59375  8,000   1,000
 *   A token     c     u     c     u     c     u     c     u      (c = confident, u = uncertain)
 *   A P(c)      0.9   0.4   0.6   -     0.8   (low) 0.5   0.1    (- = no probabilities, low = token mass under the floor)
 *   B token     u     c     u     u     u     c     u     u
 *
 * Oracle (highest score, cheapest on that problem on ties; all zero -> cheapest on that problem):
 *   p1 tie A/B/C -> A (100); p2 tie B/C -> B (200); p3 C; p4 all 0 -> B (200 < A's 300 < C's 1,000); p5 A; p6 B;
 *   p7 tie A/C -> A; p8 C.  Score 1 + 0.5 + 1 + 0 + 0.5 + 1 + 1 + 0.75 = 5.75 -> 0.71875;
 *   cost 100 + 200 + 1,000 + 200 + 100 + 200 + 100 + 1,000 = 2,900 µ$ -> 362.5 µ$ a problem; shares A 3/8, B 3/8, C 2/8.
 */
const prices = outputPrices({ a: 1, b: 2, c: 10 });
const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
const scores = {
  a: [1, 0, 0.25, 0, 0.5, 0, 1, 0],
  b: [1, 0.5, 0, 0, 0.25, 1, 0.5, 0.25],
  c: [1, 0.5, 1, 0, 0, 0.5, 1, 0.75],
};
const c = CONFIDENT_TOKEN;
const u = UNCERTAIN_TOKEN;
const tokens: Record<'a' | 'b' | 'c', Array<ConfidenceToken | null>> = {
  a: [c, u, c, u, c, u, c, u],
  b: [u, c, u, u, u, c, u, u],
  c: ids.map(() => null),
};
// P(c) = confident / (confident + uncertain); p6's mass 0.1 + 0.1 = 0.2 is under the floor 0.5
const aProbabilities: Array<{ confident: number; uncertain: number } | undefined> = [
  { confident: 0.9, uncertain: 0.1 },
  { confident: 0.4, uncertain: 0.6 },
  { confident: 0.6, uncertain: 0.4 },
  undefined,
  { confident: 0.8, uncertain: 0.2 },
  { confident: 0.1, uncertain: 0.1 },
  { confident: 0.5, uncertain: 0.5 },
  { confident: 0.1, uncertain: 0.9 },
];

function run(model: 'a' | 'b' | 'c'): OutcomeRecord[] {
  return ids.map((problemId, index) => {
    const probabilities = model === 'a' ? aProbabilities[index] : undefined;
    return gradedRecord(model, problemId, scores[model][index]!, {
      confidenceToken: tokens[model][index]!,
      ...(probabilities === undefined ? {} : { confidenceProbabilities: probabilities }),
      usage: { input: 0, output: model === 'a' && problemId === 'p4' ? 300 : 100, thinking: 0 },
    });
  });
}

const table = buildOutcomeTable(
  [
    { label: 'A', records: run('a') },
    { label: 'B', records: run('b') },
    { label: 'C', records: run('c') },
  ],
  prices,
);
const A = 0;
const B = 1;
const C = 2;
const microDollars = 1e-6;

describe('single-model routers on the K = 3 table', () => {
  it("gives each model's mean score and cost", () => {
    const means = modelMeans(table);
    expect(means.map((mean) => mean.meanScore)).toEqual([0.34375, 0.4375, 0.59375]);
    expect(means[A]!.meanCostUsd).toBeCloseTo(125 * microDollars, 15);
    expect(means[B]!.meanCostUsd).toBeCloseTo(200 * microDollars, 15);
    expect(means[C]!.meanCostUsd).toBeCloseTo(1000 * microDollars, 15);
    expect(means[C]!.totalCostUsd).toBeCloseTo(8000 * microDollars, 15);
  });

  it('always-⟨model⟩ takes that model everywhere', () => {
    const always = alwaysModelRouter(table, B);
    expect(always.name).toBe('always-B');
    expect(Array.from(always.choices)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(always.meanScore).toBe(0.4375);
    expect(Array.from(always.shares)).toEqual([0, 1, 0]);
  });

  it('the best single model is the highest mean score (C, 0.59375); of equal means, the cheaper', () => {
    const best = bestSingleModelRouter(table);
    expect(best.name).toBe('best-single (C)');
    expect(best.meanScore).toBe(0.59375);
    expect(best.meanCostUsd).toBeCloseTo(1000 * microDollars, 15);
    const tied = [
      { model: 0, label: 'X', meanScore: 0.5, meanCostUsd: 2, totalCostUsd: 16 },
      { model: 1, label: 'Y', meanScore: 0.5, meanCostUsd: 1, totalCostUsd: 8 },
      { model: 2, label: 'Z', meanScore: 0.25, meanCostUsd: 0.5, totalCostUsd: 4 },
    ];
    expect(bestSingleModel(tied).label).toBe('Y');
    expect(bestSingleModel(tied, [0, 2]).label).toBe('X');
  });
});

describe('the oracle over K = 3', () => {
  it('takes the highest score, the cheapest on ties, and the cheapest model on the all-zero row', () => {
    const oracle = oracleRouter(table);
    expect(oracle.name).toBe('oracle');
    // p1 A, p2 B, p3 C, p4 B, p5 A, p6 B, p7 A, p8 C (see the table's comment)
    expect(Array.from(oracle.choices)).toEqual([A, B, C, B, A, B, A, C]);
    expect(oracle.meanScore).toBe(0.71875);
    expect(oracle.meanCostUsd).toBeCloseTo(362.5 * microDollars, 15);
    expect(oracle.totalCostUsd).toBeCloseTo(2900 * microDollars, 15);
    expect(Array.from(oracle.shares)).toEqual([3 / 8, 3 / 8, 2 / 8]);
  });

  it('over a subset: A and C only', () => {
    // p1 tie A/C -> A; p2 C (0.5 > 0); p3 C; p4 all 0 -> A (300 < 1,000); p5 A; p6 C; p7 tie -> A; p8 C
    // score 1 + 0.5 + 1 + 0 + 0.5 + 0.5 + 1 + 0.75 = 5.25 -> 0.65625; cost 100 + 1,000 + 1,000 + 300 + 100 + 1,000 + 100 + 1,000 = 4,600
    const oracle = oracleRouter(table, [C, A]);
    expect(oracle.name).toBe('oracle (A, C)');
    expect(oracle.models).toEqual([A, C]);
    expect(Array.from(oracle.choices)).toEqual([A, C, C, A, A, C, A, C]);
    expect(oracle.meanScore).toBe(0.65625);
    expect(oracle.totalCostUsd).toBeCloseTo(4600 * microDollars, 15);
  });
});

describe('random mixtures of a pair (expected values)', () => {
  it('mix the two means linearly', () => {
    // A/C at p = 0.25: score 0.75·0.34375 + 0.25·0.59375 = 0.2578125 + 0.1484375 = 0.40625;
    // cost 0.75·125 + 0.25·1,000 = 93.75 + 250 = 343.75 µ$
    const means = modelMeans(table);
    const [atZero, quarter, atOne] = randomMixtures(means, [A, C], [0, 0.25, 1]);
    expect(atZero!.meanScore).toBe(0.34375);
    expect(atOne!.meanScore).toBe(0.59375);
    expect(quarter!.meanScore).toBe(0.40625);
    expect(quarter!.meanCostUsd).toBeCloseTo(343.75 * microDollars, 15);
    expect(quarter!.shares).toEqual([0.75, 0.25]);
  });

  it('on a grid, over every unordered pair', () => {
    expect(mixtureProbabilityGrid(4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(unorderedModelPairs(3)).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    // 3 pairs × 5 probabilities
    expect(allPairMixtures(modelMeans(table), mixtureProbabilityGrid(4))).toHaveLength(15);
    expect(() => randomMixtures(modelMeans(table), [A, 3], [0.5])).toThrow(/lacks/);
    expect(() => randomMixtures(modelMeans(table), [A, B], [1.5])).toThrow(/\[0, 1\]/);
  });
});

describe('cascades over a subset of the models', () => {
  it('A → C keeping A where it says confident: pays A everywhere and C where it escalates', () => {
    // keep p1, p3, p5, p7 (A scores 1 + 0.25 + 0.5 + 1 = 2.75); escalate p2, p4, p6, p8 to C (0.5 + 0 + 0.5 + 0.75 = 1.75)
    // score 4.5 / 8 = 0.5625; cost A 1,000 + C 4 × 1,000 = 5,000 µ$ -> 625 µ$ a problem
    const keep = keepWhenConfidentToken(table, A);
    expect(Array.from(keep)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    const cascade = twoStageCascade(table, A, C, keep);
    expect(cascade.name).toBe('cascade A → C');
    expect(cascade.models).toEqual([A, C]);
    expect(Array.from(cascade.choices)).toEqual([A, C, A, C, A, C, A, C]);
    expect(cascade.meanScore).toBe(0.5625);
    expect(cascade.meanCostUsd).toBeCloseTo(625 * microDollars, 15);
    expect(Array.from(cascade.shares)).toEqual([0.5, 0, 0.5]);
    expect(Array.from(cascade.callShares)).toEqual([1, 0, 0.5]);
  });

  it('keeps by a P(c) threshold: at or above it; an answer without P(c) escalates', () => {
    // P(c): 0.9, 0.4, 0.6, none, 0.8, none (under the floor), 0.5, 0.1 -> at 0.5: keep p1, p3, p5, p7
    expect(Array.from(keepWhenPConfidentAtLeast(table, A, 0.5))).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    // at 0: every answer with a P(c) is kept, p4 and p6 still escalate
    expect(Array.from(keepWhenPConfidentAtLeast(table, A, 0))).toEqual([1, 1, 1, 0, 1, 0, 1, 1]);
  });

  it('a three-stage chain A → B → C', () => {
    // A keeps p1, p3, p5, p7 (2.75); B gets p2, p4, p6, p8 and keeps where confident: p2 (0.5), p6 (1);
    // C gets p4 (0), p8 (0.75). Score 2.75 + 1.5 + 0.75 = 5 -> 0.625.
    // Cost: A 1,000 + B 4 × 200 + C 2 × 1,000 = 3,800 µ$ -> 475 µ$ a problem.
    const chain = cascadeRouter(table, [
      { model: A, keep: keepWhenConfidentToken(table, A) },
      { model: B, keep: keepWhenConfidentToken(table, B) },
      { model: C },
    ]);
    expect(Array.from(chain.choices)).toEqual([A, B, A, C, A, B, A, C]);
    expect(chain.meanScore).toBe(0.625);
    expect(chain.meanCostUsd).toBeCloseTo(475 * microDollars, 15);
    expect(Array.from(chain.callShares)).toEqual([1, 0.5, 0.25]);
  });

  it('every two-stage chain: K·(K − 1) ordered pairs', () => {
    const chains = everyTwoStageCascade(table, (first) => keepWhenConfidentToken(table, first));
    expect(chains.map((chain) => chain.name)).toEqual(['cascade A → B', 'cascade A → C', 'cascade B → A', 'cascade B → C', 'cascade C → A', 'cascade C → B']);
    // C says neither token, so C → A escalates everything: A's score 0.34375, cost C + A = 1,000 + 125 µ$ a problem
    const cToA = chains[4]!;
    expect(cToA.meanScore).toBe(0.34375);
    expect(cToA.meanCostUsd).toBeCloseTo(1125 * microDollars, 15);
  });

  it('refuses a chain that calls a model twice, or a keep mask of the wrong length', () => {
    expect(() => cascadeRouter(table, [{ model: A, keep: new Uint8Array(8) }, { model: A }])).toThrow(/called twice/);
    expect(() => twoStageCascade(table, A, C, new Uint8Array(3))).toThrow(/one keep flag per problem/);
    expect(() => twoStageCascade(table, A, 5, new Uint8Array(8))).toThrow(/not one of the table's 3 models/);
  });
});
