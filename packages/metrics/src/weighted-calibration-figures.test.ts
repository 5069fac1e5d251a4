import { createRandom } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { auroc, brierScore, expectedCalibrationError } from './calibration.js';
import { bootstrapCountStream } from './paired-bootstrap.js';
import { WeightedCalibrationFigures } from './weighted-calibration-figures.js';

/** The drawn sample written out: problem i `counts[i]` times. */
function writtenOut(scores: ArrayLike<number>, labels: Uint8Array, counts: ArrayLike<number>) {
  const [drawnScores, drawnLabels]: [number[], number[]] = [[], []];
  for (let index = 0; index < counts.length; index++) {
    for (let copy = 0; copy < counts[index]!; copy++) {
      drawnScores.push(scores[index]!);
      drawnLabels.push(labels[index]!);
    }
  }
  return { scores: Float64Array.from(drawnScores), labels: Uint8Array.from(drawnLabels) };
}

describe('WeightedCalibrationFigures', () => {
  // scores on a coarse grid (many ties, bin edges hit exactly) and labels drawn from them
  const random = createRandom(9);
  const n = 300;
  const scores = Float64Array.from({ length: n }, () => Math.round(random() * 20) / 20);
  const labels = Uint8Array.from(scores, (score) => (random() < score ? 1 : 0));

  it.each([7, 15])('gives, on each resample, the figures of the drawn problems written out (%i bins)', (bins) => {
    const figures = new WeightedCalibrationFigures(scores, labels, { bins, probability: true });
    for (const counts of bootstrapCountStream(n, 25, 4)) {
      const drawn = writtenOut(scores, labels, counts);
      const got = figures.figures(counts);
      expect(got.eceEqualWidth).toBeCloseTo(expectedCalibrationError(drawn.scores, drawn.labels, { bins, binning: 'equal-width' }).ece, 12);
      expect(got.eceEqualMass).toBeCloseTo(expectedCalibrationError(drawn.scores, drawn.labels, { bins, binning: 'equal-mass' }).ece, 12);
      expect(got.brier).toBeCloseTo(brierScore(drawn.scores, drawn.labels), 12);
      expect(got.auroc).toBeCloseTo(auroc(drawn.scores, drawn.labels), 12);
    }
  });

  it('leaves ECE and Brier out for a score that is no probability, and AUROC undefined with one class', () => {
    const lengths = Float64Array.from(scores, (score) => -1000 * score);
    const figures = new WeightedCalibrationFigures(lengths, labels, { bins: 15, probability: false });
    const result = figures.figures(new Uint32Array(n).fill(1));
    expect(result.eceEqualWidth).toBeNaN();
    expect(result.brier).toBeNaN();
    expect(result.auroc).toBeCloseTo(auroc(lengths, labels), 12);
    const oneClass = new WeightedCalibrationFigures(Float64Array.of(0.2, 0.7), Uint8Array.of(1, 1), { bins: 2, probability: true });
    expect(oneClass.figures([1, 1]).auroc).toBeNaN();
  });
});
