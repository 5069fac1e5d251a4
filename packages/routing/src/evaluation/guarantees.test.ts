import { createRandom as uniform } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { randomSplits, riskControlledThreshold, type GuaranteeInput } from './router-statistics.js';

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
  return binary({ scores, smallCorrect, largeCorrect: new Uint8Array(n).fill(1), smallCost: new Float64Array(n).fill(1), largeCost: new Float64Array(n).fill(10) });
}

/** Binary grades: each answer's score is its verdict. */
function binary<Data extends { smallCorrect: Uint8Array; largeCorrect: Uint8Array }>(data: Data): Data & { smallScore: Float64Array; largeScore: Float64Array } {
  return { ...data, smallScore: Float64Array.from(data.smallCorrect), largeScore: Float64Array.from(data.largeCorrect) };
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
  it('says how much must be delegated when the small model errs more than the target (feasibility)', async () => {
    // 10 problems, 4 wrong: μ = 0.4; α = 0.25 needs (0.4 − 0.25) / 0.75 = 0.2 delegated at least
    const data = binary({ scores: Float64Array.from(range(0, 10), (index) => index / 10), smallCorrect: Uint8Array.from([0, 0, 1, 0, 1, 1, 0, 1, 1, 1]), largeCorrect: new Uint8Array(10).fill(1), smallCost: new Float64Array(10), largeCost: new Float64Array(10) });
    const result = await riskControlledThreshold(input(data, { kind: 'kept-error', maxKeptErrorRate: 0.25 }, range(0, 10)));
    expect(result.feasibility!.smallErrorRate).toBeCloseTo(0.4, 12);
    expect(result.feasibility!.minimumDelegationRate).toBeCloseTo(0.2, 12);
    const easy = await riskControlledThreshold(input(data, { kind: 'kept-error', maxKeptErrorRate: 0.5 }, range(0, 10)));
    expect(easy.feasibility!.minimumDelegationRate).toBe(0);
  });

  it('caps the delegation rate: the true rate of the chosen threshold exceeds the cap in at most δ of fresh calibration sets', async () => {
    const cap = 0.3;
    let violated = 0;
    const draws = 1000;
    for (let draw = 0; draw < draws; draw++) {
      const data = population(200, 1000 + draw);
      const result = await riskControlledThreshold(input(data, { kind: 'delegation-rate', maxDelegationRate: cap }, range(0, 200)));
      // the population delegation rate of threshold t is t itself
      if ((result.threshold ?? 0) > cap) violated++;
    }
    expect(violated / draws).toBeLessThanOrEqual(0.1 + 0.03);
    // and it is not vacuous: the threshold sits close under the cap
    const one = await riskControlledThreshold(input(population(200, 7), { kind: 'delegation-rate', maxDelegationRate: cap }, range(0, 200)));
    expect(one.threshold!).toBeGreaterThan(0.2);
  });

  it("bounds the kept answers' error: their true error (1 − t) / 2 exceeds α in at most δ of fresh calibration sets", async () => {
    const alpha = 0.2; // needs t ≥ 0.6
    let violated = 0;
    const draws = 300;
    for (let draw = 0; draw < draws; draw++) {
      const data = population(300, 5000 + draw);
      const result = await riskControlledThreshold(input(data, { kind: 'kept-error', maxKeptErrorRate: alpha }, range(0, 300)));
      const t = result.threshold ?? 1;
      if ((1 - t) / 2 > alpha) violated++;
    }
    expect(violated / draws).toBeLessThanOrEqual(0.1 + 0.04);
  });

  it('measures violations over random splits on the whole set and on the held-out half', async () => {
    const data = population(400, 3);
    const result = await riskControlledThreshold({ ...input(data, { kind: 'delegation-rate', maxDelegationRate: 0.3 }, range(0, 200), range(200, 400)), splits: { count: 200, seed: 9 } });
    expect(result.violations!.splits).toBe(200);
    expect(result.violations!.population.rate).toBeLessThanOrEqual(0.15);
    // a held-out half is a sample: its own noise makes it exceed the cap more often than the whole set does
    expect(result.violations!.heldOut.rate).toBeGreaterThanOrEqual(result.violations!.population.rate);
    expect(result.heldOut!.delegationRate).toBeLessThan(0.4);
  });
});

