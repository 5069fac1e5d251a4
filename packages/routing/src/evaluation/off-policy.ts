import { InvalidInputError } from '@confide/core';
import { bootstrapCountStream, percentileInterval } from '@confide/metrics';
import type { Interval } from './router-statistics.js';

/**
 * A log of an exploring router's decisions (core/explore in `confide run`), one entry per problem: the route it took,
 * the probability it gave delegating, and the score it read. Only the outcome of the route taken is observed.
 */
export interface OffPolicyLog {
  /** 1 where the logging router delegated (took `large`), 0 where it kept the small answer. */
  delegated: Uint8Array;
  /** The logging router's probability of delegating (`propensities.large`): above 0 where it delegated, below 1 where it kept. */
  delegateProbability: Float64Array;
  /** The score the logging router read: the doubly robust reward model stratifies by it; NaN (no score) is a stratum of its own. */
  score: Float64Array;
}

/** How the estimates are made: the reward model's strata and folds, and the bootstrap of their intervals. */
export interface OffPolicyOptions {
  /** Strata of the logged score (equal-mass, by the log's quantiles; tied scores share one): default 5. */
  strata?: number;
  /** Folds of the cross-fit: a decision's reward model is fitted on the other folds (decision i is in fold i mod folds); default 2. */
  folds?: number;
  bootstrap: { resamples: number; seed: number; confidence: number };
}

/** One estimator's estimate of the target's mean outcome, with its percentile bootstrap interval. */
export interface OffPolicyEstimate {
  estimate: number;
  interval: Interval;
}

/** The three estimators of one target router's mean outcome (a score or a cost) from one log. */
export interface OffPolicyEstimates {
  /** Inverse propensity scoring: (1/n) Σ w_i y_i, w_i = π(a_i | x_i) / μ(a_i | x_i). Unbiased; its variance grows with the weights. */
  ips: OffPolicyEstimate;
  /** Self-normalised IPS: Σ w_i y_i / Σ w_i. Slightly biased, consistent, usually of lower variance. */
  snips: OffPolicyEstimate;
  /**
   * Doubly robust: (1/n) Σ [Σ_a π(a | x_i) q̂(x_i, a) + w_i (y_i − q̂(x_i, a_i))], with q̂ the mean outcome of each
   * route within the decision's stratum of the logged score, cross-fitted (fitted on the other folds). Unbiased
   * whatever q̂ is; closer q̂, smaller variance.
   */
  doublyRobust: OffPolicyEstimate;
  /** Kish's effective sample size of the weights, (Σ w)² / Σ w²: how many decisions the estimate is worth. */
  effectiveSampleSize: number;
  /** Decisions whose logged route the target also takes (with positive probability). */
  matched: number;
}

const DEFAULT_STRATA = 5;
const DEFAULT_FOLDS = 2;

/** Each decision's stratum of the logged score: equal-mass bins by the log's quantiles, tied scores in one; NaN last. */
export function scoreStrata(score: Float64Array, strata: number): { stratum: Uint16Array; count: number } {
  const finite = Float64Array.from(score.filter((value) => !Number.isNaN(value))).sort();
  // bin k holds the scores up to its edge, the score at quantile (k + 1)/strata; edges repeat on ties and are dropped
  // then, as is an edge at the largest score (its bin would hold everything above: nothing)
  const edges: number[] = [];
  for (let bin = 0; bin < strata - 1 && finite.length > 0; bin++) {
    const edge = finite[Math.max(0, Math.ceil(((bin + 1) * finite.length) / strata) - 1)]!;
    if (edge < finite[finite.length - 1]! && edge !== edges[edges.length - 1]) edges.push(edge);
  }
  const stratum = new Uint16Array(score.length);
  for (let index = 0; index < score.length; index++) {
    const value = score[index]!;
    if (Number.isNaN(value)) stratum[index] = edges.length + 1;
    else {
      let bin = 0;
      while (bin < edges.length && value > edges[bin]!) bin++;
      stratum[index] = bin;
    }
  }
  return { stratum, count: edges.length + 2 };
}

function checkLengths(log: OffPolicyLog, target: Float64Array, outcome: Float64Array): void {
  const n = log.delegated.length;
  for (const [field, array] of [['delegateProbability', log.delegateProbability], ['score', log.score], ['target', target], ['outcome', outcome]] as const) {
    if (array.length !== n) throw new InvalidInputError({ field, problem: `has ${array.length} entries for ${n} logged decisions` });
  }
  if (n === 0) throw new InvalidInputError({ field: 'delegated', problem: 'the log has no decisions' });
}

/** One target router estimated from a log: its probability of delegating each decision, and the outcomes it is estimated on. */
export interface OffPolicyTarget<Outcome extends string> {
  target: Float64Array;
  outcomes: Readonly<Record<Outcome, Float64Array>>;
}

