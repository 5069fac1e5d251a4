import { createRandom, delegatesScore, predictCalibrated, RoutingPolicy, ScoreCalibrationSettings } from '@confide/core';
import { testProblem } from '@confide/core/testing';
import { fitScoreCalibrator } from '@confide/metrics';
import { describe, expect, it } from 'vitest';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import { crossFittedSweepScores } from './calibrated-sweep-scores.js';
import { certifiedThresholds, type CertifiedThresholdsContext, type RiskControlEntry } from './certified-thresholds.js';
import type { PairRouterCurves, PrefixSweep, RouterCurve } from './router-curves.js';

/**
 * 400 answers of a small model: output length uniform in 100–1,000 tokens, right with probability 0.95 under 500
 * tokens and 0.3 from 500;
 * the large model is always right. A call costs the small model 100 (1e-8 $), the large one 1,000.
 */
const n = 400;
const random = createRandom(7);
const lengths = Float64Array.from({ length: n }, () => 100 + Math.floor(random() * 900));
const right = Uint8Array.from(lengths, (length) => (random() < (length < 500 ? 0.95 : 0.3) ? 1 : 0));
const problems = Array.from({ length: n }, (_, index) => testProblem({ id: `q${index}` }));
const table: OutcomeTable = {
  problemIds: problems.map((problem) => problem.id),
  smallCorrect: right,
  largeCorrect: new Uint8Array(n).fill(1),
  smallScore: Float64Array.from(right),
  largeScore: new Float64Array(n).fill(1),
  smallCost: new Float64Array(n).fill(100),
  largeCost: new Float64Array(n).fill(1000),
};

const isotonic = ScoreCalibrationSettings.parse({ method: 'isotonic' });
const lengthRouter = { id: 'core/threshold', options: { score: 'generation.usage.output', direction: 'keep-low', threshold: 600, minTokenMass: 0.5 } };
const calibrated = crossFittedSweepScores(table.problemIds, lengths, 'keep-low', right, isotonic, 'length-isotonic');
const sweeps = new Map<string, PrefixSweep>([
  ['length', { sweep: null as never, scores: lengths, unscored: null, score: 'generation.usage.output', direction: 'keep-low', router: lengthRouter, option: 'threshold' }],
  [
    'length-isotonic',
    {
      sweep: null as never,
      scores: calibrated.values,
      unscored: null,
      score: 'generation.usage.output, isotonic-calibrated',
      direction: 'keep-high',
      router: { id: 'core/threshold', options: { ...lengthRouter.options, threshold: 0.5, calibration: { ...calibrated.settings, crossFitted: calibrated.crossFitted } } },
      option: 'threshold',
      calibration: { settings: calibrated.settings, raw: lengths, rawDirection: 'keep-low' },
    },
  ],
]);
const routers: PairRouterCurves = {
  curves: [
    { id: 'length', label: 'output length' },
    { id: 'length-isotonic', label: 'output length, isotonic-calibrated' },
  ] as RouterCurve[],
  sweeps,
  engineSweepOutcomes: new Map(),
};
const context: CertifiedThresholdsContext = {
  experiment: 'synthetic',
  command: 'test',
  problems,
  table,
  routers,
  // the identity: calibration split q0–q199, the rest q200–q399 in order
  permutation: (_seed, size) => Uint32Array.from({ length: size }, (_, index) => index),
  calibrationDataHash: (ids, correct, scores) => `${ids.length}:${Array.from(correct).join('')}:${Array.from(scores).join(',')}`.length.toString(16).padStart(64, '0'),
  bootstrap: { resamples: 50, seed: 0, confidence: 0.95 },
};
const grid = { from: 0, to: 1, steps: 100 };
const entry = (fields: Partial<RiskControlEntry> & Pick<RiskControlEntry, 'router' | 'guarantee'>): RiskControlEntry => ({ delta: 0.1, calibrationShare: 0.5, seed: 0, violationSplits: 0, ...fields });

