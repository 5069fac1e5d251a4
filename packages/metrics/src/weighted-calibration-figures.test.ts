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

/**
 * The figures of one resample computed straightforwardly from the counts (problem order for Brier and the equal-width
 * bins; in score order the equal-mass edges first, then the bins, then AUROC's tie groups): the sums the class must
 * reproduce bit for bit, accumulated in the same order.
 */
function directFigures(scores: Float64Array, labels: Uint8Array, counts: ArrayLike<number>, bins: number) {
  const n = scores.length;
  const order = Uint32Array.from({ length: n }, (_, index) => index).sort((left, right) => scores[left]! - scores[right]! || left - right);
  const ece = (weights: Float64Array, scoreSums: Float64Array, correctSums: Float64Array, total: number) => {
    let sum = 0;
    for (let bin = 0; bin < bins; bin++) if (weights[bin]! !== 0) sum += (weights[bin]! / total) * Math.abs(correctSums[bin]! / weights[bin]! - scoreSums[bin]! / weights[bin]!);
    return sum;
  };
  let total = 0;
  let squareSum = 0;
  const width = [new Float64Array(bins), new Float64Array(bins), new Float64Array(bins)] as const;
  for (let index = 0; index < n; index++) {
    const weight = counts[index]!;
    const difference = scores[index]! - labels[index]!;
    squareSum += weight * difference * difference;
    total += weight;
    if (weight === 0) continue;
    let bin = Math.min(Math.floor(scores[index]! * bins), bins - 1);
    if (scores[index]! < bin / bins) bin--;
    else if (bin < bins - 1 && scores[index]! >= (bin + 1) / bins) bin++;
    width[0][bin] += weight;
    width[1][bin] += weight * scores[index]!;
    width[2][bin] += weight * labels[index]!;
  }
  const edges = new Float64Array(bins);
  for (let position = 0, seen = 0, bin = 0; position < n; position++) {
    seen += counts[order[position]!]!;
    while (bin < bins && Math.floor((bin * total) / bins) < seen) edges[bin++] = scores[order[position]!]!;
  }
  const mass = [new Float64Array(bins), new Float64Array(bins), new Float64Array(bins)] as const;
  for (let position = 0, bin = 0; position < n; position++) {
    const index = order[position]!;
    if (counts[index]! === 0) continue;
    while (bin + 1 < bins && scores[index]! >= edges[bin + 1]!) bin++;
    mass[0][bin] += counts[index]!;
    mass[1][bin] += counts[index]! * scores[index]!;
    mass[2][bin] += counts[index]! * labels[index]!;
  }
  let [positives, drawn, positiveRankSum] = [0, 0, 0];
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!]! === scores[order[start]!]!) end++;
    let [groupCount, groupPositives] = [0, 0];
    for (let position = start; position < end; position++) {
      groupCount += counts[order[position]!]!;
      groupPositives += counts[order[position]!]! * labels[order[position]!]!;
    }
    positiveRankSum += groupPositives * ((drawn + 1 + drawn + groupCount) / 2);
    positives += groupPositives;
    drawn += groupCount;
    start = end;
  }
  return {
    eceEqualWidth: ece(...width, total),
    eceEqualMass: ece(...mass, total),
    brier: squareSum / total,
    auroc: (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * (drawn - positives)),
  };
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

  it('gives every figure bit for bit as the straightforward computation from the counts (ties, and no ties)', () => {
    const continuous = Float64Array.from({ length: n }, () => random());
    for (const values of [scores, continuous]) {
      for (const bins of [1, 7, 15]) {
        const figures = new WeightedCalibrationFigures(values, labels, { bins, probability: true });
        for (const counts of bootstrapCountStream(n, 25, 6)) expect(figures.figures(counts)).toEqual(directFigures(values, labels, counts, bins));
      }
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
