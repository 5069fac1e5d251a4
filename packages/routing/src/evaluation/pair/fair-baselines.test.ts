import { describe, expect, it } from 'vitest';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import { ResamplePlan } from '../resample-plan.js';
import { cohensKappa, fairBaselines } from './fair-baselines.js';
import type { RouterCurve } from './router-curves.js';

// Eight kinds of problem a–h, five of each (40): the small model right on a–d, the large on a–f; small costs 1, large
// 10 (1e-8 $). Figures below are per eight (the same shares over forty).
const times5 = <T,>(values: T[]): T[] => [...values, ...values, ...values, ...values, ...values];
const table: OutcomeTable = {
  problemIds: times5(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']).map((id, index) => `${id}${index}`),
  smallCorrect: Uint8Array.from(times5([1, 1, 1, 1, 0, 0, 0, 0])),
  largeCorrect: Uint8Array.from(times5([1, 1, 1, 1, 1, 1, 0, 0])),
  smallScore: Float64Array.from(times5([1, 1, 1, 1, 0, 0, 0, 0])),
  largeScore: Float64Array.from(times5([1, 1, 1, 1, 1, 1, 0, 0])),
  smallCost: new Float64Array(40).fill(1),
  largeCost: new Float64Array(40).fill(10),
};

/** A router that delegates the kinds of problem marked 1, after the small answer. */
function curve(id: string, kinds: number[]): RouterCurve {
  const delegated = times5(kinds);
  const score = Float64Array.from(delegated, (d, index) => (d === 1 ? table.largeScore[index]! : table.smallScore[index]!));
  const cost = Float64Array.from(delegated, (d) => 1 + (d === 1 ? 10 : 0));
  const accuracy = score.reduce((total, value) => total + value, 0) / 40;
  return {
    id,
    label: id,
    kind: 'point',
    reported: { parameter: null, accuracy, costUsd: cost.reduce((t, v) => t + v, 0) / 1e8, delegationRate: 0, llmCalls: 0 },
    reportedOutcomes: { score, cost, correct: Uint8Array.from(score), delegated: Uint8Array.from(delegated) },
  } as unknown as RouterCurve;
}

describe('fair baselines', () => {
  it('matches a random mix to the router\'s spend and credits the router only when its interval of the difference is above 0', async () => {
    // "smart" delegates exactly e and f (where only the large model is right): 6/8 right at 8 + 20 = 28 units per eight.
    // The mix at equal spend delegates (28 − 8) / 80 = 0.25 of every problem: expected score 4/8 + 0.25·2/8 = 0.5625.
    const smart = curve('smart', [0, 0, 0, 0, 1, 1, 0, 0]);
    // "wasteful" delegates a, b (both models right): 4/8 at the same spend: worse than the mix, by 0.0625.
    const wasteful = curve('wasteful', [1, 1, 0, 0, 0, 0, 0, 0]);
    const plan = new ResamplePlan(40, { resamples: 400, seed: 3, confidence: 0.95 });
    const { baselines, finish } = fairBaselines(table, [smart, wasteful], plan);
    await plan.run();
    finish();
    const [first, second] = baselines.routers;
    expect(first!.mix).toEqual({ kind: 'after-small-answer', rate: 0.25, accuracy: 0.5625, costUsd: (5 * 28) / 1e8, matched: true });
    expect(first!.difference).toBeCloseTo(0.75 - 0.5625, 12);
    expect(first!.verdict).toBe('credited');
    expect(second!.difference).toBeCloseTo(0.5 - 0.5625, 12);
    expect(second!.verdict).toBe('worse than the mix');
    // the small model alone (8 units, 50 %) is the best single model within 28 units; the large one (80 units) is not
    expect(first!.bestSingleModel).toEqual({ label: 'small', accuracy: 0.5, costUsd: 40 / 1e8 });
    // κ of the two routes: they agree on 4 of 8 (c, d, g, h), each delegating 2 of 8: p_e = 0.25² + 0.75² = 0.625
    expect(baselines.agreement.kappa[0]![1]).toBeCloseTo((4 / 8 - 0.625) / (1 - 0.625), 12);
    expect(baselines.agreement.kappa[0]![0]).toBe(1);
  });

  it('matches a router that calls one model per problem with a mix that does too (before generation)', async () => {
    // delegates e and f without the small answer: 6/8 right at 6 + 20 = 26 units per eight; the mix (1 − p)·8 + p·80 =
    // 26 at p = 0.25: the same rate, at the one-model-per-problem cost
    const preHoc = curve('pre-hoc', [0, 0, 0, 0, 1, 1, 0, 0]);
    preHoc.reportedOutcomes.cost = Float64Array.from(times5([1, 1, 1, 1, 10, 10, 1, 1]));
    const plan = new ResamplePlan(40, { resamples: 50, seed: 1, confidence: 0.95 });
    const { baselines } = fairBaselines(table, [preHoc], plan);
    expect(baselines.routers[0]!.mix).toEqual({ kind: 'before-generation', rate: 0.25, accuracy: 0.5625, costUsd: (5 * 26) / 1e8, matched: true });
  });

  it('leaves κ undefined for a router that routes every problem alike against another that does too', () => {
    expect(cohensKappa([1, 1, 1], [1, 1, 1])).toBeNull();
    expect(cohensKappa([0, 1, 0, 1], [1, 0, 1, 0])).toBe(-1);
  });
});
