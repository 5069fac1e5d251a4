import { COST_UNITS_PER_USD, type ModelOutcomeTable } from '../outcome-table.js';
import { checkModelIndices } from './router-result.js';

/**
 * The P(c) threshold router of an ordered (keep, escalate-to) pair: the keep model answers every problem; its answer is
 * kept where its P(c) is at or above the threshold (core's keep-high rule), else the escalate-to model answers too and
 * its answer is taken (both calls paid). An answer without P(c) escalates at every threshold. The threshold is swept
 * over every distinct P(c) of the keep model, plus one past the largest (escalate everything), as `distinctThresholds`
 * makes a sweep; each point is read off prefix sums over the problems in descending P(c), not one pass per threshold.
 */
export interface PConfidentSweep {
  keep: number;
  escalateTo: number;
  name: string;
  /** Thresholds, descending: each distinct P(c), then one past the largest first (keeps nothing). */
  thresholds: Float64Array;
  /** Per threshold, how many problems it keeps: the first `keptCount[t]` of `order`. */
  keptCount: Uint32Array;
  /** Problems with a P(c), by P(c) descending (ties in table order). */
  order: Uint32Array;
}

/** The sweep's order and thresholds for the pair (keep, escalateTo); null where the keep model has no P(c) at all. */
export function pConfidentSweep(table: ModelOutcomeTable, keep: number, escalateTo: number): PConfidentSweep | null {
  checkModelIndices(table, [keep, escalateTo], 'pair');
  const { pConfident, pConfidentPresent } = table.models[keep]!;
  const present: number[] = [];
  for (let problem = 0; problem < table.problemCount; problem++) if (pConfidentPresent[problem] === 1) present.push(problem);
  if (present.length === 0) return null;
  present.sort((left, right) => pConfident[right]! - pConfident[left]! || left - right);
  const thresholds: number[] = [pConfident[present[0]!]! + 1];
  const keptCount: number[] = [0];
  present.forEach((problem, position) => {
    const value = pConfident[problem]!;
    // a threshold at each distinct value keeps every problem at or above it: the run of equal values ends here
    const next = present[position + 1];
    if (next === undefined || pConfident[next]! !== value) {
      thresholds.push(value);
      keptCount.push(position + 1);
    }
  });
  return {
    keep,
    escalateTo,
    name: `P(c) threshold ${table.labels[keep]} → ${table.labels[escalateTo]}`,
    thresholds: Float64Array.from(thresholds),
    keptCount: Uint32Array.from(keptCount),
    order: Uint32Array.from(present),
  };
}

/** Each threshold's mean score and mean cost per problem (dollars), and the share of problems it keeps. */
export interface SweepPoints {
  meanScore: Float64Array;
  meanCostUsd: Float64Array;
  keptShare: Float64Array;
}

/**
 * The sweep's points in O(n + thresholds): with every problem escalated, the score is Σ escalate-to's score and the
 * cost Σ (keep's + escalate-to's cost); keeping a problem adds (keep's score − escalate-to's score) and takes off
 * escalate-to's cost, summed along `order`. With `weight` (bootstrap multiplicities) every sum is weighted and the
 * means divide by the problem count, as a resample's means do.
 */
export function pConfidentSweepPoints(table: ModelOutcomeTable, sweep: PConfidentSweep, weight?: ArrayLike<number>): SweepPoints {
  const n = table.problemCount;
  const keep = table.models[sweep.keep]!;
  const escalate = table.models[sweep.escalateTo]!;
  let scoreSum = 0;
  let costSum = 0;
  for (let problem = 0; problem < n; problem++) {
    const w = weight === undefined ? 1 : weight[problem]!;
    scoreSum += w * escalate.score[problem]!;
    costSum += w * (keep.costHundredMillionths[problem]! + escalate.costHundredMillionths[problem]!);
  }
  const count = sweep.thresholds.length;
  const points: SweepPoints = { meanScore: new Float64Array(count), meanCostUsd: new Float64Array(count), keptShare: new Float64Array(count) };
  let kept = 0;
  let keptWeight = 0;
  for (let threshold = 0; threshold < count; threshold++) {
    for (; kept < sweep.keptCount[threshold]!; kept++) {
      const problem = sweep.order[kept]!;
      const w = weight === undefined ? 1 : weight[problem]!;
      scoreSum += w * (keep.score[problem]! - escalate.score[problem]!);
      costSum -= w * escalate.costHundredMillionths[problem]!;
      keptWeight += w;
    }
    points.meanScore[threshold] = n === 0 ? 0 : scoreSum / n;
    points.meanCostUsd[threshold] = n === 0 ? 0 : costSum / n / COST_UNITS_PER_USD;
    points.keptShare[threshold] = n === 0 ? 0 : keptWeight / n;
  }
  return points;
}

/** Every ordered pair (keep, escalate-to) whose keep model has a P(c): one sweep each, in table order. */
export function everyPConfidentSweep(table: ModelOutcomeTable): PConfidentSweep[] {
  const sweeps: PConfidentSweep[] = [];
  for (let keep = 0; keep < table.labels.length; keep++) {
    for (let escalateTo = 0; escalateTo < table.labels.length; escalateTo++) {
      if (escalateTo === keep) continue;
      const sweep = pConfidentSweep(table, keep, escalateTo);
      if (sweep === null) break;
      sweeps.push(sweep);
    }
  }
  return sweeps;
}
