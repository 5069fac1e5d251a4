import { describe, expect, it } from 'vitest';
import {
  aiq,
  apgr,
  cpt,
  nonDecreasingConvexHull,
  performanceGapRecovered,
  type CostAccuracyCurvePoint,
} from './cost-accuracy-curve.js';
import { createRandom } from './seeded-random.js';

// Hand-made table (cost, accuracy):
//   A (1, 0.50)  B (2, 0.70)  E (2.5, 0.60)  C (3, 0.75)  D (4, 0.90)  F (5, 0.85)
// E is dominated by B (dearer, worse) and F by D. Of A, B, C, D: slopes A→B 0.2, B→C 0.05, C→D 0.15; C lies under
// the chord B→D (0.80 at cost 3 > 0.75), so the hull is A, B, D (slopes 0.2 then 0.1: concave).
const points: CostAccuracyCurvePoint[] = [
  { cost: 4, accuracy: 0.9, label: 'D' },
  { cost: 1, accuracy: 0.5, label: 'A' },
  { cost: 2.5, accuracy: 0.6, label: 'E' },
  { cost: 3, accuracy: 0.75, label: 'C' },
  { cost: 2, accuracy: 0.7, label: 'B' },
  { cost: 5, accuracy: 0.85, label: 'F' },
];

describe('nonDecreasingConvexHull', () => {
  it('keeps the upper-left corners, sorted by cost, from the cheapest point', () => {
    expect(nonDecreasingConvexHull(points).map((point) => point.label)).toEqual(['A', 'B', 'D']);
  });

  it.each([
    {
      name: 'collinear middle point dropped',
      input: [
        { cost: 0, accuracy: 0 },
        { cost: 1, accuracy: 0.5 },
        { cost: 2, accuracy: 1 },
      ],
      expected: [
        [0, 0],
        [2, 1],
      ],
    },
    {
      name: 'same cost: the more accurate point',
      input: [
        { cost: 1, accuracy: 0.4 },
        { cost: 1, accuracy: 0.6 },
        { cost: 2, accuracy: 0.5 },
      ],
      expected: [[1, 0.6]],
    },
    {
      name: 'a dearer point must be strictly more accurate',
      input: [
        { cost: 1, accuracy: 0.6 },
        { cost: 3, accuracy: 0.6 },
      ],
      expected: [[1, 0.6]],
    },
    { name: 'one point', input: [{ cost: 2, accuracy: 0.7 }], expected: [[2, 0.7]] },
    { name: 'no points', input: [], expected: [] },
  ])('$name', ({ input, expected }) => {
    expect(nonDecreasingConvexHull(input).map((point) => [point.cost, point.accuracy])).toEqual(expected);
  });

  it('keeps the first of two identical points', () => {
    const hull = nonDecreasingConvexHull([
      { cost: 1, accuracy: 0.5, label: 'first' },
      { cost: 1, accuracy: 0.5, label: 'second' },
    ]);
    expect(hull.map((point) => point.label)).toEqual(['first']);
  });

  it('lies on the brute-force envelope: the best mix of two points at each cost', () => {
    // Independent definition: at cost c the hull is max over single points with cost ≤ c and over mixtures of a
    // cheaper and a dearer point whose mixed cost is exactly c.
    const random = createRandom(17);
    const cloud = Array.from({ length: 40 }, () => ({ cost: random() * 10, accuracy: random() }));
    const hull = nonDecreasingConvexHull(cloud);
    const envelope = (cost: number): number => {
      let best = Number.NEGATIVE_INFINITY;
      for (const left of cloud) {
        if (left.cost > cost) continue;
        best = Math.max(best, left.accuracy);
        for (const right of cloud) {
          if (right.cost <= cost) continue;
          const share = (cost - left.cost) / (right.cost - left.cost);
          best = Math.max(best, left.accuracy + share * (right.accuracy - left.accuracy));
        }
      }
      return best;
    };
    const onHull = (cost: number): number => {
      for (let index = 1; index < hull.length; index++) {
        const left = hull[index - 1]!;
        const right = hull[index]!;
        if (cost <= right.cost) {
          return left.accuracy + ((cost - left.cost) * (right.accuracy - left.accuracy)) / (right.cost - left.cost);
        }
      }
      return hull.at(-1)!.accuracy;
    };
    for (let probe = 0; probe < 300; probe++) {
      const cost = hull[0]!.cost + random() * (10 - hull[0]!.cost);
      expect(onHull(cost)).toBeCloseTo(envelope(cost), 12);
    }
  });

  it('rejects a non-finite coordinate, naming it', () => {
    expect(() => nonDecreasingConvexHull([{ cost: Number.NaN, accuracy: 0.5 }])).toThrow(/points\[0\]\.cost/);
  });
});

