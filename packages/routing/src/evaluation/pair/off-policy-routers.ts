import { generationCost, gradeScore, InvalidConfigError, type PriceTable, type RunRecord } from '@confide/core';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import { offPolicyEstimatesOfTargets, type OffPolicyEstimate, type OffPolicyLog } from '../off-policy.js';
import type { RouterCurve } from './router-curves.js';

/**
 * An exploration log as columns over the ablation's problems it holds (in the table's order): what the logging router
 * chose and how likely it was to, the score it read, and what was observed on the route it took — the answer's score,
 * the small answer's cost (the logging router read it on every problem) and the large answer's cost where it delegated.
 */
export interface ExplorationLog extends OffPolicyLog {
  /** The log as the experiment names it. */
  reference: string;
  /** The router that made the log, as its routes name it (e.g. core/explore). */
  router: string;
  /** Indices into the ablation's table of the problems the log holds. */
  tableIndices: Uint32Array;
  /** The score of the answer taken. */
  outcomeScore: Float64Array;
  /** The small answer's cost (1e-8 dollars). */
  smallCost: Float64Array;
  /** The large answer's cost (1e-8 dollars) where the log delegated; NaN where it did not (never observed). */
  largeCost: Float64Array;
  /** Problems of the ablation the log holds no decision for. */
  missing: number;
}

/**
 * Reads an exploration log: the delegated run's records (each route with its `propensities`) and its small side run
 * (`<log>/small`, the answers the logging router read), over the ablation's problems. A record without propensities is
 * refused: the run is not an exploration log.
 */
export function explorationLog(
  reference: string,
  table: OutcomeTable,
  records: readonly RunRecord[],
  smallRecords: readonly RunRecord[],
  prices: PriceTable,
): ExplorationLog {
  const byProblem = new Map(records.map((record) => [record.problemId, record]));
  const smallByProblem = new Map(smallRecords.map((record) => [record.problemId, record]));
  const indices = table.problemIds.flatMap((id, index) => (byProblem.has(id) ? [index] : []));
  const n = indices.length;
  if (n === 0) throw new InvalidConfigError(`offPolicy: the log "${reference}" holds a decision for none of the ablation's problems`);
  const log: ExplorationLog = {
    reference,
    router: '',
    tableIndices: Uint32Array.from(indices),
    delegated: new Uint8Array(n),
    delegateProbability: new Float64Array(n),
    score: new Float64Array(n),
    outcomeScore: new Float64Array(n),
    smallCost: new Float64Array(n),
    largeCost: new Float64Array(n).fill(Number.NaN),
    missing: table.problemIds.length - n,
  };
  indices.forEach((tableIndex, index) => {
    const id = table.problemIds[tableIndex]!;
    const record = byProblem.get(id)!;
    const route = record.route;
    const delegateProbability = route?.propensities?.['large'];
    if (route === undefined || delegateProbability === undefined) {
      throw new InvalidConfigError(`offPolicy: "${reference}" is not an exploration log: its record of ${id} has no route.propensities (a run routed by an exploring router such as core/explore has them)`);
    }
    log.router ||= route.router;
    const small = smallByProblem.get(id);
    if (small === undefined) throw new InvalidConfigError(`offPolicy: the log's small run ("${reference}/small") has no answer to ${id}: the logging router must read the small answer on every problem`);
    log.delegated[index] = route.target === 'large' ? 1 : 0;
    log.delegateProbability[index] = delegateProbability;
    log.score[index] = route.score ?? Number.NaN;
    log.outcomeScore[index] = gradeScore(record.grade);
    log.smallCost[index] = generationCost(prices, small.generation).hundredMillionths;
    if (route.target === 'large') log.largeCost[index] = generationCost(prices, record.generation).hundredMillionths;
  });
  return log;
}

/** One router at its reported point, estimated from the log by each estimator, beside what it actually scores and costs there. */
export interface OffPolicyRouterEstimate {
  id: string;
  label: string;
  /** What the router pays when it delegates: the small answer too (`after-small-answer`), or the large one alone. */
  kind: 'after-small-answer' | 'before-generation';
  /** The router's mean score and cost per problem on the logged problems, from its reported outcomes (both answers exist). */
  actual: { accuracy: number; meanCostUsd: number };
  accuracy: { ips: OffPolicyEstimate; snips: OffPolicyEstimate; doublyRobust: OffPolicyEstimate };
  meanCostUsd: { ips: OffPolicyEstimate; snips: OffPolicyEstimate; doublyRobust: OffPolicyEstimate };
  /** Kish's effective sample size of the importance weights. */
  effectiveSampleSize: number;
  /** Logged decisions that took the router's route. */
  matched: number;
}

