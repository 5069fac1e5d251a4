import { delegatesScore, InvalidConfigError, PAIR_POLICY_MODELS, ROUTING_POLICY_SCHEMA_VERSION, type Problem, type RoutingPolicy, type ScoreDirection } from '@confide/core';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import type { ResampleSettings, RunControl } from '../resample-plan.js';
import { systemGuaranteedThreshold, type SystemGuaranteeResult } from '../system-guarantees.js';
import { riskControlledThreshold, type RiskControlResult } from '../router-statistics.js';
import { fitSweepCalibrator, scoresThroughCalibrator } from './calibrated-sweep-scores.js';
import type { PairRouterCurves, PrefixSweep } from './router-curves.js';

/** A risk-control entry of an ablation: which swept router, the guarantee, the split and the candidate grid. */
export interface RiskControlEntry {
  router: string;
  guarantee: 'kept-error' | 'delegation-rate' | 'system-accuracy' | 'mean-cost';
  maxKeptErrorRate?: number | undefined;
  maxDelegationRate?: number | undefined;
  minAccuracy?: number | undefined;
  maxMeanCostUsd?: number | undefined;
  delta: number;
  calibrationShare: number;
  seed: number;
  violationSplits: number;
  grid?: { from: number; to: number; steps: number } | undefined;
}

export interface CertifiedThresholdsContext {
  /** The experiment's name and how the ablation was run, for each policy's provenance. */
  experiment: string;
  command: string;
  problems: readonly Problem[];
  table: OutcomeTable;
  routers: PairRouterCurves;
  /** A permutation of 0..n − 1 drawn from a seed (numpy's default_rng(seed).permutation(n): the split a reader can redo). */
  permutation: (seed: number, n: number) => ArrayLike<number>;
  /**
   * The hash a policy names its calibration data by (problem ids, the small model's verdicts, the scores; sha256 in
   * the experiments package): lent, so routing stays free of Node modules (the viewer's page imports it).
   */
  calibrationDataHash: (problemIds: readonly string[], smallCorrect: ArrayLike<number>, scores: ArrayLike<number>) => string;
  /** The evaluation's bootstrap settings: the held-out intervals of system-level targets use them. */
  bootstrap: ResampleSettings;
}

/** A calibrated score's calibrator, as a policy and the summary name it: its method and the problems it was fitted on. */
export type ScoreCalibratorSplit = NonNullable<RoutingPolicy['calibration']['scoreCalibrator']>;

/** A guarantee's result with the calibrator its scores went through (null: the swept score as it is). */
export type CertifiedRiskControl = RiskControlResult & { scoreCalibrator: ScoreCalibratorSplit | null };
export type CertifiedTarget = SystemGuaranteeResult & { scoreCalibrator: ScoreCalibratorSplit | null };

/** What an entry's threshold is certified on: the scores, the held-out problems, and the router a policy recreates. */
interface CertificationScores {
  scores: Float64Array;
  direction: ScoreDirection;
  testIndices: number[];
  /** The router's options but the threshold: a calibrated score's with the calibrator fitted here. */
  routerOptions: Record<string, unknown>;
  scoreCalibrator: ScoreCalibratorSplit | null;
}

/**
 * The scores an entry's threshold is certified on. A swept score as it is, with every problem outside the calibration
 * split held out. A calibrated score: the sweep's values are cross-fitted on every problem, calibration split included,
 * so they are no fixed function of the score; the threshold is certified instead on the score through one calibrator
 * fitted on a third split — the first half (in the split's permutation) of the problems outside the calibration split;
 * the second half is the held-out check. The calibration split keeps its size, Learn then Test's guarantee holds as for
 * any fixed score (the calibrator is fixed before the calibration split is read), and the held-out figures come from
 * problems neither the calibrator nor the threshold saw. The policy carries that calibrator.
 */