describe('aiq', () => {
  // Hull A(1, .5) B(2, .7) D(4, .9), flat after D. Areas: [1,2] (.5+.7)/2 = .6; [2,4] (.7+.9)/2·2 = 1.6;
  // [4,5] .9 → 3.1 over [1, 5].
  it.each([
    { name: 'paper definition over [cheapest, dearest] = 3.1 / 4', options: {}, expected: 0.775 },
    { name: 'RouterBench code / issue wording: from cost 0, divided by the largest cost = 3.1 / 5', options: { minCost: 0 }, expected: 0.62 },
    { name: 'extended flat to maxCost 6: (3.1 + .9) / 5', options: { maxCost: 6 }, expected: 0.8 },
    { name: 'cut at maxCost 3: (.6 + (.7 + .8)/2) / 2', options: { maxCost: 3 }, expected: 0.675 },
    { name: 'a minCost inside the hull: [2, 4] only = 1.6 / 2', options: { minCost: 2, maxCost: 4 }, expected: 0.8 },
  ])('$name', ({ options, expected }) => {
    expect(aiq(points, options)).toBeCloseTo(expected, 12);
  });

  it('is the accuracy of a single point', () => {
    expect(aiq([{ cost: 2, accuracy: 0.7 }])).toBe(0.7);
  });

  it('rewards the better of two routers measured on the same cost range', () => {
    const better = [
      { cost: 0, accuracy: 0.6 },
      { cost: 1, accuracy: 0.8 },
    ];
    const worse = [
      { cost: 0, accuracy: 0.6 },
      { cost: 0.5, accuracy: 0.62 },
      { cost: 1, accuracy: 0.8 },
    ];
    // better: (0.6 + 0.8)/2 = 0.7; worse's middle point is under the chord, so its hull is the same: 0.7.
    expect(aiq(better)).toBeCloseTo(0.7, 12);
    expect(aiq(worse)).toBeCloseTo(0.7, 12);
    const best = [...better, { cost: 0.5, accuracy: 0.78 }];
    // (0.6 + 0.78)/2·0.5 + (0.78 + 0.8)/2·0.5 = 0.345 + 0.395 = 0.74.
    expect(aiq(best)).toBeCloseTo(0.74, 12);
  });

  it('gives the same hull and AIQ, bit for bit, for a curve in cost order (no sort) as the former sort and vertex-by-vertex reading', () => {
    // the former reading, kept here as the reference: sort every point, then each accuracy searched from the first vertex
    const sortedHull = (curve: readonly CostAccuracyCurvePoint[]) => {
      const order = curve.map((_, index) => index).sort((left, right) => curve[left]!.cost - curve[right]!.cost || curve[right]!.accuracy - curve[left]!.accuracy || left - right);
      const hull: CostAccuracyCurvePoint[] = [];
      for (const point of order.map((index) => curve[index]!)) {
        if (hull.length > 0 && point.accuracy <= hull.at(-1)!.accuracy) continue;
        while (hull.length >= 2) {
          const [before, middle] = [hull.at(-2)!, hull.at(-1)!];
          if ((middle.cost - before.cost) * (point.accuracy - before.accuracy) - (middle.accuracy - before.accuracy) * (point.cost - before.cost) >= 0) hull.pop();
          else break;
        }
        hull.push(point);
      }
      return hull;
    };
    const accuracyAt = (hull: readonly CostAccuracyCurvePoint[], cost: number) => {
      if (cost < hull[0]!.cost) return 0;
      for (let index = 1; index < hull.length; index++) {
        const [left, right] = [hull[index - 1]!, hull[index]!];
        if (cost <= right.cost) return left.accuracy + ((right.accuracy - left.accuracy) * (cost - left.cost)) / (right.cost - left.cost);
      }
      return hull.at(-1)!.accuracy;
    };
    const referenceAiq = (curve: readonly CostAccuracyCurvePoint[], minCost: number, maxCost: number) => {
      const hull = sortedHull(curve);
      const start = Math.max(minCost, hull[0]!.cost);
      if (maxCost <= start) return 0;
      const xs = [start, ...hull.map((point) => point.cost).filter((cost) => cost > start && cost < maxCost), maxCost];
      let area = 0;
      for (let index = 1; index < xs.length; index++) area += ((accuracyAt(hull, xs[index - 1]!) + accuracyAt(hull, xs[index]!)) / 2) * (xs[index]! - xs[index - 1]!);
      return area / (maxCost - minCost);
    };
    const random = createRandom(11);
    for (let trial = 0; trial < 200; trial++) {
      // a sweep-like curve: cost never falls, ties in cost (some at the same accuracy) and graded accuracies that wander
      const curve: CostAccuracyCurvePoint[] = [];
      let cost = random() * 3;
      for (let point = 0; point < 2 + Math.floor(random() * 60); point++) {
        if (random() < 0.8) cost += random() * random();
        curve.push({ cost, accuracy: random() < 0.1 && point > 0 ? curve.at(-1)!.accuracy : 0.3 + 0.6 * random() });
      }
      const shuffled = [...curve].sort(() => random() - 0.5);
      const [minCost, maxCost] = [curve[0]!.cost * random(), curve.at(-1)!.cost * (0.5 + random())];
      for (const points of [curve, shuffled]) {
        expect(nonDecreasingConvexHull(points)).toEqual(sortedHull(points));
        expect(aiq(points, { minCost, maxCost: Math.max(minCost, maxCost) })).toBe(maxCost > minCost ? referenceAiq(points, minCost, maxCost) : accuracyAt(sortedHull(points), minCost));
      }
    }
  });

  it('rejects maxCost below minCost and an empty curve', () => {
    expect(() => aiq(points, { minCost: 3, maxCost: 2 })).toThrow(/maxCost/);
    expect(() => aiq([])).toThrow(/at least one point/);
  });
});

