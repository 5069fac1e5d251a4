import { describe, expect, it } from 'vitest';
import { evaluateModels } from '../models-evaluation.js';
import { buildOutcomeTable, type OutcomeRecord } from '../outcome-table.js';
import { keepWhenPConfidentAtLeast, twoStageCascade } from './cascade-router.js';
import { gradedRecord, outputPrices } from './testing/hand-made-runs.js';
import { everyPConfidentSweep, pConfidentSweep, pConfidentSweepPoints } from './threshold-router.js';

/**
 * A hand-made K = 3 table with graded scores; only A's run has P(c). Every call costs A 100 µ$, B 400 µ$, C 1,000 µ$.
 *
 *   problem   p1    p2    p3    p4    p5    p6     sum
 *   A         1     0.5   0     0     1     0.75   3.25
 *   B         0     1     1     0.5   0.25  1      3.75
 *   C         1     1     1     1     0     1      5
 *   A P(c)    0.9   0.6   0.6   0.2   -     0.9    (- : no probabilities)
 *
 * A → B, thresholds descending: 1.9 (one past the largest: keep nothing), 0.9 (keeps p1, p6), 0.6 (+ p2, p3), 0.2 (+ p4).
 *   keep nothing: score ΣB = 3.75 → 0.625; cost 6 × (100 + 400) = 3,000 µ$ → 500 µ$
 *   ≥ 0.9: + (1 − 0) + (0.75 − 1) = 4.5 → 0.75; cost − 2 × 400 = 2,200 → 366.67 µ$
 *   ≥ 0.6: + (0.5 − 1) + (0 − 1) = 3 → 0.5; cost 1,400 → 233.33 µ$
 *   ≥ 0.2: + (0 − 0.5) = 2.5 → 0.41667; cost 1,000 → 166.67 µ$  (p5, without P(c), escalates at every threshold)
 */
const prices = outputPrices({ a: 1, b: 4, c: 10 });
const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
const scores = { a: [1, 0.5, 0, 0, 1, 0.75], b: [0, 1, 1, 0.5, 0.25, 1], c: [1, 1, 1, 1, 0, 1] };
const pConfidentOfA = [0.9, 0.6, 0.6, 0.2, undefined, 0.9];

function run(model: 'a' | 'b' | 'c'): OutcomeRecord[] {
  return ids.map((problemId, index) => {
    const p = model === 'a' ? pConfidentOfA[index] : undefined;
    return gradedRecord(model, problemId, scores[model][index]!, p === undefined ? {} : { confidenceProbabilities: { confident: p, uncertain: 1 - p } });
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
const [A, B, C] = [0, 1, 2];
const micro = 1e-6;

describe('P(c) threshold routers for a (keep, escalate-to) pair', () => {
  it('sweeps every distinct P(c), plus one past the largest, by prefix sums', () => {
    const sweep = pConfidentSweep(table, A, B)!;
    expect(sweep.name).toBe('P(c) threshold A → B');
    expect(Array.from(sweep.thresholds)).toEqual([1.9, 0.9, 0.6, 0.2]);
    expect(Array.from(sweep.keptCount)).toEqual([0, 2, 4, 5]);
    const points = pConfidentSweepPoints(table, sweep);
    [0.625, 0.75, 0.5, 2.5 / 6].forEach((score, index) => expect(points.meanScore[index]).toBeCloseTo(score, 12));
    [500, 2200 / 6, 1400 / 6, 1000 / 6].forEach((cost, index) => expect(points.meanCostUsd[index]).toBeCloseTo(cost * micro, 15));
    expect(Array.from(points.keptShare)).toEqual([0, 2 / 6, 4 / 6, 5 / 6]);
  });

  it('gives at each threshold what the two-stage cascade with that keep rule gives', () => {
    const sweep = pConfidentSweep(table, A, C)!;
    const points = pConfidentSweepPoints(table, sweep);
    sweep.thresholds.forEach((threshold, index) => {
      const cascade = twoStageCascade(table, A, C, keepWhenPConfidentAtLeast(table, A, threshold));
      expect(points.meanScore[index]).toBeCloseTo(cascade.meanScore, 12);
      expect(points.meanCostUsd[index]).toBeCloseTo(cascade.meanCostUsd, 15);
    });
  });

  it('weights each problem by its bootstrap multiplicity, dividing by the problem count', () => {
    // weights 2, 0, 1, 1, 0, 2 at ≥ 0.9 (keeps p1, p6): score (2·1 + 1·1 + 1·0.5 + 2·0.75) / 6 = 5 / 6
    const points = pConfidentSweepPoints(table, pConfidentSweep(table, A, B)!, [2, 0, 1, 1, 0, 2]);
    expect(points.meanScore[1]).toBeCloseTo(5 / 6, 12);
    // cost: A on all six weights (6 × 100) + B on p3, p4 (2 × 400) = 1,400 µ$ / 6
    expect(points.meanCostUsd[1]).toBeCloseTo((1400 / 6) * micro, 15);
  });

  it('sweeps only pairs whose keep model has a P(c)', () => {
    expect(pConfidentSweep(table, B, A)).toBeNull();
    expect(everyPConfidentSweep(table).map((sweep) => sweep.name)).toEqual(['P(c) threshold A → B', 'P(c) threshold A → C']);
  });

  it("enters the pair's hull in the models evaluation", async () => {
    const evaluation = await evaluateModels(table, { bootstrap: { resamples: 20, seed: 0, confidence: 0.95 } });
    // A (0.5417, 100 µ$) and B (0.625, 400 µ$): the chord at 366.67 µ$ is 0.6157; the threshold 0.9 scores 0.75 there
    const pair = evaluation.pairs.find((entry) => entry.labels[0] === 'A' && entry.labels[1] === 'B')!;
    expect(pair.hull.map((point) => point.label)).toContain('P(c) threshold A → B, P(c) ≥ 0.900');
    expect(evaluation.thresholdRouters.map((router) => router.label)).toEqual(['P(c) threshold A → B', 'P(c) threshold A → C']);
    expect(evaluation.thresholdRouters[0]!.best).toMatchObject({ threshold: 0.9, meanScore: 0.75 });
    expect(evaluation.thresholdRoutersSkipped).toBeNull();
    // without problems to read, the learned router is skipped and says why; no post-hoc comparison without it
    expect(evaluation.learned).toBeNull();
    expect(evaluation.learnedSkipped).toMatch(/no problems/);
    expect(evaluation.beforeVsPostHoc).toEqual([]);
  });
});
