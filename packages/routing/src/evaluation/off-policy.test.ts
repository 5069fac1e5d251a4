import { createRandom } from '@confide/core';
import { bootstrapCountStream, percentileInterval } from '@confide/metrics';
import { describe, expect, it } from 'vitest';
import { offPolicyEstimates, offPolicyEstimatesOfTargets, scoreStrata, type OffPolicyLog } from './off-policy.js';

const BOOTSTRAP = { resamples: 250, seed: 0, confidence: 0.95 };

describe('offPolicyEstimates on a log computed by hand', () => {
  // decision: delegated, P(delegate) logged, target's P(delegate), outcome
  //   0: kept,      0.25, 1, 1   w = 0/0.75 = 0
  //   1: delegated, 0.8,  1, 1   w = 1/0.8 = 1.25
  //   2: kept,      0.5,  0, 0   w = 1/0.5 = 2
  //   3: delegated, 0.75, 0, 1   w = 0
  const log: OffPolicyLog = { delegated: Uint8Array.from([0, 1, 0, 1]), delegateProbability: Float64Array.from([0.25, 0.8, 0.5, 0.75]), score: Float64Array.from([0.1, 0.2, 0.8, 0.9]) };
  const target = Float64Array.from([1, 1, 0, 0]);
  const outcome = Float64Array.from([1, 1, 0, 1]);

  it('IPS = Σ w·y / n, SNIPS = Σ w·y / Σ w, and the cross-fitted doubly robust estimate', () => {
    const estimates = offPolicyEstimates(log, target, { outcome }, { strata: 1, folds: 2, bootstrap: BOOTSTRAP }).outcome;
    expect(estimates.ips.estimate).toBeCloseTo(1.25 / 4, 12);
    expect(estimates.snips.estimate).toBeCloseTo(1.25 / 3.25, 12);
    // one stratum, folds {0, 2} and {1, 3}. Fold 0's model from fold 1: keep — none there, so fold 1's mean 1; delegate 1.
    // Fold 1's model from fold 0: keep 0.5; delegate — none there, so fold 0's mean 0.5.
    // DR terms: 0: 1 + 0·(1 − 1) = 1; 1: 0.5 + 1.25·(1 − 0.5) = 1.125; 2: 1 + 2·(0 − 1) = −1; 3: 0.5 + 0 = 0.5
    expect(estimates.doublyRobust.estimate).toBeCloseTo((1 + 1.125 - 1 + 0.5) / 4, 12);
    expect(estimates.effectiveSampleSize).toBeCloseTo(3.25 ** 2 / (1.25 ** 2 + 4), 12);
    expect(estimates.matched).toBe(2);
  });

  it('refuses a target that takes a route the log could never take', () => {
    const never = { ...log, delegateProbability: Float64Array.from([0, 0.8, 0.5, 0.75]) };
    expect(() => offPolicyEstimates(never, target, { outcome }, { bootstrap: BOOTSTRAP })).toThrow(/takes a route the logging router gave probability 0 on 1 of 4 problems/);
    expect(() => offPolicyEstimates(log, Float64Array.from([1, 1, 0]), { outcome }, { bootstrap: BOOTSTRAP })).toThrow(/3 entries for 4 logged decisions/);
  });
});

/**
 * The estimators as first written, one target and one outcome at a time (every decision visited on every resample,
 * each resample drawn again for each target): the reference the shared pass must equal bit for bit.
 */