export interface OffPolicyResults {
  /** The log as the experiment names it, and the router that made it. */
  log: string;
  logRouter: string;
  /** Logged problems evaluated, and the ablation's problems the log holds no decision for. */
  problems: number;
  missing: number;
  /** The logging router's own figures on those problems (on-policy): its delegation rate, mean score and cost per problem. */
  logged: { delegationRate: number; accuracy: number; meanCostUsd: number };
  /** The doubly robust reward model: strata of the logged score, folds of the cross-fit. */
  strata: number;
  folds: number;
  routers: OffPolicyRouterEstimate[];
}

/** Whether a router's delegated problems paid the small answer too (a router with no delegation counts as post-hoc). */
function paysSmallWhenDelegating(table: OutcomeTable, outcomes: RouterCurve['reportedOutcomes']): boolean {
  for (let index = 0; index < outcomes.delegated.length; index++) {
    if (outcomes.delegated[index] === 1 && outcomes.cost[index]! < table.smallCost[index]! + table.largeCost[index]! - 1e-9) return false;
  }
  return true;
}

/**
 * Off-policy estimates (issue 28) of the pair's routers at their reported points from an exploration log: each
 * router's per-problem choice is its reported outcomes' `delegated`; its cost on a route is what the log observed on
 * it (delegating pays the small answer too for a router that reads it first). IPS, SNIPS and doubly robust, with
 * percentile bootstrap intervals; beside them what the router actually scores and costs on the same problems.
 */
export function offPolicyRouters(
  table: OutcomeTable,
  curves: readonly RouterCurve[],
  log: ExplorationLog,
  entries: { routers: readonly string[]; strata: number; folds: number },
  bootstrap: { resamples: number; seed: number; confidence: number },
): OffPolicyResults {
  const n = log.tableIndices.length;
  const mean = (values: ArrayLike<number>) => Array.from(values).reduce((total, value) => total + value, 0) / values.length;
  // the cost observed on the logged route, for a router that pays the small answer when it delegates and for one that
  // does not: one array each, shared by the routers of that kind (the estimators fit one reward model per array)
  const observedCosts = new Map<boolean, Float64Array>();
  const observedCost = (postHoc: boolean): Float64Array => {
    let cost = observedCosts.get(postHoc);
    if (cost === undefined) {
      cost = Float64Array.from(log.tableIndices, (_, index) => (log.delegated[index] === 1 ? log.largeCost[index]! + (postHoc ? log.smallCost[index]! : 0) : log.smallCost[index]!) / 1e8);
      observedCosts.set(postHoc, cost);
    }
    return cost;
  };
  const entered = entries.routers.map((id) => {
    const curve = curves.find((candidate) => candidate.id === id);
    if (curve === undefined || curve.kind === 'cascade') throw new InvalidConfigError(`offPolicy: "${id}" is not a router entry of the pair (entries: ${curves.filter((entry) => entry.kind !== 'cascade').map((entry) => entry.id).join(', ')})`);
    const outcomes = curve.reportedOutcomes;
    const postHoc = paysSmallWhenDelegating(table, outcomes);
    const target = Float64Array.from(log.tableIndices, (tableIndex) => outcomes.delegated[tableIndex]!);
    return { id, curve, postHoc, target, outcomes: { accuracy: log.outcomeScore, meanCostUsd: observedCost(postHoc) } };
  });
  // every router on one pass of the resamples (the log's observed score shared by all)
  const estimated = offPolicyEstimatesOfTargets(log, entered, { strata: entries.strata, folds: entries.folds, bootstrap });
  const routers = entered.map(({ id, curve, postHoc }, position): OffPolicyRouterEstimate => {
    const estimates = estimated[position]!;
    const outcomes = curve.reportedOutcomes;
    const pick = (outcome: 'accuracy' | 'meanCostUsd') => ({ ips: estimates[outcome].ips, snips: estimates[outcome].snips, doublyRobust: estimates[outcome].doublyRobust });
    return {
      id,
      label: curve.label,
      kind: postHoc ? 'after-small-answer' : 'before-generation',
      actual: {
        accuracy: mean(Float64Array.from(log.tableIndices, (tableIndex) => outcomes.score[tableIndex]!)),
        meanCostUsd: mean(Float64Array.from(log.tableIndices, (tableIndex) => outcomes.cost[tableIndex]!)) / 1e8,
      },
      accuracy: pick('accuracy'),
      meanCostUsd: pick('meanCostUsd'),
      effectiveSampleSize: estimates.accuracy.effectiveSampleSize,
      matched: estimates.accuracy.matched,
    };
  });
  return {
    log: log.reference,
    logRouter: log.router,
    problems: n,
    missing: log.missing,
    logged: {
      delegationRate: mean(log.delegated),
      accuracy: mean(log.outcomeScore),
      meanCostUsd: mean(Float64Array.from(log.delegated, (delegated, index) => log.smallCost[index]! + (delegated === 1 ? log.largeCost[index]! : 0))) / 1e8,
    },
    strata: entries.strata,
    folds: entries.folds,
    routers,
  };
}