describe('violation rates, counted on the sorted problems, as the rule redone on each split', () => {
  /** The rule chosen afresh on each split's calibration half (as problem indices), checked on the whole set and the rest. */
  async function directViolations(data: ReturnType<typeof population>, guarantee: GuaranteeInput['guarantee'], splits: { count: number; seed: number }) {
    const n = data.scores.length;
    // split positions are over the problems sorted by score, highest first (ties by index)
    const sorted = Array.from({ length: n }, (_, index) => index).sort((left, right) => data.scores[right]! - data.scores[left]! || left - right);
    const outcome = (threshold: number | null, indices: number[]) => {
      const kept = indices.filter((index) => threshold !== null && data.scores[index]! >= threshold);
      const keptErrorRate = kept.length === 0 ? 0 : kept.reduce((sum, index) => sum + 1 - data.smallScore[index]!, 0) / kept.length;
      const delegationRate = (indices.length - kept.length) / indices.length;
      return guarantee.kind === 'kept-error' ? keptErrorRate > guarantee.maxKeptErrorRate : delegationRate > guarantee.maxDelegationRate;
    };
    let [population, heldOut, certified] = [0, 0, 0];
    for (const mask of randomSplits(n, n / 2, splits)) {
      const calibration = sorted.filter((_, position) => mask[position] === 1);
      const rest = sorted.filter((_, position) => mask[position] === 0);
      const { threshold } = await riskControlledThreshold(input(data, guarantee, calibration, rest));
      if (threshold !== null) certified++;
      if (outcome(threshold, sorted)) population++;
      if (outcome(threshold, rest)) heldOut++;
    }
    return { violations: { population, heldOut }, certified };
  }

  it.each([
    { kind: 'kept-error', maxKeptErrorRate: 0.25 },
    { kind: 'delegation-rate', maxDelegationRate: 0.3 },
  ] as const)('$kind: the same counts on the whole set and on the held-out half', async (guarantee) => {
    const data = population(600, 5);
    const splits = { count: 100, seed: 4 };
    const fast = await riskControlledThreshold({ ...input(data, guarantee, range(0, 300), range(300, 600)), splits });
    const direct = await directViolations(data, guarantee, splits);
    expect({ population: fast.violations!.population.violated, heldOut: fast.violations!.heldOut.violated }).toEqual(direct.violations);
    // not vacuous: most splits certify a threshold, and some held-out halves miss the target
    expect(direct.certified).toBeGreaterThan(splits.count / 2);
    expect(direct.violations.heldOut + direct.violations.population).toBeGreaterThan(0);
  });
});

describe('guarantees over problems without a score (P(c) under its token-mass floor)', () => {
  // 200 scored problems (scores 0.005 … 1, right when the score is above 0.5) and 50 without a score (-Infinity:
  // delegated at every threshold), all answered wrong by the small model
  const scores = Float64Array.from({ length: 250 }, (_, index) => (index < 200 ? (index + 1) / 200 : -Infinity));
  const smallCorrect = Uint8Array.from({ length: 250 }, (_, index) => (index < 200 && (index + 1) / 200 > 0.5 ? 1 : 0));
  const data = binary({ scores, smallCorrect, largeCorrect: new Uint8Array(250).fill(1), smallCost: new Float64Array(250).fill(1), largeCost: new Float64Array(250).fill(10) });
  const all = range(0, 250);

  it('Learn then Test certifies a threshold on the scored problems alone; the others stay delegated', async () => {
    const result = await riskControlledThreshold(input(data, { kind: 'kept-error', maxKeptErrorRate: 0.1 }, all));
    expect(result.threshold).not.toBeNull();
    // the unscored problems are wrong for the small model, yet never kept: the kept error is that of the scored ones
    expect(result.calibration!.keptErrorRate).toBeLessThanOrEqual(0.1);
    expect(result.heldOut!.delegationRate).toBeGreaterThanOrEqual(50 / 250);
  });

  it('a delegation cap counts them as delegated, and a cap they alone exceed certifies nothing', async () => {
    const roomy = await riskControlledThreshold(input(data, { kind: 'delegation-rate', maxDelegationRate: 0.6 }, all));
    expect(roomy.threshold).not.toBeNull();
    expect(roomy.heldOut!.delegationRate).toBeGreaterThanOrEqual(50 / 250);
    expect(roomy.heldOut!.delegationRate).toBeLessThanOrEqual(0.6);
    // 50 of 250 (20 %) are delegated whatever the threshold: a cap of 10 % cannot hold
    const tight = await riskControlledThreshold(input(data, { kind: 'delegation-rate', maxDelegationRate: 0.1 }, all));
    expect(tight.threshold).toBeNull();
  });
});