function referenceEstimates(log: OffPolicyLog, target: Float64Array, outcome: Float64Array, strataWanted: number, folds: number) {
  const n = log.delegated.length;
  const { stratum, count: strata } = scoreStrata(log.score, strataWanted);
  const weight = Float64Array.from(target, (targetDelegates, index) => {
    const logged = log.delegated[index] === 1 ? log.delegateProbability[index]! : 1 - log.delegateProbability[index]!;
    return (log.delegated[index] === 1 ? targetDelegates : 1 - targetDelegates) / logged;
  });
  const cell = Uint32Array.from({ length: n }, (_, index) => ((index % folds) * strata + stratum[index]!) * 2);
  const statistics = (counts: ArrayLike<number>) => {
    const [cellCount, cellSum, model] = [new Float64Array(folds * strata * 2), new Float64Array(folds * strata * 2), new Float64Array(folds * strata * 2)];
    let [total, weighted, weights] = [0, 0, 0];
    for (let index = 0; index < n; index++) {
      const count = counts[index]!;
      if (count === 0) continue;
      const drawnWeight = count * weight[index]!;
      cellCount[cell[index]! + log.delegated[index]!] += count;
      cellSum[cell[index]! + log.delegated[index]!] += count * outcome[index]!;
      total += count;
      weighted += drawnWeight * outcome[index]!;
      weights += drawnWeight;
    }
    for (let fold = 0; fold < folds; fold++) {
      for (let route = 0; route < 2; route++) {
        let [routeSum, routeCount, allSum, allCount] = [0, 0, 0, 0];
        for (let other = 0; other < folds; other++) {
          if (other === fold) continue;
          for (let bin = 0; bin < strata; bin++) {
            const base = (other * strata + bin) * 2;
            [routeSum, routeCount] = [routeSum + cellSum[base + route]!, routeCount + cellCount[base + route]!];
            [allSum, allCount] = [allSum + (cellSum[base]! + cellSum[base + 1]!), allCount + (cellCount[base]! + cellCount[base + 1]!)];
          }
        }
        const fallback = routeCount > 0 ? routeSum / routeCount : allCount > 0 ? allSum / allCount : 0;
        for (let bin = 0; bin < strata; bin++) {
          let [sum, count] = [0, 0];
          for (let other = 0; other < folds; other++) {
            if (other === fold) continue;
            [sum, count] = [sum + cellSum[(other * strata + bin) * 2 + route]!, count + cellCount[(other * strata + bin) * 2 + route]!];
          }
          model[(fold * strata + bin) * 2 + route] = count > 0 ? sum / count : fallback;
        }
      }
    }
    let robust = 0;
    for (let index = 0; index < n; index++) {
      const count = counts[index]!;
      if (count === 0) continue;
      const [keep, delegate] = [model[cell[index]!]!, model[cell[index]! + 1]!];
      const predicted = log.delegated[index] === 1 ? delegate : keep;
      robust += count * (keep + target[index]! * (delegate - keep) + weight[index]! * (outcome[index]! - predicted));
    }
    return [weighted / total, weights > 0 ? weighted / weights : Number.NaN, robust / total] as const;
  };
  const samples: Array<readonly number[]> = [];
  for (const counts of bootstrapCountStream(n, BOOTSTRAP.resamples, BOOTSTRAP.seed)) samples.push(statistics(counts));
  const point = statistics(new Uint32Array(n).fill(1));
  return ([0, 1, 2] as const).map((estimator) => ({ estimate: point[estimator], interval: percentileInterval(samples.map((values) => values[estimator]!), BOOTSTRAP.confidence) }));
}

describe('offPolicyEstimatesOfTargets: several targets on one pass of the resamples', () => {
  it('gives each target and outcome the estimates of the estimators computed one at a time, bit for bit, shared outcome arrays included', () => {
    const { log, score, cost } = syntheticLog(5, 300, 'softmax');
    const random = createRandom(9);
    // a deterministic target, a randomised one, and one with graded outcomes of its own; the observed score shared
    const targets = [
      Float64Array.from(log.score, (x) => (x < 0.7 ? 1 : 0)),
      Float64Array.from(log.score, () => random()),
      Float64Array.from(log.score, (x) => (x > 0.3 ? 1 : 0)),
    ];
    const graded = Float64Array.from(score, (value) => value * 0.5 + random() * 0.5);
    const outcomesOf = [{ score, cost }, { score, cost: graded }, { score: graded, cost }];
    const estimated = offPolicyEstimatesOfTargets(log, targets.map((target, position) => ({ target, outcomes: outcomesOf[position]! })), { strata: 4, folds: 3, bootstrap: BOOTSTRAP });
    targets.forEach((target, position) => {
      for (const outcome of ['score', 'cost'] as const) {
        const [ips, snips, doublyRobust] = referenceEstimates(log, target, outcomesOf[position]![outcome], 4, 3);
        const estimates = estimated[position]![outcome];
        expect({ ips: estimates.ips, snips: estimates.snips, doublyRobust: estimates.doublyRobust }).toStrictEqual({ ips, snips, doublyRobust });
      }
      expect(estimated[position]).toStrictEqual(offPolicyEstimates(log, target, outcomesOf[position]!, { strata: 4, folds: 3, bootstrap: BOOTSTRAP }));
    });
  });
});