/**
 * Estimates a target router's mean outcomes (its score, its cost) on the logged problems from an exploring router's
 * log, by IPS, SNIPS and doubly robust estimators, each with a percentile interval over `bootstrapCountStream`
 * resamples of the decisions (the same resamples for every outcome; the reward model refitted on every resample).
 * `target[i]` is the target's probability of delegating problem i (0 or 1 for a deterministic router); each outcome's
 * `[i]` is what was observed on the route the log took. A target that would delegate (or keep) where the log never
 * could is refused: nothing in the log speaks for it.
 */
export function offPolicyEstimates<Outcome extends string>(
  log: OffPolicyLog,
  target: Float64Array,
  outcomes: Readonly<Record<Outcome, Float64Array>>,
  options: OffPolicyOptions,
): Record<Outcome, OffPolicyEstimates> {
  return offPolicyEstimatesOfTargets(log, [{ target, outcomes }], options)[0]!;
}

/**
 * `offPolicyEstimates` of several target routers from one log, on one pass of the resamples: each resample is drawn
 * once for all of them, and what does not depend on the target — the decisions drawn, the reward model's counts, and
 * its fit to an outcome several targets share (the same array) — is computed once. Each target's estimates are those
 * `offPolicyEstimates` gives it alone, bit for bit (every sum adds the same terms in the same order). Targets are
 * checked in order, each as `offPolicyEstimates` checks it.
 */
export function offPolicyEstimatesOfTargets<Outcome extends string>(
  log: OffPolicyLog,
  targets: ReadonlyArray<OffPolicyTarget<Outcome>>,
  options: OffPolicyOptions,
): Array<Record<Outcome, OffPolicyEstimates>> {
  if (targets.length === 0) return [];
  const n = log.delegated.length;
  const folds = options.folds ?? DEFAULT_FOLDS;
  const delegated = log.delegated;
  const prepared = targets.map(({ target, outcomes }) => {
    const names = Object.keys(outcomes) as Outcome[];
    for (const name of names) checkLengths(log, target, outcomes[name]);
    return { target, names, ...importanceWeights(log, target) };
  });
  const { stratum, count: strata } = scoreStrata(log.score, options.strata ?? DEFAULT_STRATA);
  // each decision's cell of the reward model: ((fold · strata) + stratum) · 2, and that plus the route it took
  const cell = Uint32Array.from({ length: n }, (_, index) => ((index % folds) * strata + stratum[index]!) * 2);
  const cellTaken = Uint32Array.from(cell, (at, index) => at + delegated[index]!);
  const cells = folds * strata * 2;
  // one reward model per distinct outcome array (several targets may share one, e.g. the score observed)
  const models = new Map<Float64Array, { sum: Float64Array; model: Float64Array }>();
  for (const { outcomes } of targets) {
    for (const outcome of Object.values<Float64Array>(outcomes)) {
      if (!models.has(outcome)) models.set(outcome, { sum: new Float64Array(cells), model: new Float64Array(cells) });
    }
  }
  const cellCount = new Float64Array(cells);
  /** The reward model's out-of-fold means (into `model`) from the count-weighted sums of one outcome. */
  const fitModel = (cellSum: Float64Array, model: Float64Array) => {
    for (let fold = 0; fold < folds; fold++) {
      for (let route = 0; route < 2; route++) {
        // the other folds' mean in the stratum and route, else their mean for the route, else their mean overall
        let [routeSum, routeCount, allSum, allCount] = [0, 0, 0, 0];
        for (let other = 0; other < folds; other++) {
          if (other === fold) continue;
          for (let bin = 0; bin < strata; bin++) {
            const base = (other * strata + bin) * 2;
            routeSum += cellSum[base + route]!;
            routeCount += cellCount[base + route]!;
            allSum += cellSum[base]! + cellSum[base + 1]!;
            allCount += cellCount[base]! + cellCount[base + 1]!;
          }
        }
        const fallback = routeCount > 0 ? routeSum / routeCount : allCount > 0 ? allSum / allCount : 0;
        for (let bin = 0; bin < strata; bin++) {
          let [sum, count] = [0, 0];
          for (let other = 0; other < folds; other++) {
            if (other === fold) continue;
            sum += cellSum[(other * strata + bin) * 2 + route]!;
            count += cellCount[(other * strata + bin) * 2 + route]!;
          }
          model[(fold * strata + bin) * 2 + route] = count > 0 ? sum / count : fallback;
        }
      }
    }
  };
  // the decisions a resample draws (at least once) and how often, in order: every sum adds only their terms
  const drawn = new Uint32Array(n);
  const times = new Float64Array(n);
  /**
   * IPS, SNIPS and DR of every target and outcome on one resample (`counts`: how often each decision was drawn), into
   * `into[target][outcome][estimator][slot]`.
   */
  const statistics = (counts: Uint32Array, into: Float64Array[][][], slot: number) => {
    let drawnCount = 0;
    let total = 0;
    cellCount.fill(0);
    for (let index = 0; index < n; index++) {
      // written at every index, kept (the count moves on) where it was drawn: no branch on the random counts; the
      // counts are integers, so adding the zeros changes no sum
      const count = counts[index]!;
      drawn[drawnCount] = index;
      times[drawnCount] = count;
      drawnCount += Math.min(count, 1);
      cellCount[cellTaken[index]!] += count;
      total += count;
    }
    for (const [outcome, { sum: cellSum, model }] of models) {
      cellSum.fill(0);
      for (let entry = 0; entry < drawnCount; entry++) {
        const index = drawn[entry]!;
        cellSum[cellTaken[index]!] += times[entry]! * outcome[index]!;
      }
      fitModel(cellSum, model);
    }
    prepared.forEach(({ target, names, weight }, position) => {
      names.forEach((name, outcomePosition) => {
        const outcome = targets[position]!.outcomes[name];
        const model = models.get(outcome)!.model;
        // Σ count·w (the same for every outcome of the target: summed alongside, rather than in a pass of its own)
        let weights = 0;
        let weighted = 0;
        let robust = 0;
        for (let entry = 0; entry < drawnCount; entry++) {
          const index = drawn[entry]!;
          const count = times[entry]!;
          const y = outcome[index]!;
          const at = cell[index]!;
          const keep = model[at]!;
          const delegate = model[at + 1]!;
          // the model's value on the route taken (delegate where it delegated, else keep)
          const predicted = model[cellTaken[index]!]!;
          const drawnWeight = count * weight[index]!;
          weights += drawnWeight;
          weighted += drawnWeight * y;
          robust += count * (keep + target[index]! * (delegate - keep) + weight[index]! * (y - predicted));
        }
        const samples = into[position]![outcomePosition]!;
        samples[0]![slot] = weighted / total;
        samples[1]![slot] = weights > 0 ? weighted / weights : Number.NaN;
        samples[2]![slot] = robust / total;
      });
    });
  };
  const { resamples, seed, confidence } = options.bootstrap;
  const samplesOf = (length: number) => prepared.map(({ names }) => names.map(() => [new Float64Array(length), new Float64Array(length), new Float64Array(length)]));
  const samples = samplesOf(resamples);
  let resample = 0;
  for (const counts of bootstrapCountStream(n, resamples, seed)) statistics(counts, samples, resample++);
  const points = samplesOf(1);
  statistics(new Uint32Array(n).fill(1), points, 0);
  return prepared.map(({ names, weight, matched }, position) => {
    let [sumWeights, sumSquares] = [0, 0];
    for (const value of weight) {
      sumWeights += value;
      sumSquares += value * value;
    }
    const effectiveSampleSize = sumSquares > 0 ? (sumWeights * sumWeights) / sumSquares : 0;
    const estimates = {} as Record<Outcome, OffPolicyEstimates>;
    names.forEach((name, outcomePosition) => {
      const estimateOf = (estimator: 0 | 1 | 2): OffPolicyEstimate => ({
        estimate: points[position]![outcomePosition]![estimator]![0]!,
        interval: percentileInterval(samples[position]![outcomePosition]![estimator]!, confidence),
      });
      estimates[name] = { ips: estimateOf(0), snips: estimateOf(1), doublyRobust: estimateOf(2), effectiveSampleSize, matched };
    });
    return estimates;
  });
}