describe('certified thresholds: a calibrated score carries its own calibrator', () => {
  it('fits the policy\'s calibrator on a third split, certifies on the calibration split, and checks on the rest', async () => {
    const { riskControl, policies } = await certifiedThresholds(context, [entry({ router: 'length-isotonic', guarantee: 'kept-error', maxKeptErrorRate: 0.2, grid })]);
    const [result] = riskControl;
    const [policy] = policies;
    expect(result!.threshold).not.toBeNull();
    // calibration split q0–q199; the calibrator fitted on q200–q299 only; the held-out check on q300–q399
    expect(result!.calibration!.size).toBe(200);
    expect(result!.heldOut!.size).toBe(100);
    expect(result!.scoreCalibrator).toEqual({ method: 'isotonic', fittedOn: { size: 100, dataHash: expect.any(String) } });
    const split = Array.from({ length: 100 }, (_, index) => 200 + index);
    const expected = fitScoreCalibrator('isotonic', Float64Array.from(split, (index) => -lengths[index]!), Uint8Array.from(split, (index) => right[index]!), {});
    const options = policy!.router.options as { calibration: Record<string, unknown>; threshold: number };
    expect(options.calibration).toEqual({ method: 'isotonic', folds: 5, seed: 0, calibrator: expected });
    expect(options.threshold).toBe(result!.threshold);
    expect(policy!.threshold).toEqual({ option: 'threshold', value: result!.threshold });
    expect(policy!.calibration.scoreCalibrator).toEqual(result!.scoreCalibrator);
    expect(policy!.calibration.heldOut).toMatchObject({ size: 100, keptErrorRate: result!.heldOut!.keptErrorRate });
    // the routes: every length through that calibrator against the threshold
    const routes = Object.fromEntries(problems.map((problem, index) => [problem.id, predictCalibrated(expected, -lengths[index]!) < result!.threshold! ? 'large' : 'small']));
    expect(policy!.expectedRoutes).toEqual(routes);
    expect(Object.values(routes)).toContain('large');
    expect(Object.values(routes)).toContain('small');
    expect(RoutingPolicy.safeParse(JSON.parse(JSON.stringify(policy))).success).toBe(true);
  });

  it('keeps a raw score\'s split: every problem outside the calibration split is held out, no calibrator', async () => {
    const { riskControl, policies } = await certifiedThresholds(context, [entry({ router: 'length', guarantee: 'kept-error', maxKeptErrorRate: 0.2, grid: { from: 0, to: 1000, steps: 100 } })]);
    expect(riskControl[0]!.heldOut!.size).toBe(200);
    expect(riskControl[0]!.scoreCalibrator).toBeNull();
    expect(policies[0]!.calibration.scoreCalibrator).toBeNull();
    expect(policies[0]!.router.options).toEqual({ ...lengthRouter.options, threshold: riskControl[0]!.threshold });
  });
});

describe('certified thresholds: policies for the guarantees on the routed system', () => {
  it('writes a policy for a certified system-accuracy and a certified mean-cost threshold, with their held-out figures', async () => {
    const { targets, policies } = await certifiedThresholds(context, [
      entry({ router: 'length', guarantee: 'system-accuracy', minAccuracy: 0.75, grid: { from: 0, to: 1000, steps: 100 } }),
      entry({ router: 'length-isotonic', guarantee: 'mean-cost', maxMeanCostUsd: 8e-6, grid }),
    ]);
    expect(targets.map((target) => target.threshold)).not.toContain(null);
    expect(policies.map((policy) => policy.guarantee)).toEqual([
      { kind: 'system-accuracy', minAccuracy: 0.75, delta: 0.1 },
      { kind: 'mean-cost', maxMeanCostUsd: 8e-6, delta: 0.1 },
    ]);
    const [accuracy, cost] = policies;
    // the held-out figures are the target's own: accuracy, delegation, and the mean cost × size
    for (const [policy, target] of [
      [accuracy!, targets[0]!],
      [cost!, targets[1]!],
    ] as const) {
      expect(policy.threshold.value).toBe(target.threshold);
      expect(policy.calibration.heldOut.size).toBe(target.heldOut!.size);
      expect(policy.calibration.heldOut.accuracy).toBeCloseTo(target.heldOut!.accuracy, 12);
      expect(policy.calibration.heldOut.delegationRate).toBeCloseTo(target.heldOut!.delegationRate, 12);
      expect(policy.calibration.heldOut.costUsd).toBeCloseTo(target.heldOut!.meanCostUsd * target.heldOut!.size, 12);
    }
    // routes by the raw length for the first, by the calibrated length for the second
    expect(accuracy!.expectedRoutes).toEqual(Object.fromEntries(problems.map((problem, index) => [problem.id, delegatesScore(lengths[index]!, { direction: 'keep-low', threshold: targets[0]!.threshold! }) ? 'large' : 'small'])));
    expect(cost!.calibration.scoreCalibrator?.fittedOn.size).toBe(100);
    expect(targets[1]!.scoreCalibrator).toEqual(cost!.calibration.scoreCalibrator);
    for (const policy of policies) expect(RoutingPolicy.safeParse(JSON.parse(JSON.stringify(policy))).success).toBe(true);
  });

  it('writes no policy for a target that is not certified', async () => {
    const { targets, policies } = await certifiedThresholds(context, [entry({ router: 'length', guarantee: 'system-accuracy', minAccuracy: 0.999, grid: { from: 0, to: 1000, steps: 100 } })]);
    expect(targets[0]!.threshold).toBeNull();
    expect(policies).toEqual([]);
  });
});
