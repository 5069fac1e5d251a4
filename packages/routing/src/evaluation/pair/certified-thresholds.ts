import { delegatesScore, InvalidConfigError, PAIR_POLICY_MODELS, ROUTING_POLICY_SCHEMA_VERSION, type Problem, type RoutingPolicy } from '@confide/core';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import type { ResampleSettings, RunControl } from '../resample-plan.js';
import { systemGuaranteedThreshold, type SystemGuaranteeResult } from '../system-guarantees.js';
import { riskControlledThreshold, type RiskControlResult } from '../router-statistics.js';
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

/**
 * Each risk-control entry: a threshold of a swept router certified on a calibration split (Learn then Test on the
 * kept answers' error, or mean loss for graded scores; or the order-statistic bound on the delegation rate), its
 * held-out figures, violations over other splits, and, where a threshold is certified, the routing policy that
 * applies it to new problems.
 */
export async function certifiedThresholds(
  context: CertifiedThresholdsContext,
  entries: readonly RiskControlEntry[],
  control: RunControl = {},
): Promise<{ riskControl: RiskControlResult[]; targets: SystemGuaranteeResult[]; policies: RoutingPolicy[] }> {
  const { table, problems } = context;
  const n = problems.length;
  const policies: RoutingPolicy[] = [];
  const riskControl: RiskControlResult[] = [];
  const targets: SystemGuaranteeResult[] = [];
  for (const entry of entries) {
    const sweep = context.routers.sweeps.get(entry.router);
    if (!sweep) throw new InvalidConfigError(`riskControl: router entry "${entry.router}" is not a threshold sweep`);
    const permutation = Array.from(context.permutation(entry.seed, n));
    const calibrationSize = Math.round(entry.calibrationShare * n);
    const grid = entry.grid ?? { from: 0, to: 1, steps: 1 };
    // the splits that measure violations: the same calibration size, drawn from a fast seeded stream (seed + 1)
    const splits = { count: entry.violationSplits, seed: entry.seed + 1 };
    const calibrationIndices = permutation.slice(0, calibrationSize);
    const label = context.routers.curves.find((curve) => curve.id === entry.router)!.label;
    const candidates = Array.from({ length: grid.steps + 1 }, (_, step) => grid.from + ((grid.to - grid.from) * step) / grid.steps);
    if (entry.guarantee === 'system-accuracy' || entry.guarantee === 'mean-cost') {
      targets.push(
        await systemGuaranteedThreshold(
          {
            label,
            table,
            scores: sweep.scores,
            direction: sweep.direction,
            calibrationIndices,
            testIndices: permutation.slice(calibrationSize),
            guarantee: entry.guarantee === 'system-accuracy' ? { kind: 'system-accuracy', minAccuracy: entry.minAccuracy! } : { kind: 'mean-cost', maxMeanCostUsd: entry.maxMeanCostUsd! },
            delta: entry.delta,
            grid: candidates,
            splits,
            bootstrap: context.bootstrap,
          },
          control,
        ),
      );
      continue;
    }
    const result = await riskControlledThreshold({
      label,
      table,
      scores: sweep.scores,
      direction: sweep.direction,
      calibrationIndices,
      testIndices: permutation.slice(calibrationSize),
      guarantee: entry.guarantee === 'kept-error' ? { kind: 'kept-error', maxKeptErrorRate: entry.maxKeptErrorRate! } : { kind: 'delegation-rate', maxDelegationRate: entry.maxDelegationRate! },
      delta: entry.delta,
      grid: candidates,
      splits,
    }, control);
    if (result.threshold !== null && result.heldOut !== null) policies.push(policyOf(context, entry, sweep, result, calibrationIndices));
    riskControl.push(result);
  }
  return { riskControl, targets, policies };
}

/** A certified threshold as a routing policy: the router as fitted, the threshold, how it was calibrated, what it decides here. */
function policyOf(context: CertifiedThresholdsContext, entry: RiskControlEntry, sweep: PrefixSweep, result: RiskControlResult, calibrationIndices: readonly number[]): RoutingPolicy {
  const threshold = result.threshold!;
  const heldOut = result.heldOut!;
  return {
    schemaVersion: ROUTING_POLICY_SCHEMA_VERSION,
    router: { id: sweep.router.id, options: { ...sweep.router.options, [sweep.option]: threshold } },
    threshold: { option: sweep.option, value: threshold },
    guarantee:
      result.guarantee.kind === 'kept-error'
        ? { kind: 'kept-error', maxKeptErrorRate: result.guarantee.maxKeptErrorRate, delta: entry.delta }
        : { kind: 'delegation-rate', maxDelegationRate: result.guarantee.maxDelegationRate, delta: entry.delta },
    calibration: {
      experiment: context.experiment,
      dataHash: context.calibrationDataHash(
        calibrationIndices.map((index) => context.problems[index]!.id),
        Uint8Array.from(calibrationIndices, (index) => context.table.smallCorrect[index]!),
        Float64Array.from(calibrationIndices, (index) => sweep.scores[index]!),
      ),
      splitSeed: entry.seed,
      calibrationShare: entry.calibrationShare,
      calibrationSize: calibrationIndices.length,
      routerEntry: entry.router,
      heldOut: { size: heldOut.size, keptErrorRate: heldOut.keptErrorRate, delegationRate: heldOut.delegationRate, accuracy: heldOut.accuracy, costUsd: heldOut.costUsd },
    },
    models: [...PAIR_POLICY_MODELS],
    expectedRoutes: Object.fromEntries(context.problems.map((problem, index) => [problem.id, delegatesScore(sweep.scores[index]!, { direction: sweep.direction, threshold }) ? 'large' : 'small'])),
    createdBy: { commit: null, command: context.command },
  };
}
