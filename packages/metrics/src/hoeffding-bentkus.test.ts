import { describe, expect, it } from 'vitest';
import { hoeffdingBentkusPValue, memoizedHoeffdingBentkusPValue } from './hoeffding-bentkus.js';
import { chooseThresholdForErrorRate, chooseThresholdForMeanLoss } from './risk-control.js';

describe('the Hoeffding–Bentkus p-value', () => {
  it('is Hoeffding’s tail where that is smaller: no loss on 10 answers at α = 0.1 gives 0.9^10', () => {
    // Hoeffding: exp(−10·KL(0 ‖ 0.1)) = 0.9^10 = 0.34868; Bentkus: e·P(Bin(10, 0.1) ≤ 0) = e·0.9^10 = 0.9478
    expect(hoeffdingBentkusPValue(0, 10, 0.1)).toBeCloseTo(0.3486784401, 9);
  });

  it('is Bentkus’s where that is smaller: mean loss 0.05 on 100 answers at α = 0.1', () => {
    // Hoeffding: exp(−100·KL(0.05 ‖ 0.1)) = 0.18812; Bentkus: e·P(Bin(100, 0.1) ≤ 5) = 0.15651
    expect(hoeffdingBentkusPValue(0.05, 100, 0.1)).toBeCloseTo(0.1565102043, 8);
  });

  it('is 1 where the mean loss is above α, and with no answers', () => {
    expect(hoeffdingBentkusPValue(0.5, 20, 0.1)).toBe(1);
    expect(hoeffdingBentkusPValue(0, 0, 0.1)).toBe(1);
  });

  it('refuses a loss or α outside its range, naming the field', () => {
    expect(() => hoeffdingBentkusPValue(1.2, 10, 0.1)).toThrow(/meanLoss/);
    expect(() => hoeffdingBentkusPValue(0.1, 10, 1)).toThrow(/alpha/);
    expect(() => memoizedHoeffdingBentkusPValue(0.1)(1.2, 10)).toThrow(/meanLoss/);
    expect(() => memoizedHoeffdingBentkusPValue(1)(0.1, 10)).toThrow(/alpha/);
  });

  it.each([0.1, 0.2, 0.45])('memoized, gives the direct p-value’s bits for every (mean loss, n), asked once and again (α = %s)', (alpha) => {
    const pValue = memoizedHoeffdingBentkusPValue(alpha);
    for (let pass = 0; pass < 2; pass++) {
      for (const n of [0, 1, 2, 5, 17, 40, 250]) {
        // exact k/n means (the ceiling's tolerance) and means between them
        for (let step = 0; step <= 3 * n; step++) {
          const meanLoss = Math.min(1, step / (3 * n || 1));
          expect(pValue(meanLoss, n)).toBe(hoeffdingBentkusPValue(meanLoss, n, alpha));
        }
      }
    }
  });
});

describe('Learn then Test on a graded loss', () => {
  // 40 answers scored 40..1; the 30 best lose 0.05 each (score 0.95), the 10 worst 0.6 (score 0.4)
  const scores = Float64Array.from({ length: 40 }, (_, index) => 40 - index);
  const losses = Float64Array.from({ length: 40 }, (_, index) => (index < 30 ? 0.05 : 0.6));

  it('certifies the most lenient threshold before the first p-value above δ (Hoeffding–Bentkus p-values)', () => {
    // keep 20: p = 0.1528; keep 30: p = 0.0597; keep 35: mean loss 4.5/35, p = 0.5378 > δ = 0.2: the sequence stops
    const chosen = chooseThresholdForMeanLoss(scores, losses, { thresholds: [21, 11, 6], targetMeanLoss: 0.2, delta: 0.2 })!;
    expect(chosen.threshold).toBe(11);
    expect(chosen.kept).toBe(30);
    expect(chosen.lossSum).toBeCloseTo(1.5, 12);
    expect(chosen.keptMeanLoss).toBeCloseTo(0.05, 12);
    expect(chosen.pValue).toBeCloseTo(0.0597079095, 8);
    expect(chosen.delegationRate).toBe(0.25);
    expect(chosen.method).toBe('learn-then-test/fixed-sequence/hoeffding-bentkus');
  });

  it('certifies nothing where the strictest threshold already fails', () => {
    expect(chooseThresholdForMeanLoss(scores, losses, { thresholds: [21, 11, 6], targetMeanLoss: 0.2, delta: 0.1 })).toBeNull();
  });

  it('refuses a loss outside [0, 1], naming its index', () => {
    expect(() => chooseThresholdForMeanLoss([1, 2], [0, 1.5], { thresholds: [1], targetMeanLoss: 0.2, delta: 0.1 })).toThrow(/losses\[1\]/);
  });

  it('binary errors keep the exact binomial test (the shared search gives the same choice as before)', () => {
    const labels = Uint8Array.from({ length: 40 }, (_, index) => (index < 30 ? 1 : 0));
    const chosen = chooseThresholdForErrorRate(scores, labels, { thresholds: [21, 11, 6], targetErrorRate: 0.2, delta: 0.2 })!;
    // keep 20: P(Bin(20, 0.2) ≤ 0) = 0.0115; keep 30: 0.8^30 = 0.00124; keep 35: P(Bin(35, 0.2) ≤ 5) = 0.2721 > 0.2
    expect(chosen.threshold).toBe(11);
    expect(chosen.errors).toBe(0);
    expect(chosen.pValue).toBeCloseTo(0.8 ** 30, 12);
  });
});

