import { describe, expect, it } from 'vitest';
import { binomialCdf } from './binomial-distribution.js';
import {
  chooseThresholdForDelegationBudget,
  chooseThresholdForErrorRate,
  fixedSequenceCertified,
  fixedSequenceChoice,
  fixedSequenceTest,
  keptLossPValue,
  lastFixedSequenceCertified,
  thresholdOutcome,
} from './risk-control.js';
import { hoeffdingBentkusPValue } from './hoeffding-bentkus.js';
import { createRandom } from './seeded-random.js';

// Hand-made calibration set of 30 answers: scores (30 − i)/30 for i = 0..29, so answer i is kept by the threshold
// (30 − i)/30 and every stricter one. The top 20 are correct; answers 20..29 are wrong at 20, 22, 23, 25, 26, 27, 29.
const scores = Array.from({ length: 30 }, (_, index) => (30 - index) / 30);
const wrong = new Set([20, 22, 23, 25, 26, 27, 29]);
const labels = scores.map((_, index) => (wrong.has(index) ? 0 : 1));
/** The threshold that keeps exactly the top `kept` answers. */
const keepTop = (kept: number) => (30 - (kept - 1)) / 30;

describe('thresholdOutcome', () => {
  it('counts kept answers and their errors, by hand', () => {
    // Keep the top 25: answers 0..24, wrong ones 20, 22, 23 → 3 errors, 5 of 30 delegated.
    expect(thresholdOutcome(scores, labels, keepTop(25))).toEqual({
      threshold: keepTop(25),
      kept: 25,
      errors: 3,
      keptErrorRate: 3 / 25,
      delegationRate: 5 / 30,
    });
    expect(thresholdOutcome(scores, labels, 2).keptErrorRate).toBeNaN();
  });
});

describe('chooseThresholdForErrorRate (Learn then Test, fixed sequence)', () => {
  // α = 0.2. p-values P(Binomial(kept, 0.2) ≤ errors):
  //   keep  5, 0 errors: 0.8^5  = 0.32768
  //   keep 10, 0 errors: 0.8^10 = 0.1073741824
  //   keep 20, 0 errors: 0.8^20 = 0.0115292150
  //   keep 25, 3 errors: 0.8^25 + 25·0.2·0.8^24 + 300·0.04·0.8^23 + 2300·0.008·0.8^22 = 0.2339933...
  //   keep 30, 7 errors: larger still.
  it('returns the most lenient threshold rejected before the first failure, by hand', () => {
    // δ = 0.15: keep 10 (0.107) rejected, keep 20 (0.0115) rejected, keep 25 (0.234) not → stop; keep 20 wins.
    const result = chooseThresholdForErrorRate(scores, labels, {
      thresholds: [keepTop(10), keepTop(20), keepTop(25), keepTop(30)],
      targetErrorRate: 0.2,
      delta: 0.15,
    });
    expect(result).toMatchObject({
      threshold: keepTop(20),
      kept: 20,
      errors: 0,
      keptErrorRate: 0,
      delegationRate: 10 / 30,
      starts: 1,
      method: 'learn-then-test/fixed-sequence/binomial',
    });
    expect(result!.pValue).toBeCloseTo(0.8 ** 20, 14);
  });

  it('checks the hand-computed p-value of 25 kept with 3 errors', () => {
    const expected =
      0.8 ** 25 + 25 * 0.2 * 0.8 ** 24 + 300 * 0.04 * 0.8 ** 23 + 2300 * 0.008 * 0.8 ** 22;
    expect(binomialCdf(3, 25, 0.2)).toBeCloseTo(expected, 14);
    expect(expected).toBeCloseTo(0.2339933, 6);
  });

  it('stops at the strictest threshold when it cannot be rejected, even if later ones could', () => {
    // δ = 0.1: keep 10 gives 0.107 > 0.1 → the sequence stops at once although keep 20 (0.0115) would pass.
    const result = chooseThresholdForErrorRate(scores, labels, {
      thresholds: [keepTop(20), keepTop(10), keepTop(30)],
      targetErrorRate: 0.2,
      delta: 0.1,
    });
    expect(result).toBeNull();
  });

  it('with two starts, each sequence at δ/2, recovers a threshold behind an unrejectable strict one', () => {
    // Candidates strict → lenient: keep 5, 10, 15, 20, 25, 30; starts at positions 0 and 3; level 0.2 / 2 = 0.1.
    // From keep 5: 0.328 > 0.1, stop. From keep 20: 0.0115 ≤ 0.1, then keep 25: 0.234 > 0.1, stop → keep 20.
    const thresholds = [5, 10, 15, 20, 25, 30].map(keepTop);
    const single = chooseThresholdForErrorRate(scores, labels, { thresholds, targetErrorRate: 0.2, delta: 0.2 });
    expect(single).toBeNull();
    const twoStarts = chooseThresholdForErrorRate(scores, labels, {
      thresholds,
      targetErrorRate: 0.2,
      delta: 0.2,
      starts: 2,
    });
    expect(twoStarts).toMatchObject({ threshold: keepTop(20), kept: 20, starts: 2 });
  });

  it('treats a threshold that keeps nothing as not rejected', () => {
    expect(
      chooseThresholdForErrorRate(scores, labels, { thresholds: [2, keepTop(20)], targetErrorRate: 0.2, delta: 0.5 }),
    ).toBeNull();
  });

  it('keeps its promise: the true kept error rate exceeds α in at most about δ of calibration sets', () => {
    // Scores u ~ U(0, 1), P(wrong | u) = (1 − u)/2, so the true kept error rate at t is (1 − t)/4: α = 0.1 is met
    // exactly for t ≥ 0.6. 400 calibration sets of 1,000 answers, thresholds 0.90, 0.89, …, 0.00, δ = 0.1.
    const random = createRandom(99);
    const thresholds = Array.from({ length: 91 }, (_, index) => (90 - index) / 100);
    const n = 1000;
    const trials = 400;
    let violations = 0;
    let chosenSum = 0;
    let chosenCount = 0;
    for (let trial = 0; trial < trials; trial++) {
      const s = new Float64Array(n);
      const y = new Uint8Array(n);
      for (let index = 0; index < n; index++) {
        s[index] = random();
        y[index] = random() < (1 - s[index]!) / 2 ? 0 : 1;
      }
      const result = chooseThresholdForErrorRate(s, y, { thresholds, targetErrorRate: 0.1, delta: 0.1 });
      if (result === null) continue;
      chosenSum += result.threshold;
      chosenCount++;
      if ((1 - result.threshold) / 4 > 0.1 + 1e-12) violations++;
    }
    // Binomial(400, 0.1) exceeds 56 with probability < 0.01.
    expect(violations).toBeLessThanOrEqual(56);
    // And it is not vacuous: it nearly always certifies something, on average a bit stricter than 0.6.
    expect(chosenCount).toBeGreaterThan(trials * 0.95);
    expect(chosenSum / chosenCount).toBeGreaterThan(0.6);
    expect(chosenSum / chosenCount).toBeLessThan(0.75);
  });

  it.each([
    { name: 'α = 0', options: { thresholds: [0.5], targetErrorRate: 0, delta: 0.1 }, field: /targetErrorRate/ },
    { name: 'δ = 1', options: { thresholds: [0.5], targetErrorRate: 0.1, delta: 1 }, field: /delta/ },
    { name: 'no thresholds', options: { thresholds: [], targetErrorRate: 0.1, delta: 0.1 }, field: /thresholds/ },
    { name: 'NaN threshold', options: { thresholds: [Number.NaN], targetErrorRate: 0.1, delta: 0.1 }, field: /thresholds\[0\]/ },
    { name: '0 starts', options: { thresholds: [0.5], targetErrorRate: 0.1, delta: 0.1, starts: 0 }, field: /starts/ },
  ])('rejects $name, naming the option', ({ options, field }) => {
    expect(() => chooseThresholdForErrorRate(scores, labels, options)).toThrow(field);
  });
});