function certificationScores(context: CertifiedThresholdsContext, entry: RiskControlEntry, sweep: PrefixSweep, outside: number[]): CertificationScores {
  if (sweep.calibration === undefined) {
    return { scores: sweep.scores, direction: sweep.direction, testIndices: outside, routerOptions: sweep.router.options, scoreCalibrator: null };
  }
  const { raw, rawDirection, settings } = sweep.calibration;
  const half = Math.floor(outside.length / 2);
  const fitted = fitSweepCalibrator(raw, rawDirection, context.table.smallCorrect, outside.slice(0, half), settings, entry.router);
  // the router as the sweep had it, its fold calibrators replaced by the one calibrator
  const { crossFitted: _folds, ...calibration } = sweep.router.options['calibration'] as Record<string, unknown>;
  return {
    scores: scoresThroughCalibrator(raw, rawDirection, fitted.calibrator),
    direction: 'keep-high',
    testIndices: outside.slice(half),
    routerOptions: { ...sweep.router.options, calibration: { ...calibration, ...fitted.settings, calibrator: fitted.calibrator } },
    scoreCalibrator: {
      method: fitted.settings.method,
      fittedOn: {
        size: fitted.fittedOn.length,
        dataHash: context.calibrationDataHash(
          fitted.fittedOn.map((index) => context.problems[index]!.id),
          Uint8Array.from(fitted.fittedOn, (index) => context.table.smallCorrect[index]!),
          Float64Array.from(fitted.fittedOn, (index) => raw[index]!),
        ),
      },
    },
  };
}

/**
 * Each risk-control entry: a threshold of a swept router certified on a calibration split (Learn then Test on the
 * kept answers' error, or mean loss for graded scores; the order-statistic bound on the delegation rate; or Learn then
 * Test on the routed system's accuracy or mean cost), its held-out figures, violations over other splits, and, where a
 * threshold is certified, the routing policy that applies it to new problems (for every kind of guarantee). A
 * calibrated score is certified through a calibrator of its own split (`certificationScores`).
 */
export async function certifiedThresholds(
  context: CertifiedThresholdsContext,
  entries: readonly RiskControlEntry[],
  control: RunControl = {},
): Promise<{ riskControl: CertifiedRiskControl[]; targets: CertifiedTarget[]; policies: RoutingPolicy[] }> {
  const { table, problems } = context;
  const n = problems.length;
  const policies: RoutingPolicy[] = [];
  const riskControl: CertifiedRiskControl[] = [];
  const targets: CertifiedTarget[] = [];
  for (const entry of entries) {
    const sweep = context.routers.sweeps.get(entry.router);
    if (!sweep) throw new InvalidConfigError(`riskControl: router entry "${entry.router}" is not a threshold sweep`);
    const permutation = Array.from(context.permutation(entry.seed, n));
    const calibrationSize = Math.round(entry.calibrationShare * n);
    const grid = entry.grid ?? { from: 0, to: 1, steps: 1 };
    // the splits that measure violations: the same calibration size, drawn from a fast seeded stream (seed + 1)
    const splits = { count: entry.violationSplits, seed: entry.seed + 1 };
    const calibrationIndices = permutation.slice(0, calibrationSize);
    const certification = certificationScores(context, entry, sweep, permutation.slice(calibrationSize));
    const { scores, direction, testIndices } = certification;
    const label = context.routers.curves.find((curve) => curve.id === entry.router)!.label;
    const candidates = Array.from({ length: grid.steps + 1 }, (_, step) => grid.from + ((grid.to - grid.from) * step) / grid.steps);
    if (entry.guarantee === 'system-accuracy' || entry.guarantee === 'mean-cost') {
      const target = await systemGuaranteedThreshold(
        {
          label,
          table,
          scores,
          direction,
          calibrationIndices,
          testIndices,
          guarantee: entry.guarantee === 'system-accuracy' ? { kind: 'system-accuracy', minAccuracy: entry.minAccuracy! } : { kind: 'mean-cost', maxMeanCostUsd: entry.maxMeanCostUsd! },
          delta: entry.delta,
          grid: candidates,
          splits,
          bootstrap: context.bootstrap,
        },
        control,
      );
      if (target.threshold !== null) {
        const guarantee =
          target.guarantee.kind === 'system-accuracy'
            ? { kind: 'system-accuracy' as const, minAccuracy: target.guarantee.minAccuracy, delta: entry.delta }
            : { kind: 'mean-cost' as const, maxMeanCostUsd: target.guarantee.maxMeanCostUsd, delta: entry.delta };
        const heldOut = heldOutAt(table, scores, direction, target.threshold, testIndices);
        policies.push(policyOf(context, entry, sweep, certification, { threshold: target.threshold, guarantee, heldOut }, calibrationIndices));
      }
      targets.push({ ...target, scoreCalibrator: certification.scoreCalibrator });
      continue;
    }
    const result = await riskControlledThreshold({
      label,
      table,
      scores,
      direction,
      calibrationIndices,
      testIndices,
      guarantee: entry.guarantee === 'kept-error' ? { kind: 'kept-error', maxKeptErrorRate: entry.maxKeptErrorRate! } : { kind: 'delegation-rate', maxDelegationRate: entry.maxDelegationRate! },
      delta: entry.delta,
      grid: candidates,
      splits,
    }, control);
    if (result.threshold !== null && result.heldOut !== null) {
      const guarantee =
        result.guarantee.kind === 'kept-error'
          ? { kind: 'kept-error' as const, maxKeptErrorRate: result.guarantee.maxKeptErrorRate, delta: entry.delta }
          : { kind: 'delegation-rate' as const, maxDelegationRate: result.guarantee.maxDelegationRate, delta: entry.delta };
      const { size, keptErrorRate, delegationRate, accuracy, costUsd } = result.heldOut;
      policies.push(policyOf(context, entry, sweep, certification, { threshold: result.threshold, guarantee, heldOut: { size, keptErrorRate, delegationRate, accuracy, costUsd } }, calibrationIndices));
    }
    riskControl.push({ ...result, scoreCalibrator: certification.scoreCalibrator });
  }
  return { riskControl, targets, policies };
}

