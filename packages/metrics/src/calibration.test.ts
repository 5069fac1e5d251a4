import { describe, expect, it } from 'vitest';
import {
  aurc,
  auroc,
  brierScore,
  excessAurc,
  expectedCalibrationError,
  optimalAurc,
  riskCoverageCurve,
} from './calibration.js';
import { createRandom } from './seeded-random.js';
import { referenceValues } from './testing/reference-values.js';

// Hand-made table of 10 answers (score = P(correct), label 1 = correct):
//   score: 0.05 0.15 0.30 0.35 0.60 0.65 0.70 0.95 1.00 0.20
//   label:  0    0    1    0    1    0    1    1    1    0
const scores = [0.05, 0.15, 0.3, 0.35, 0.6, 0.65, 0.7, 0.95, 1.0, 0.2];
const labels = [0, 0, 1, 0, 1, 0, 1, 1, 1, 0];

describe('expectedCalibrationError', () => {
  it('equal-width, 5 bins, by hand', () => {
    // [0, .2): .05 .15 → n 2, mean .1, acc 0 → .2·.1 = .02
    // [.2, .4): .30 .35 .20 → n 3, mean .85/3, acc 1/3 → .3·|1/3 − .28333| = .3·.05 = .015
    // [.4, .6): empty (0.6 opens the next bin)
    // [.6, .8): .60 .65 .70 → n 3, mean .65, acc 2/3 → .3·.016667 = .005
    // [.8, 1]: .95 1.0 → n 2, mean .975, acc 1 → .2·.025 = .005          ECE = .045
    const result = expectedCalibrationError(scores, labels, { bins: 5, binning: 'equal-width' });
    expect(result.ece).toBeCloseTo(0.045, 12);
    expect(result.binCount).toBe(5);
    expect(result.bins.map((bin) => [bin.lower, bin.upper, bin.count])).toEqual([
      [0, 0.2, 2],
      [0.2, 0.4, 3],
      [0.6, 0.8, 3],
      [0.8, 1, 2],
    ]);
    expect(result.bins[1]!.meanScore).toBeCloseTo(0.85 / 3, 12);
    expect(result.bins[1]!.accuracy).toBeCloseTo(1 / 3, 12);
  });

  it('equal-mass, 2 bins, by hand', () => {
    // Sorted: .05 .15 .20 .30 .35 | .60 .65 .70 .95 1.0 (edge = score of rank ⌊10/2⌋ = 5 → .60)
    // bin 1: mean 1.05/5 = .21, acc 1/5 → .5·.01 = .005; bin 2: mean 3.9/5 = .78, acc 4/5 → .5·.02 = .01. ECE .015
    const result = expectedCalibrationError(scores, labels, { bins: 2, binning: 'equal-mass' });
    expect(result.ece).toBeCloseTo(0.015, 12);
    expect(result.bins.map((bin) => [bin.lower, bin.upper, bin.count])).toEqual([
      [0.05, 0.6, 5],
      [0.6, 1, 5],
    ]);
  });

  it('equal-mass keeps tied scores in one bin, by hand', () => {
    // Scores .5 .5 .5 .5 .9 .9, labels 1 0 0 1 1 1, 3 bins: edges at ranks 0, 2, 4 → .5, .5, .9.
    // Bin 1 [.5, .5) is empty; bin 2 holds the four .5s (acc .5, mean .5 → 0); bin 3 the two .9s (acc 1 → .1).
    // ECE = 2/6 · .1 = 1/30.
    const result = expectedCalibrationError([0.5, 0.5, 0.5, 0.5, 0.9, 0.9], [1, 0, 0, 1, 1, 1], {
      bins: 3,
      binning: 'equal-mass',
    });
    expect(result.ece).toBeCloseTo(1 / 30, 12);
    expect(result.bins.map((bin) => bin.count)).toEqual([4, 2]);
  });

  it('puts a score on an edge into the upper bin and 1 into the last bin, whatever the rounding', () => {
    const edges = [0.1, 0.2, 0.3, 0.6, 0.7, 0.9, 1];
    const result = expectedCalibrationError(edges, edges.map(() => 1), { bins: 10 });
    expect(result.bins.map((bin) => bin.lower)).toEqual([0.1, 0.2, 0.3, 0.6, 0.7, 0.9]);
    expect(result.bins.at(-1)!.count).toBe(2);
  });

  it('is 0 for a perfectly calibrated table and accepts booleans as labels', () => {
    // Four answers at .25 with 1 correct, four at .75 with 3 correct: each bin's accuracy equals its mean score.
    const result = expectedCalibrationError(
      [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75],
      [true, false, false, false, true, true, true, false],
    );
    expect(result.ece).toBe(0);
  });

  // Reference: scikit-learn calibration_curve (uniform) weighted by np.histogram counts; equal-mass by numpy with
  // the same edge rule (see fixtures/make-reference-fixtures.py).
  it('matches the reference on 300 random answers', () => {
    const table = referenceValues.calibration.continuous;
    expect(expectedCalibrationError(table.scores, table.labels, { bins: 10 }).ece).toBeCloseTo(table.eceEqualWidth10!, 12);
    expect(expectedCalibrationError(table.scores, table.labels, { bins: 15 }).ece).toBeCloseTo(table.eceEqualWidth15!, 12);
    for (const name of ['continuous', 'tied'] as const) {
      const { scores: s, labels: y, eceEqualMass10, eceEqualMass7 } = referenceValues.calibration[name];
      expect(expectedCalibrationError(s, y, { bins: 10, binning: 'equal-mass' }).ece).toBeCloseTo(eceEqualMass10, 12);
      expect(expectedCalibrationError(s, y, { bins: 7, binning: 'equal-mass' }).ece).toBeCloseTo(eceEqualMass7, 12);
    }
  });

  it.each([
    { name: 'score above 1', input: [[1.2], [1]], field: /scores\[0\]/ },
    { name: 'label 2', input: [[0.5], [2]], field: /labels\[0\]/ },
    { name: 'lengths differ', input: [[0.5, 0.2], [1]], field: /labels.*2/ },
  ])('rejects $name, naming the entry', ({ input, field }) => {
    expect(() => expectedCalibrationError(input[0]!, input[1]!)).toThrow(field);
  });

  it('rejects a bad bin count', () => {
    expect(() => expectedCalibrationError(scores, labels, { bins: 0 })).toThrow(/bins/);
  });
});

