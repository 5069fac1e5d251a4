import { createRandom as uniform } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { riskControlledThreshold, type GuaranteeInput } from './router-statistics.js';

/**
 * n problems whose score s is uniform on [0, 1] and whose small answer is right with probability s: a threshold t
 * (delegate s < t) delegates exactly t of the population, and its kept answers err at (1 − t) / 2.
 */
function population(n: number, seed: number): GuaranteeInput['table'] & { scores: Float64Array } {
  const random = uniform(seed);
  const scores = new Float64Array(n);
  const smallCorrect = new Uint8Array(n);
  for (let index = 0; index < n; index++) {
    scores[index] = random();
    smallCorrect[index] = random() < scores[index]! ? 1 : 0;
  }
  return { scores, smallCorrect, largeCorrect: new Uint8Array(n).fill(1), smallCost: new Float64Array(n).fill(1), largeCost: new Float64Array(n).fill(10) };
}

function input(data: ReturnType<typeof population>, guarantee: GuaranteeInput['guarantee'], calibration: number[], test: number[] = []): GuaranteeInput {
  return {
    label: 'synthetic',
    table: data,
    scores: data.scores,
    direction: 'keep-high',
    calibrationIndices: calibration,
    testIndices: test.length > 0 ? test : calibration,
    guarantee,
    delta: 0.1,
    grid: Array.from({ length: 101 }, (_, step) => step / 100),
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

describe('guarantees on synthetic data with a known answer', () => {
  it('says how much must be delegated when the small model errs more than the target (feasibility)', () => {
    // 10 problems, 4 wrong: μ = 0.4; α = 0.25 needs (0.4 − 0.25) / 0.75 = 0.2 delegated at least
    const data = { scores: Float64Array.from(range(0, 10), (index) => index / 10), smallCorrect: Uint8Array.from([0, 0, 1, 0, 1, 1, 0, 1, 1, 1]), largeCorrect: new Uint8Array(10).fill(1), smallCost: new Float64Array(10), largeCost: new Float64Array(10) };
    const result = riskControlledThreshold(input(data, { kind: 'kept-error', maxKeptErrorRate: 0.25 }, range(0, 10)));
    expect(result.feasibility!.smallErrorRate).toBeCloseTo(0.4, 12);
    expect(result.feasibility!.minimumDelegationRate).toBeCloseTo(0.2, 12);
    const easy = riskControlledThreshold(input(data, { kind: 'kept-error', maxKeptErrorRate: 0.5 }, range(0, 10)));
    expect(easy.feasibility!.minimumDelegationRate).toBe(0);
  });

  it('caps the delegation rate: the true rate of the chosen threshold exceeds the cap in at most δ of fresh calibration sets', () => {
    const cap = 0.3;
    let violated = 0;
    const draws = 1000;
    for (let draw = 0; draw < draws; draw++) {
      const data = population(200, 1000 + draw);
      const result = riskControlledThreshold(input(data, { kind: 'delegation-rate', maxDelegationRate: cap }, range(0, 200)));
      // the population delegation rate of threshold t is t itself
      if ((result.threshold ?? 0) > cap) violated++;
    }
    expect(violated / draws).toBeLessThanOrEqual(0.1 + 0.03);
    // and it is not vacuous: the threshold sits close under the cap
    const one = riskControlledThreshold(input(population(200, 7), { kind: 'delegation-rate', maxDelegationRate: cap }, range(0, 200)));
    expect(one.threshold!).toBeGreaterThan(0.2);
  });

  it("bounds the kept answers' error: their true error (1 − t) / 2 exceeds α in at most δ of fresh calibration sets", () => {
    const alpha = 0.2; // needs t ≥ 0.6
    let violated = 0;
    const draws = 300;
    for (let draw = 0; draw < draws; draw++) {
      const data = population(300, 5000 + draw);
      const result = riskControlledThreshold(input(data, { kind: 'kept-error', maxKeptErrorRate: alpha }, range(0, 300)));
      const t = result.threshold ?? 1;
      if ((1 - t) / 2 > alpha) violated++;
    }
    expect(violated / draws).toBeLessThanOrEqual(0.1 + 0.04);
  });

  it('measures violations over random splits on the whole set and on the held-out half', () => {
    const data = population(400, 3);
    const random = uniform(9);
    const splits = Array.from({ length: 200 }, () => {
      const order = range(0, 400);
      for (let index = order.length - 1; index > 0; index--) {
        const swap = Math.floor(random() * (index + 1));
        [order[index], order[swap]] = [order[swap]!, order[index]!];
      }
      return order;
    });
    const result = riskControlledThreshold({ ...input(data, { kind: 'delegation-rate', maxDelegationRate: 0.3 }, range(0, 200), range(200, 400)), splits });
    expect(result.violations!.splits).toBe(200);
    expect(result.violations!.population.rate).toBeLessThanOrEqual(0.15);
    // a held-out half is a sample: its own noise makes it exceed the cap more often than the whole set does
    expect(result.violations!.heldOut.rate).toBeGreaterThanOrEqual(result.violations!.population.rate);
    expect(result.heldOut!.delegationRate).toBeLessThan(0.4);
  });
});

describe('guarantees over problems without a score (P(c) under its token-mass floor)', () => {
  // 200 scored problems (scores 0.005 … 1, right when the score is above 0.5) and 50 without a score (-Infinity:
  // delegated at every threshold), all answered wrong by the small model
  const scores = Float64Array.from({ length: 250 }, (_, index) => (index < 200 ? (index + 1) / 200 : -Infinity));
  const smallCorrect = Uint8Array.from({ length: 250 }, (_, index) => (index < 200 && (index + 1) / 200 > 0.5 ? 1 : 0));
  const data = { scores, smallCorrect, largeCorrect: new Uint8Array(250).fill(1), smallCost: new Float64Array(250).fill(1), largeCost: new Float64Array(250).fill(10) };
  const all = range(0, 250);

  it('Learn then Test certifies a threshold on the scored problems alone; the others stay delegated', () => {
    const result = riskControlledThreshold(input(data, { kind: 'kept-error', maxKeptErrorRate: 0.1 }, all));
    expect(result.threshold).not.toBeNull();
    // the unscored problems are wrong for the small model, yet never kept: the kept error is that of the scored ones
    expect(result.calibration!.keptErrorRate).toBeLessThanOrEqual(0.1);
    expect(result.heldOut!.delegationRate).toBeGreaterThanOrEqual(50 / 250);
  });

  it('a delegation cap counts them as delegated, and a cap they alone exceed certifies nothing', () => {
    const roomy = riskControlledThreshold(input(data, { kind: 'delegation-rate', maxDelegationRate: 0.6 }, all));
    expect(roomy.threshold).not.toBeNull();
    expect(roomy.heldOut!.delegationRate).toBeGreaterThanOrEqual(50 / 250);
    expect(roomy.heldOut!.delegationRate).toBeLessThanOrEqual(0.6);
    // 50 of 250 (20 %) are delegated whatever the threshold: a cap of 10 % cannot hold
    const tight = riskControlledThreshold(input(data, { kind: 'delegation-rate', maxDelegationRate: 0.1 }, all));
    expect(tight.threshold).toBeNull();
  });
});