describe('chooseThresholdForDelegationBudget (binomial order-statistic bound)', () => {
  it('by hand: 10 scores, budget 50%, δ = 0.1', () => {
    // P(Binomial(10, ½) ≤ j): j=0 1/1024, j=1 11/1024, j=2 56/1024 ≈ 0.0547, j=3 176/1024 ≈ 0.172.
    // Largest k with P(… ≤ k − 1) ≤ 0.1 is k = 3: threshold = 3rd smallest score = 0.3, delegating 0.1 and 0.2.
    const calibration = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 1.0, 0.4, 0.8, 0.6];
    const result = chooseThresholdForDelegationBudget(calibration, 0.5, 0.1);
    expect(result).toMatchObject({
      threshold: 0.3,
      rank: 3,
      delegated: 2,
      calibrationDelegationRate: 0.2,
      bound: 'binomial-order-statistic',
    });
    expect(result!.exceedProbability).toBeCloseTo(56 / 1024, 14);
  });

  it('returns null when even the lowest score cannot be certified: 0.9³ = 0.729 > δ', () => {
    expect(chooseThresholdForDelegationBudget([0.2, 0.5, 0.9], 0.1, 0.1)).toBeNull();
  });

  it('counts tied scores at the threshold as kept', () => {
    // Ranks: 0.1, 0.3, 0.3, 0.3, … With k = 3 the threshold is 0.3 and only the 0.1 is delegated.
    const result = chooseThresholdForDelegationBudget([0.3, 0.1, 0.3, 0.3, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99], 0.5, 0.1);
    expect(result).toMatchObject({ threshold: 0.3, rank: 3, delegated: 1 });
  });

  it('keeps its promise: the true delegation rate exceeds the budget in at most about δ of calibration sets', () => {
    // Scores U(0, 1), so delegating below t sends a fraction t. Budget 0.3, δ = 0.1, 2,000 sets of 200.
    const random = createRandom(8);
    let exceeded = 0;
    let rateSum = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const calibration = Array.from({ length: 200 }, () => random());
      const result = chooseThresholdForDelegationBudget(calibration, 0.3, 0.1)!;
      rateSum += result.threshold;
      if (result.threshold > 0.3) exceeded++;
    }
    // Exact bound: P(exceed) = P(Binomial(200, 0.3) ≤ k − 1) ≤ 0.1 (close to 0.1); allow Monte Carlo noise.
    expect(exceeded / 2000).toBeLessThanOrEqual(0.115);
    expect(exceeded / 2000).toBeGreaterThan(0.05);
    expect(rateSum / 2000).toBeGreaterThan(0.24);
  });

  it('rejects a budget outside [0, 1] and a non-finite score', () => {
    expect(() => chooseThresholdForDelegationBudget([0.5], 1.5, 0.1)).toThrow(/maxDelegationRate/);
    expect(() => chooseThresholdForDelegationBudget([Number.NaN], 0.5, 0.1)).toThrow(/scores\[0\]/);
  });
});