describe('a kept-error guarantee on graded scores', () => {
  // 40 problems scored 40..1 (keep-high); the small model's graded score: 0.95 on the 30 best, 0.4 on the 10 worst
  const n = 40;
  const smallScore = Float64Array.from({ length: n }, (_, index) => (index < 30 ? 0.95 : 0.4));
  const data = {
    scores: Float64Array.from({ length: n }, (_, index) => n - index),
    smallCorrect: Uint8Array.from(smallScore, (score) => (score >= 0.5 ? 1 : 0)),
    smallScore,
    largeScore: new Float64Array(n).fill(1),
    smallCost: new Float64Array(n).fill(1),
    largeCost: new Float64Array(n).fill(10),
  };

  it('bounds the kept answers’ mean loss (1 − score) with Hoeffding–Bentkus p-values, not the binomial test', async () => {
    const everything = range(0, n);
    const result = await riskControlledThreshold({ ...input(data, { kind: 'kept-error', maxKeptErrorRate: 0.2 }, everything), delta: 0.2, grid: [21, 11, 6] });
    expect(result.method).toMatch(/Hoeffding–Bentkus/);
    // three thresholds: three fixed sequences, each at δ/3 (the method says what ran, not the ten of a larger grid)
    expect(result.method).toContain('3 fixed sequences (each at δ/3) over 3 thresholds');
    // the small model's mean loss: (30 × 0.05 + 10 × 0.6) / 40 = 0.1875
    expect(result.feasibility!.smallErrorRate).toBeCloseTo(0.1875, 12);
    // keep ≥ 11 (30 answers, mean loss 0.05, p = 0.0597); keep ≥ 6 (35, mean loss 4.5 / 35, p = 0.538 > δ) stops the sequence
    expect(result.threshold).toBe(11);
    expect(result.calibration).toMatchObject({ kept: 30 });
    expect(result.calibration!.keptErrorRate).toBeCloseTo(0.05, 12);
    expect(result.calibration!.pValue).toBeCloseTo(0.0597079095, 8);
    // held out (the same problems here): 30 kept at 0.95, 10 delegated at 1 → mean score (28.5 + 10) / 40
    expect(result.heldOut!.accuracy).toBeCloseTo(38.5 / 40, 12);
  });

  it('keeps the exact binomial test where every score is 0 or 1', async () => {
    const binaryScores = Float64Array.from(data.smallCorrect);
    const result = await riskControlledThreshold({ ...input({ ...data, smallScore: binaryScores }, { kind: 'kept-error', maxKeptErrorRate: 0.2 }, range(0, n)), delta: 0.2, grid: [21, 11, 6] });
    expect(result.method).toMatch(/exact binomial/);
    // a grid of 101 thresholds: ten sequences, each at δ/10
    const fine = await riskControlledThreshold(input({ ...data, smallScore: binaryScores }, { kind: 'kept-error', maxKeptErrorRate: 0.2 }, range(0, n)));
    expect(fine.method).toBe('Learn then Test: 10 fixed sequences (each at δ/10) over 101 thresholds of a fixed grid, exact binomial p-values');
  });
});

