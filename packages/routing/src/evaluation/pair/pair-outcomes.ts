import { gradeScore, type Problem, type RunRecord } from '@confide/core';
import type { CostLedger } from '../../cost-ledger.js';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import type { OperatingPoint, ThresholdSweep } from '../../sweep/threshold-sweep.js';
import type { ResamplePlan } from '../resample-plan.js';
import type { Interval, ProblemOutcomes } from '../router-statistics.js';

/**
 * Per-problem outcomes of a routed run (the engine's records and ledger), in the order of `problems`: the answer's
 * graded score and binary verdict, whether it was delegated, and every call paid for it (a peek at the large answer,
 * which only the oracle takes, is not paid).
 */
export function outcomesOfRun(records: readonly RunRecord[], ledger: CostLedger, problems: readonly Problem[]): ProblemOutcomes {
  const index = new Map(problems.map((problem, position) => [problem.id, position]));
  const outcomes = emptyOutcomes(problems.length);
  for (const record of records) {
    const position = index.get(record.problemId)!;
    outcomes.correct[position] = record.grade.correct ? 1 : 0;
    outcomes.score[position] = gradeScore(record.grade);
    outcomes.delegated[position] = record.route?.target === 'large' ? 1 : 0;
  }
  for (const entry of ledger.entries) {
    if (entry.role !== 'peek') outcomes.cost[index.get(entry.problemId)!]! += entry.costHundredMillionths;
  }
  return outcomes;
}

/** Per-problem outcomes of a prefix-sum sweep at its k-th threshold. */
export function outcomesOfSweepPoint(table: OutcomeTable, sweep: ThresholdSweep, k: number): ProblemOutcomes {
  const n = table.problemIds.length;
  const outcomes = emptyOutcomes(n);
  const delegatedCount = sweep.delegatedCounts[k]!;
  for (let position = 0; position < n; position++) {
    const index = sweep.order[position]!;
    const delegated = position < delegatedCount;
    outcomes.delegated[index] = delegated ? 1 : 0;
    outcomes.correct[index] = delegated ? table.largeCorrect[index]! : table.smallCorrect[index]!;
    outcomes.score[index] = delegated ? table.largeScore[index]! : table.smallScore[index]!;
    outcomes.cost[index] = table.smallCost[index]! + (delegated ? table.largeCost[index]! : 0);
  }
  return outcomes;
}

function emptyOutcomes(n: number): ProblemOutcomes {
  return { correct: new Uint8Array(n), score: new Float64Array(n), cost: new Float64Array(n), delegated: new Uint8Array(n) };
}

/** The index of the point whose delegation rate is closest to `rate` (the first of equals). */
export function closestToRate(points: readonly OperatingPoint[], rate: number): number {
  let best = 0;
  for (let k = 1; k < points.length; k++) {
    if (Math.abs(points[k]!.delegationRate - rate) < Math.abs(points[best]!.delegationRate - rate)) best = k;
  }
  return best;
}

/**
 * Intervals of a routed run's mean score and total cost (dollars), registered on the evaluation's one bootstrap pass
 * (filled when it has run), with the mean score's samples (other statistics of the same resamples reuse them).
 */
export function outcomeIntervals(outcomes: ProblemOutcomes, plan: ResamplePlan): { intervals: { accuracy: Interval; costUsd: Interval }; accuracySamples: Float64Array } {
  const n = outcomes.score.length;
  const accuracySamples = plan.weighted(outcomes.score, (sum) => sum / n);
  return {
    intervals: { accuracy: plan.intervalWhenRun(accuracySamples), costUsd: plan.intervalWhenRun(plan.weighted(outcomes.cost, (sum) => sum / 1e8)) },
    accuracySamples,
  };
}