describe('brierScore', () => {
  it('by hand: Σ (score − label)² / n = 1.3525 / 10', () => {
    // .0025 + .0225 + .49 + .1225 + .16 + .4225 + .09 + .0025 + 0 + .04 = 1.3525
    expect(brierScore(scores, labels)).toBeCloseTo(0.13525, 14);
  });

  it.each(['continuous', 'tied'] as const)('matches scikit-learn brier_score_loss (%s)', (name) => {
    const table = referenceValues.calibration[name];
    expect(brierScore(table.scores, table.labels)).toBeCloseTo(table.brier, 14);
  });
});

describe('auroc', () => {
  it('by hand: 22 of 25 correct–wrong pairs ordered right', () => {
    // Correct: .30 .60 .70 .95 1.0; wrong: .05 .15 .35 .65 .20.
    // .30 beats 3, .60 beats 4, .70, .95 and 1.0 beat all 5 → 22 / 25.
    expect(auroc(scores, labels)).toBeCloseTo(0.88, 14);
  });

  it('counts a tie as half, by hand', () => {
    // Correct .5 .8, wrong .5 .2: (.5 vs .5) ½ + (.5 vs .2) 1 + (.8 vs .5) 1 + (.8 vs .2) 1 = 3.5 / 4.
    expect(auroc([0.5, 0.5, 0.8, 0.2], [1, 0, 1, 0])).toBe(0.875);
  });

  it.each(['continuous', 'tied'] as const)('matches scikit-learn roc_auc_score (%s)', (name) => {
    const table = referenceValues.calibration[name];
    expect(auroc(table.scores, table.labels)).toBeCloseTo(table.auroc, 13);
  });

  it('is NaN when only one class is present, and accepts any real scores', () => {
    expect(auroc([0.2, 0.4], [1, 1])).toBeNaN();
    expect(auroc([-3, 7], [0, 1])).toBe(1);
  });
});