/** Fixed-sequence testing as written from its definition: every p-value computed, every start walked. */
function eagerCertified(pValues: ArrayLike<number>, options: { delta: number; starts: number }): Uint8Array {
  const level = options.delta / options.starts;
  const certified = new Uint8Array(pValues.length);
  for (let start = 0; start < options.starts; start++) {
    for (let index = Math.floor((start * pValues.length) / options.starts); index < pValues.length && pValues[index]! <= level; index++) certified[index] = 1;
  }
  return certified;
}

describe('fixed-sequence testing asks only the p-values its sequences reach', () => {
  const random = createRandom(7);
  // p-values that pass in runs and fail here and there (0.02 ≤ δ/starts for every case below; 0.5 fails)
  const cases = Array.from({ length: 300 }, () => {
    const count = Math.floor(random() * 40);
    const pValues = Float64Array.from({ length: count }, () => (random() < 0.75 ? 0.002 * random() : 0.5));
    return { pValues, delta: 0.1, starts: 1 + Math.floor(random() * 12) };
  });

  it('certifies what the definition certifies, and chooses its most lenient candidate with that p-value', () => {
    for (const { pValues, delta, starts } of cases) {
      const expected = eagerCertified(pValues, { delta, starts });
      const asked: number[] = [];
      const tested = fixedSequenceTest(pValues.length, (index) => (asked.push(index), pValues[index]!), { delta, starts });
      expect(tested.certified).toEqual(expected);
      expect(fixedSequenceCertified(pValues, { delta, starts })).toEqual(expected);
      // each p-value asked at most once; every certified one is there
      expect(new Set(asked).size).toBe(asked.length);
      expected.forEach((certified, index) => certified === 1 && expect(tested.pValues[index]).toBe(pValues[index]));
      const last = expected.lastIndexOf(1);
      expect(lastFixedSequenceCertified(pValues.length, (index) => pValues[index]!, { delta, starts })).toEqual(last < 0 ? null : { index: last, pValue: pValues[last] });
    }
  });

  it('asks fewer p-values than there are candidates where a sequence stops early', () => {
    const pValues = Float64Array.from({ length: 100 }, (_, index) => (index % 10 === 3 ? 0.5 : 0.001));
    let asked = 0;
    fixedSequenceTest(100, (index) => (asked++, pValues[index]!), { delta: 0.1, starts: 10 });
    expect(asked).toBe(40);
  });
});

describe('keptLossPValue remembers its tails but gives the direct p-values', () => {
  it.each([0.1, 0.2])('binomial and Hoeffding–Bentkus, kept 1..80 with every loss sum, twice (α = %s)', (alpha) => {
    const binomial = keptLossPValue('binomial', alpha);
    const graded = keptLossPValue('hoeffding-bentkus', alpha);
    for (let pass = 0; pass < 2; pass++) {
      for (let kept = 1; kept <= 80; kept++) {
        for (let errors = 0; errors <= kept; errors++) {
          expect(binomial(kept, errors)).toBe(binomialCdf(errors, kept, alpha));
          const lossSum = errors * 0.7;
          expect(graded(kept, lossSum)).toBe(hoeffdingBentkusPValue(Math.min(1, lossSum / kept), kept, alpha));
        }
      }
    }
  });

  it('fixedSequenceChoice with them picks as with the direct p-values', () => {
    const keptCounts = Uint32Array.from({ length: 50 }, (_, index) => 5 * index);
    const lossSums = Float64Array.from(keptCounts, (kept, index) => Math.round(kept * (0.02 + 0.004 * index)));
    const direct = (kept: number, lossSum: number) => binomialCdf(Math.round(lossSum), kept, 0.2);
    const options = { delta: 0.1, starts: 10 };
    expect(fixedSequenceChoice(keptCounts, lossSums, options, keptLossPValue('binomial', 0.2))).toEqual(fixedSequenceChoice(keptCounts, lossSums, options, direct));
    expect(fixedSequenceChoice(keptCounts, lossSums, options, direct)).not.toBeNull();
  });
});