describe('apgr and cpt', () => {
  // weak 0.6, strong 0.8. Curve (0.2, 0.70), (0.5, 0.76), anchored at (0, 0.6) and (1, 0.8).
  // PGR: 0, 0.5, 0.8, 1. Area: 0.2·0.25 + 0.3·0.65 + 0.5·0.9 = 0.05 + 0.195 + 0.45 = 0.695.
  const pair = { weakAccuracy: 0.6, strongAccuracy: 0.8 };
  const curve = [
    { strongCallRate: 0.5, accuracy: 0.76 },
    { strongCallRate: 0.2, accuracy: 0.7 },
  ];

  it('performanceGapRecovered is 0 at the weak model and 1 at the strong one', () => {
    expect(performanceGapRecovered(0.6, pair)).toBe(0);
    expect(performanceGapRecovered(0.8, pair)).toBeCloseTo(1, 12);
    expect(performanceGapRecovered(0.7, pair)).toBeCloseTo(0.5, 12);
  });

  it('APGR is the area under PGR over the strong-call rate', () => {
    expect(apgr(curve, pair)).toBeCloseTo(0.695, 12);
  });

  it('APGR of a random router (a straight line) is 0.5, with or without the end points given', () => {
    const random = [0, 0.25, 0.5, 0.75, 1].map((rate) => ({ strongCallRate: rate, accuracy: 0.6 + 0.2 * rate }));
    expect(apgr(random, pair)).toBeCloseTo(0.5, 12);
    expect(apgr(random.slice(1, 4), pair)).toBeCloseTo(0.5, 12);
    expect(apgr([], pair)).toBeCloseTo(0.5, 12);
  });

  it('averages points at the same rate', () => {
    const repeated = [
      { strongCallRate: 0.5, accuracy: 0.74 },
      { strongCallRate: 0.2, accuracy: 0.7 },
      { strongCallRate: 0.5, accuracy: 0.78 },
    ];
    expect(apgr(repeated, pair)).toBeCloseTo(0.695, 12);
  });

  it.each([
    { recovered: 0.5, expected: 0.2 },
    { recovered: 0.8, expected: 0.5 },
    // Between (0, PGR 0) and (0.2, PGR 0.5): 0.3/0.5 of the way = 0.12.
    { recovered: 0.3, expected: 0.12 },
    // Between (0.2, 0.5) and (0.5, 0.8): 0.2 + 0.15/0.3·0.3 = 0.35.
    { recovered: 0.65, expected: 0.35 },
    { recovered: 0, expected: 0 },
    { recovered: 1, expected: 1 },
  ])('CPT($recovered) = $expected', ({ recovered, expected }) => {
    expect(cpt(curve, { ...pair, recovered })).toBeCloseTo(expected, 12);
  });

  it('CPT is null when the target is never reached', () => {
    expect(cpt(curve, { ...pair, recovered: 1.1 })).toBeNull();
  });

  it('CPT takes the first crossing of a curve that dips again', () => {
    const wavy = [
      { strongCallRate: 0.1, accuracy: 0.72 }, // PGR 0.6
      { strongCallRate: 0.3, accuracy: 0.64 }, // PGR 0.2
      { strongCallRate: 0.6, accuracy: 0.78 }, // PGR 0.9
    ];
    // First reaches 0.5 on the way from (0, 0) to (0.1, 0.6): 0.5/0.6 · 0.1.
    expect(cpt(wavy, { ...pair, recovered: 0.5 })).toBeCloseTo(0.5 / 6, 12);
  });

  it('rejects a pair with no gap and a rate outside 0..1, naming the field', () => {
    expect(() => apgr(curve, { weakAccuracy: 0.7, strongAccuracy: 0.7 })).toThrow(/strongAccuracy/);
    expect(() => apgr([{ strongCallRate: 1.2, accuracy: 0.7 }], pair)).toThrow(/curve\[0\]\.strongCallRate/);
    expect(() => cpt(curve, { ...pair, recovered: Number.NaN })).toThrow(/recovered/);
  });
});