/**
 * Each decision's importance weight π(a_i | x_i) / μ(a_i | x_i) for a target, and how many decisions its route matches;
 * refuses a propensity that gives the logged route no chance, and a target the log cannot speak for.
 */
function importanceWeights(log: OffPolicyLog, target: Float64Array): { weight: Float64Array; matched: number } {
  const n = log.delegated.length;
  const weight = new Float64Array(n);
  let unsupported = 0;
  let matched = 0;
  for (let index = 0; index < n; index++) {
    const delegateProbability = log.delegateProbability[index]!;
    const logged = log.delegated[index] === 1 ? delegateProbability : 1 - delegateProbability;
    if (!(logged > 0)) throw new InvalidInputError({ field: 'delegateProbability', problem: `decision ${index} took a route its propensity gives probability ${logged}` });
    const targetDelegates = target[index]!;
    // the route the log could not take, which the target takes: no logged decision speaks for it
    if ((delegateProbability === 0 && targetDelegates > 0) || (delegateProbability === 1 && targetDelegates < 1)) unsupported++;
    const targetLogged = log.delegated[index] === 1 ? targetDelegates : 1 - targetDelegates;
    weight[index] = targetLogged / logged;
    if (targetLogged > 0) matched++;
  }
  if (unsupported > 0) {
    throw new InvalidInputError({ field: 'target', problem: `takes a route the logging router gave probability 0 on ${unsupported} of ${n} problems: the log cannot estimate it` });
  }
  return { weight, matched };
}
