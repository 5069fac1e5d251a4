import type { OutcomeTable } from '../../sweep/outcome-table.js';
import type { ResamplePlan } from '../resample-plan.js';
import type { Interval } from '../router-statistics.js';
import type { RouterCurve } from './router-curves.js';

/** One router at its reported point beside the baselines of equal spend. */
export interface FairBaseline {
  id: string;
  label: string;
  accuracy: number;
  costUsd: number;
  /**
   * The cost-matched random mix: it delegates a random share `rate` chosen so its expected cost equals the router's
   * (clipped to [0, 1]: `matched` says whether the router's cost lies within the mix's range). Like the router, it
   * calls the small model on every problem when the router pays the small answer of every problem it delegates
   * (`after-small-answer`: a post-hoc router), and one model per problem otherwise (`before-generation`). Its
   * expected score per problem is (1 − rate)·s_small + rate·s_large.
   */
  mix: { kind: 'after-small-answer' | 'before-generation'; rate: number; accuracy: number; costUsd: number; matched: boolean };
  /** The router's mean score minus the mix's, with the paired-bootstrap interval of the per-problem difference. */
  difference: number;
  differenceInterval: Interval;
  /** Credited when that interval lies above 0 (the router beats its cost-matched mix); below 0: it does worse. */
  verdict: 'credited' | 'not credited' | 'worse than the mix';
  /** The most accurate single model costing no more than the router (null when neither does). */
  bestSingleModel: { label: 'small' | 'large'; accuracy: number; costUsd: number } | null;
}

export interface FairBaselines {
  routers: FairBaseline[];
  /** Cohen's κ between every two routers' routes (delegated or not) at their reported points; null where undefined (a router that routes every problem alike). */
  agreement: { routers: string[]; kappa: Array<Array<number | null>> };
}

/** Cohen's κ between two binary route vectors: (p_o − p_e) / (1 − p_e); null when p_e = 1. */
export function cohensKappa(left: ArrayLike<number>, right: ArrayLike<number>): number | null {
  const n = left.length;
  if (n === 0) return null;
  let agree = 0;
  let leftOnes = 0;
  let rightOnes = 0;
  for (let index = 0; index < n; index++) {
    if (left[index] === right[index]) agree++;
    leftOnes += left[index]!;
    rightOnes += right[index]!;
  }
  const [pLeft, pRight] = [leftOnes / n, rightOnes / n];
  const expected = pLeft * pRight + (1 - pLeft) * (1 - pRight);
  return expected >= 1 ? null : (agree / n - expected) / (1 - expected);
}

/**
 * Fair baselines of every router of the pair at its reported point (issue 28): the cost-matched random mix — the
 * router is credited only when the paired-bootstrap interval of its per-problem score minus the mix's expected score
 * excludes 0 — the best single model at equal cost, and Cohen's κ between routers' routes. The intervals are
 * registered on the evaluation's one bootstrap pass; `finish` sets the verdicts once it has run.
 */
export function fairBaselines(table: OutcomeTable, curves: readonly RouterCurve[], plan: ResamplePlan): { baselines: FairBaselines; finish: () => void } {
  const n = table.problemIds.length;
  const sum = (values: ArrayLike<number>) => {
    let total = 0;
    for (let index = 0; index < values.length; index++) total += values[index]!;
    return total;
  };
  const [smallCost, largeCost] = [sum(table.smallCost), sum(table.largeCost)];
  const [smallScore, largeScore] = [sum(table.smallScore), sum(table.largeScore)];
  // the difference's resampled mean is linear in three resampled means: the router's own (reused where its curve
  // kept them) and the small and large models' (one pass each, shared by every router). Consumers of a resample run
  // in the order they were registered, so these — registered after the curves' — read samples already filled.
  const smallMeans = plan.weighted(table.smallScore, (total) => total / n);
  const largeMeans = plan.weighted(table.largeScore, (total) => total / n);
  const differenceSamples = (curve: RouterCurve, rate: number): Float64Array => {
    const routerMeans = curve.accuracySamples ?? plan.weighted(curve.reportedOutcomes.score, (total) => total / n);
    const samples = new Float64Array(plan.settings.resamples);
    plan.each((_counts, resample) => {
      samples[resample] = routerMeans[resample]! - ((1 - rate) * smallMeans[resample]! + rate * largeMeans[resample]!);
    });
    return samples;
  };
  const routers = curves.map((curve): FairBaseline => {
    const outcomes = curve.reportedOutcomes;
    const routerCost = sum(outcomes.cost);
    // post-hoc when every delegated problem paid the small answer too (a router with no delegation counts as post-hoc)
    let postHoc = true;
    for (let index = 0; index < n && postHoc; index++) {
      if (outcomes.delegated[index] === 1 && outcomes.cost[index]! < table.smallCost[index]! + table.largeCost[index]! - 1e-9) postHoc = false;
    }
    // expected cost of the mix at rate p: Σ small + p·Σ large (post-hoc), or (1 − p)·Σ small + p·Σ large
    const span = postHoc ? largeCost : largeCost - smallCost;
    const exactRate = span === 0 ? 0 : (routerCost - smallCost) / span;
    const rate = Math.min(1, Math.max(0, exactRate));
    const difference = Float64Array.from(outcomes.score, (score, index) => score - ((1 - rate) * table.smallScore[index]! + rate * table.largeScore[index]!));
    const singles = [
      { label: 'small' as const, accuracy: n === 0 ? 0 : smallScore / n, costUsd: smallCost / 1e8 },
      { label: 'large' as const, accuracy: n === 0 ? 0 : largeScore / n, costUsd: largeCost / 1e8 },
    ].filter((single) => single.costUsd <= routerCost / 1e8 + 1e-12);
    return {
      id: curve.id,
      label: curve.label,
      // the reported outcomes' own mean (a router repeated over seeds reports the mean of its seeds; its first seed is compared)
      accuracy: n === 0 ? 0 : sum(outcomes.score) / n,
      costUsd: routerCost / 1e8,
      mix: {
        kind: postHoc ? 'after-small-answer' : 'before-generation',
        rate,
        accuracy: n === 0 ? 0 : ((1 - rate) * smallScore + rate * largeScore) / n,
        costUsd: (postHoc ? smallCost + rate * largeCost : (1 - rate) * smallCost + rate * largeCost) / 1e8,
        matched: exactRate >= -1e-12 && exactRate <= 1 + 1e-12,
      },
      difference: n === 0 ? 0 : sum(difference) / n,
      differenceInterval: plan.intervalWhenRun(differenceSamples(curve, rate)),
      verdict: 'not credited',
      bestSingleModel: singles.length === 0 ? null : singles.reduce((best, single) => (single.accuracy > best.accuracy ? single : best)),
    };
  });
  const routing = curves.filter((curve) => curve.kind !== 'cascade');
  const kappa = routing.map((left) => routing.map((right) => cohensKappa(left.reportedOutcomes.delegated, right.reportedOutcomes.delegated)));
  const finish = () => {
    for (const router of routers) {
      const { lower, upper } = router.differenceInterval;
      router.verdict = lower > 0 ? 'credited' : upper < 0 ? 'worse than the mix' : 'not credited';
    }
  };
  return { baselines: { routers, agreement: { routers: routing.map((curve) => curve.id), kappa } }, finish };
}