describe('aurc and excessAurc', () => {
  it('by hand, no ties', () => {
    // Kept in score order: .9 right, .8 wrong, .7 right, .6 wrong → risks 0, 1/2, 1/3, 2/4; AURC = 1.3333/4.
    // Perfect ranking of 2 right and 2 wrong: 0, 0, 1/3, 2/4 → 0.8333/4. Excess = 0.5/4 = 0.125.
    const s = [0.6, 0.9, 0.7, 0.8];
    const y = [0, 1, 1, 0];
    expect(aurc(s, y)).toBeCloseTo(4 / 12, 14);
    expect(optimalAurc(4, 2)).toBeCloseTo(10 / 48, 14);
    expect(excessAurc(s, y)).toBeCloseTo(0.125, 14);
    const curve = riskCoverageCurve(s, y);
    expect(Array.from(curve.coverage)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(Array.from(curve.risk)).toEqual([0, 0.5, 1 / 3, 0.5]);
  });

  it('by hand, with a tie: the average over both orders of the tied pair', () => {
    // .9 right, then .7 right and .7 wrong tied, then .2 wrong.
    // Order (right, wrong): 0, 0, 1/3, 1/2; order (wrong, right): 0, 1/2, 1/3, 1/2. Mean risks 0, 1/4, 1/3, 1/2.
    expect(aurc([0.9, 0.7, 0.7, 0.2], [1, 1, 0, 0])).toBeCloseTo((0.25 + 1 / 3 + 0.5) / 4, 14);
    expect(aurc([0.9, 0.7, 0.7, 0.2], [1, 0, 1, 0])).toBeCloseTo((0.25 + 1 / 3 + 0.5) / 4, 14);
  });

  it('equals the mean AURC over every ordering of tied answers (brute force)', () => {
    const random = createRandom(5);
    for (let trial = 0; trial < 20; trial++) {
      const s = Array.from({ length: 6 }, () => Math.floor(random() * 3) / 2);
      const y = Array.from({ length: 6 }, () => (random() < 0.6 ? 1 : 0));
      let total = 0;
      let orderings = 0;
      for (const permutation of permutations([0, 1, 2, 3, 4, 5])) {
        if (!permutation.every((item, position) => position === 0 || s[permutation[position - 1]!]! >= s[item]!)) {
          continue;
        }
        let errors = 0;
        let sum = 0;
        permutation.forEach((item, position) => {
          errors += 1 - y[item]!;
          sum += errors / (position + 1);
        });
        total += sum / 6;
        orderings++;
      }
      expect(aurc(s, y)).toBeCloseTo(total / orderings, 13);
    }
  });

  it.each(['continuous', 'tied'] as const)('matches the numpy reference (%s)', (name) => {
    const table = referenceValues.calibration[name];
    expect(aurc(table.scores, table.labels)).toBeCloseTo(table.aurc, 13);
    expect(excessAurc(table.scores, table.labels)).toBeCloseTo(table.excessAurc, 13);
  });

  it('is 0 excess for a perfect ranking and positive for a reversed one', () => {
    expect(excessAurc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0])).toBeCloseTo(0, 14);
    expect(excessAurc([0.1, 0.3, 0.8, 0.9], [1, 1, 0, 0])).toBeGreaterThan(0.3);
  });
});

function* permutations(items: number[]): Generator<number[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let index = 0; index < items.length; index++) {
    const rest = [...items.slice(0, index), ...items.slice(index + 1)];
    for (const tail of permutations(rest)) yield [items[index]!, ...tail];
  }
}
