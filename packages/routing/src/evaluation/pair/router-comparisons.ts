import { InvalidConfigError } from '@confide/core';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import { mcnemarComparison, type ProblemOutcomes, type RouterComparison } from '../router-statistics.js';
import type { ResamplePlan } from '../resample-plan.js';
import { closestToRate, outcomesOfSweepPoint } from './pair-outcomes.js';
import type { PairRouterCurves, RouterCurve } from './router-curves.js';

/** A comparison an experiment asks for: two router entries, each at its point closest to a delegation rate. */
export interface ComparisonEntry {
  routers: readonly [string, string] | readonly string[];
  atDelegationRate: number;
}

/**
 * Each requested comparison: both routers at their points closest to the rate (a prefix-sum sweep, or a sweep through
 * the engine over any option), the paired-bootstrap difference of mean scores and McNemar's test on verdicts.
 */
export function compareRouters(table: OutcomeTable, routers: PairRouterCurves, entries: readonly ComparisonEntry[], plan: ResamplePlan): RouterComparison[] {
  return entries.map((comparison) => {
    const [left, right] = comparison.routers.map((id) => routers.curves.find((curve) => curve.id === id)!) as [RouterCurve, RouterCurve];
    const pick = (curve: RouterCurve): ProblemOutcomes => {
      // a prefix-sum sweep at every threshold (its stored curve may be a grid), a sweep through the engine at its values
      const sweep = routers.sweeps.get(curve.id);
      if (sweep) return outcomesOfSweepPoint(table, sweep.sweep, closestToRate(sweep.sweep.points(), comparison.atDelegationRate));
      const outcomes = routers.engineSweepOutcomes.get(curve.id);
      if (outcomes) return outcomes[closestToRate(curve.points, comparison.atDelegationRate)]!;
      throw new InvalidConfigError(`comparisons: router entry "${curve.id}" has one operating point; it cannot be placed at delegation rate ${comparison.atDelegationRate}`);
    };
    return mcnemarComparison(left.label, pick(left), right.label, pick(right), comparison.atDelegationRate, plan);
  });
}
