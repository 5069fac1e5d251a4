import { describe, expect, it } from 'vitest';
import type { OutcomeTable } from './outcome-table.js';
import { createRandom } from '@confide/core';
import { resampledCurves, SweepResampler, ThresholdSweep } from './threshold-sweep.js';

// Four problems. score: 0.9 0.2 0.5 0.2; small right: T F T F; large right: T T F F; costs in 1e-8 $: small 100 each, large 1000 each.
const table: OutcomeTable = {
  problemIds: ['a', 'b', 'c', 'd'],
  smallCorrect: Uint8Array.from([1, 0, 1, 0]),
  largeCorrect: Uint8Array.from([1, 1, 0, 0]),
  smallScore: Float64Array.from([1, 0, 1, 0]),
  largeScore: Float64Array.from([1, 1, 0, 0]),
  smallCost: Float64Array.from([100, 100, 100, 100]),
  largeCost: Float64Array.from([1000, 1000, 1000, 1000]),
};
const scores = Float64Array.from([0.9, 0.2, 0.5, 0.2]);

describe('ThresholdSweep', () => {
  it('evaluates every distinct threshold (delegate scores below it), by hand', () => {
    const points = new ThresholdSweep(table, scores, { direction: 'keep-high', thresholds: 'distinct' }).points();
    // t=0.2: nothing delegated -> small right on a,c = 2/4; cost 400
    // t=0.5: b,d delegated -> a(s) b(l) c(s) d(l) = 3/4; cost 400 + 2000
    // t=0.9: b,d,c delegated -> a(s) b(l) c(l=F) d(l=F) = 2/4; cost 400 + 3000
    // t=1.9: all delegated -> large right a,b = 2/4; cost 400 + 4000
    expect(points.map((p) => [p.parameter, p.accuracy, p.costUsd * 1e8, p.delegationRate])).toEqual([
      [0.2, 0.5, 400, 0],
      [0.5, 0.75, 2400, 0.5],
      [0.9, 0.5, 3400, 0.75],
      [1.9, 0.5, 4400, 1],
    ]);
  });

  it('delegates high scores with keep-low (e.g. long answers)', () => {
    const points = new ThresholdSweep(table, scores, { direction: 'keep-low', thresholds: [0.5] }).points();
    // delegate scores > 0.5: only a -> a(l=T) b(s=F) c(s=T) d(s=F) = 2/4
    expect(points[0]).toMatchObject({ accuracy: 0.5, delegationRate: 0.25, llmCalls: 1 });
  });

  it('weights problems by their bootstrap multiplicity', () => {
    const sweep = new ThresholdSweep(table, scores, { direction: 'keep-high', thresholds: [0.5] });
    // draw a twice, b twice: at t=0.5 b delegated -> a(s=T)x2 + b(l=T)x2 = 4/4
    expect(sweep.pointsWithWeights([2, 2, 0, 0])[0]).toMatchObject({ accuracy: 1, delegationRate: 0.5, llmCalls: 2 });
  });

  it('averages graded scores, not verdicts: partial credit moves the curve', () => {
    // the same problems with scores: small 0.9 0.3 0.6 0.1 (verdicts at 0.5: T F T F, as above); large 1 0.8 0.4 0
    const graded: OutcomeTable = { ...table, smallScore: Float64Array.from([0.9, 0.3, 0.6, 0.1]), largeScore: Float64Array.from([1, 0.8, 0.4, 0]) };
    const points = new ThresholdSweep(graded, scores, { direction: 'keep-high', thresholds: [0.2, 0.5] }).points();
    // t=0.2: all small: (0.9 + 0.3 + 0.6 + 0.1) / 4 = 0.475; t=0.5: b, d delegated: (0.9 + 0.8 + 0.6 + 0) / 4 = 0.575
    expect(points[0]!.accuracy).toBeCloseTo(0.475, 12);
    expect(points[1]!.accuracy).toBeCloseTo(0.575, 12);
  });

  it('evaluates only the thresholds of a grid when asked, the same points as the full curve', () => {
    const sweep = new ThresholdSweep(table, scores, { direction: 'keep-high', thresholds: 'distinct' });
    const all = sweep.points();
    expect(sweep.pointsWithWeights(null, [0, 2])).toEqual([all[0], all[2]]);
    expect(sweep.pointsWithWeights([2, 2, 0, 0], [1])).toEqual([sweep.pointsWithWeights([2, 2, 0, 0])[1]]);
  });

  it('resamples several sweeps of one table in one pass: each the points it gives alone, and the same as the whole table when every weight is 1', () => {
    const byScore = new ThresholdSweep(table, scores, { direction: 'keep-high', thresholds: 'distinct' });
    const byLength = new ThresholdSweep(table, Float64Array.from([30, 10, 20, 40]), { direction: 'keep-low', thresholds: 'distinct' });
    const weights = [3, 0, 1, 0];
    const [first, second] = resampledCurves(
      [
        { sweep: byScore, at: null },
        { sweep: byLength, at: [0, 2] },
      ],
      weights,
    );
    expect(first).toEqual(byScore.pointsWithWeights(weights));
    expect(second).toEqual(byLength.pointsWithWeights(weights, [0, 2]));
    // by hand: weights 3, 0, 1, 0 on a, b, c, d; keep-low on lengths 30 10 20 40: the first threshold (40) delegates
    // nothing: the small model is right on a and c → 4 of 4, 4 small calls
    expect(second![0]).toMatchObject({ parameter: 40, accuracy: 1, delegationRate: 0, costUsd: (4 * 100) / 1e8 });
    expect(resampledCurves([{ sweep: byScore, at: null }], [1, 1, 1, 1])[0]).toEqual(byScore.points());
    const other = new ThresholdSweep({ ...table }, scores, { direction: 'keep-high', thresholds: 'distinct' });
    expect(() => resampledCurves([{ sweep: byScore, at: null }, { sweep: other, at: null }], weights)).toThrow(/one outcome table/);
  });

  it('resamples again and again in the same arrays and points, each resample the points of the first one-pass scatter, bit for bit', () => {
    // the first one-pass resampling, kept as the reference: each problem's weighted outcomes added into its segment of
    // each sweep in table order, then the segments summed in order
    const referenceCurves = (requests: ReadonlyArray<{ sweep: ThresholdSweep; at: ArrayLike<number> | null }>, weights: ArrayLike<number>) => {
      const table = requests[0]!.sweep.table;
      const sums = requests.map(({ sweep, at }) => new Float64Array((sweep.neededCounts(at).needed.length + 1) * 4));
      let smallCost = 0;
      for (let index = 0; index < table.problemIds.length; index++) {
        const weight = weights[index]!;
        const values = [weight, weight * table.largeScore[index]!, weight * table.smallScore[index]!, weight * table.largeCost[index]!];
        smallCost += weight * table.smallCost[index]!;
        requests.forEach(({ sweep, at }, request) => values.forEach((value, field) => (sums[request]![sweep.segments(at).segmentOf[index]! * 4 + field] += value)));
      }
      return requests.map(({ sweep, at }, request) => {
        const needed = sweep.neededCounts(at).needed;
        const prefixes = new Float64Array(needed.length * 4);
        const running = [0, 0, 0, 0];
        for (let segment = 0; segment <= needed.length; segment++) {
          for (let field = 0; field < 4; field++) running[field] += sums[request]![segment * 4 + field]!;
          if (segment < needed.length) prefixes.set(running, segment * 4);
        }
        return sweep.pointsOfPrefixes(at, prefixes, { weight: running[0]!, smallScore: running[2]!, smallCost });
      });
    };
    // graded scores of many magnitudes and uneven costs, so that every sum's rounding depends on its order, over 40
    // problems with tied scores
    const random = createRandom(3);
    const n = 40;
    const graded: OutcomeTable = {
      problemIds: Array.from({ length: n }, (_, index) => `p${index}`),
      smallCorrect: new Uint8Array(n),
      largeCorrect: new Uint8Array(n),
      smallScore: Float64Array.from({ length: n }, () => random() * 10 ** -Math.floor(random() * 12)),
      largeScore: Float64Array.from({ length: n }, () => random() * 10 ** -Math.floor(random() * 12)),
      smallCost: Float64Array.from({ length: n }, () => Math.round(random() * 1000)),
      largeCost: Float64Array.from({ length: n }, () => Math.round(random() * 10000)),
    };
    const byScore = new ThresholdSweep(graded, Float64Array.from({ length: n }, () => Math.round(random() * 10) / 10), { direction: 'keep-high', thresholds: 'distinct' });
    const byLength = new ThresholdSweep(graded, Float64Array.from({ length: n }, () => Math.round(random() * 500)), { direction: 'keep-low', thresholds: 'distinct' });
    const requests = [
      { sweep: byScore, at: null },
      { sweep: byLength, at: [0, 3, 5, byLength.thresholds.length - 1] },
    ];
    const resampler = new SweepResampler(requests);
    let first: unknown;
    for (let resample = 0; resample < 20; resample++) {
      const weights = Uint32Array.from({ length: n }, () => Math.floor(random() * 3));
      const curves = resampler.curves(weights);
      expect(curves).toStrictEqual(referenceCurves(requests, weights));
      expect(curves).toStrictEqual(resampledCurves(requests, weights));
      expect(curves[1]).toStrictEqual(byLength.pointsWithWeights(weights, requests[1]!.at));
      // the same point objects every time
      first ??= curves[0]![0];
      expect(curves[0]![0]).toBe(first);
    }
  });
});