describe('scoreStrata', () => {
  it('bins scores by equal mass, tied scores in one bin and no score in its own', () => {
    expect(Array.from(scoreStrata(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 5).stratum)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    const token = scoreStrata(Float64Array.from([0, 1, 1, 0, 1, Number.NaN]), 5);
    expect(Array.from(token.stratum)).toEqual([0, 1, 1, 0, 1, 2]);
    expect(token.count).toBe(3);
  });
});

/**
 * A synthetic exploration log with a known answer. Each problem has a score x ~ U(0, 1); the small model is right with
 * probability x, the large one with 0.6 + 0.3·x; the small call costs 1 + x, the large one 8 + 4·U(0, 1) (mean 10),
 * and delegating pays both (a post-hoc router). The log explores around the threshold 0.5 (ε-greedy with ε = 0.4:
 * P(delegate) = 0.8 below it, 0.2 above; or a softmax at temperature 0.15 within [0.05, 0.95]); the target delegates
 * below 0.7. Its true mean score is ∫₀^0.7 (0.6 + 0.3x) dx + ∫_0.7^1 x dx = 0.4935 + 0.255 = 0.7485, its true mean
 * cost E[1 + x] + 0.7 · 10 = 8.5.
 */
const TRUTH = { score: 0.7485, cost: 8.5 };

function syntheticLog(seed: number, n: number, logging: 'epsilon-greedy' | 'softmax') {
  const random = createRandom(seed);
  const log: OffPolicyLog = { delegated: new Uint8Array(n), delegateProbability: new Float64Array(n), score: new Float64Array(n) };
  const target = new Float64Array(n);
  const score = new Float64Array(n);
  const cost = new Float64Array(n);
  for (let index = 0; index < n; index++) {
    const [x, draw, smallDraw, largeDraw, largeCostDraw] = [random(), random(), random(), random(), random()];
    const delegateProbability = logging === 'epsilon-greedy' ? (x < 0.5 ? 0.8 : 0.2) : Math.min(0.95, Math.max(0.05, 1 / (1 + Math.exp(-(0.5 - x) / 0.15))));
    const delegated = draw < delegateProbability ? 1 : 0;
    log.delegated[index] = delegated;
    log.delegateProbability[index] = delegateProbability;
    log.score[index] = x;
    target[index] = x < 0.7 ? 1 : 0;
    score[index] = delegated === 1 ? (largeDraw < 0.6 + 0.3 * x ? 1 : 0) : smallDraw < x ? 1 : 0;
    cost[index] = 1 + x + (delegated === 1 ? 8 + 4 * largeCostDraw : 0);
  }
  return { log, target, score, cost };
}

/** The mistake the estimators exist to avoid: the mean outcome of the decisions where the log happened to take the target's route. */
function matchedMean(log: OffPolicyLog, target: Float64Array, outcome: Float64Array) {
  const n = outcome.length;
  const statistic = (counts: ArrayLike<number> | null) => {
    let [sum, total] = [0, 0];
    for (let index = 0; index < n; index++) {
      const count = counts === null ? 1 : counts[index]!;
      if (log.delegated[index] === target[index]) [sum, total] = [sum + count * outcome[index]!, total + count];
    }
    return sum / total;
  };
  const samples = Float64Array.from(bootstrapCountStream(n, BOOTSTRAP.resamples, BOOTSTRAP.seed), (counts) => statistic(counts));
  return { estimate: statistic(null), interval: percentileInterval(samples, BOOTSTRAP.confidence) };
}

const SEEDS = 200;
const PROBLEMS = 400;

describe.each(['epsilon-greedy', 'softmax'] as const)('coverage on synthetic logs with a known answer: %s logging', (logging) => {
  it(`each estimator's 95% interval holds the true score and cost in at least 92% of ${SEEDS} seeds; matching routes without weights does not`, () => {
    const covered = { ips: { score: 0, cost: 0 }, snips: { score: 0, cost: 0 }, doublyRobust: { score: 0, cost: 0 }, matched: { cost: 0 } };
    const meanEstimate = { ips: 0, doublyRobust: 0 };
    for (let seed = 0; seed < SEEDS; seed++) {
      const { log, target, score, cost } = syntheticLog(seed, PROBLEMS, logging);
      const both = offPolicyEstimates(log, target, { score, cost }, { bootstrap: { ...BOOTSTRAP, seed } });
      for (const outcome of ['score', 'cost'] as const) {
        const estimates = both[outcome];
        const truth = TRUTH[outcome];
        for (const estimator of ['ips', 'snips', 'doublyRobust'] as const) {
          const { lower, upper } = estimates[estimator].interval;
          if (lower <= truth && truth <= upper) covered[estimator][outcome]++;
        }
        if (outcome === 'score') {
          meanEstimate.ips += estimates.ips.estimate / SEEDS;
          meanEstimate.doublyRobust += estimates.doublyRobust.estimate / SEEDS;
        }
      }
      const naive = matchedMean(log, target, cost).interval;
      if (naive.lower <= TRUTH.cost && TRUTH.cost <= naive.upper) covered.matched.cost++;
    }
    const coverage = Object.fromEntries(Object.entries(covered).map(([estimator, counts]) => [estimator, Object.fromEntries(Object.entries(counts).map(([outcome, count]) => [outcome, count / SEEDS]))]));
    console.log(`${logging}: coverage of the 95% intervals over ${SEEDS} seeds, ${PROBLEMS} problems each`, JSON.stringify(coverage));
    for (const estimator of ['ips', 'snips', 'doublyRobust'] as const) {
      expect(coverage[estimator]!['score'], `${estimator} score`).toBeGreaterThanOrEqual(0.92);
      expect(coverage[estimator]!['cost'], `${estimator} cost`).toBeGreaterThanOrEqual(0.92);
    }
    // unbiased: the mean estimate over seeds lies within a few standard errors of the truth
    expect(Math.abs(meanEstimate.ips - TRUTH.score)).toBeLessThan(0.01);
    expect(Math.abs(meanEstimate.doublyRobust - TRUTH.score)).toBeLessThan(0.01);
    // the log over-samples delegation below 0.5 and keeping above it: the matched decisions misstate the target's cost
    expect(coverage['matched']!['cost']).toBeLessThan(0.5);
  }, 60_000);
});