type PolicyHeldOut = RoutingPolicy['calibration']['heldOut'];

/**
 * What a threshold (in the score's units) does on held-out problems, as the kept-error guarantee reports it: kept
 * answers' error (mean loss 1 − score for graded scores), delegation rate, accuracy, and the total cost in dollars.
 */
function heldOutAt(table: OutcomeTable, scores: Float64Array, direction: ScoreDirection, threshold: number, indices: readonly number[]): PolicyHeldOut {
  let [kept, keptLoss, score, cost] = [0, 0, 0, 0];
  for (const index of indices) {
    const keep = !delegatesScore(scores[index]!, { direction, threshold });
    cost += table.smallCost[index]! + (keep ? 0 : table.largeCost[index]!);
    score += keep ? table.smallScore[index]! : table.largeScore[index]!;
    if (keep) {
      kept++;
      keptLoss += 1 - table.smallScore[index]!;
    }
  }
  const size = indices.length;
  return { size, keptErrorRate: kept === 0 ? 0 : keptLoss / kept, delegationRate: size === 0 ? 0 : (size - kept) / size, accuracy: size === 0 ? 0 : score / size, costUsd: cost / 1e8 };
}

/** A certified threshold as a routing policy: the router as fitted, the threshold, how it was calibrated, what it decides here. */
function policyOf(
  context: CertifiedThresholdsContext,
  entry: RiskControlEntry,
  sweep: PrefixSweep,
  certification: CertificationScores,
  certified: { threshold: number; guarantee: RoutingPolicy['guarantee']; heldOut: PolicyHeldOut },
  calibrationIndices: readonly number[],
): RoutingPolicy {
  const { threshold } = certified;
  const { scores, direction } = certification;
  return {
    schemaVersion: ROUTING_POLICY_SCHEMA_VERSION,
    router: { id: sweep.router.id, options: { ...certification.routerOptions, [sweep.option]: threshold } },
    threshold: { option: sweep.option, value: threshold },
    guarantee: certified.guarantee,
    calibration: {
      experiment: context.experiment,
      dataHash: context.calibrationDataHash(
        calibrationIndices.map((index) => context.problems[index]!.id),
        Uint8Array.from(calibrationIndices, (index) => context.table.smallCorrect[index]!),
        Float64Array.from(calibrationIndices, (index) => scores[index]!),
      ),
      splitSeed: entry.seed,
      calibrationShare: entry.calibrationShare,
      calibrationSize: calibrationIndices.length,
      routerEntry: entry.router,
      heldOut: certified.heldOut,
      scoreCalibrator: certification.scoreCalibrator,
    },
    models: [...PAIR_POLICY_MODELS],
    expectedRoutes: Object.fromEntries(context.problems.map((problem, index) => [problem.id, delegatesScore(scores[index]!, { direction, threshold }) ? 'large' : 'small'])),
    createdBy: { commit: null, command: context.command },
  };
}
