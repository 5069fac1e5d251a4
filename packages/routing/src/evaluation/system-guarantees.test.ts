import { createRandom } from '@confide/core';
import { describe, expect, it } from 'vitest';
import type { OutcomeTable } from '../sweep/outcome-table.js';
import { randomSplits } from './router-statistics.js';
import { systemGuaranteedThreshold, type SystemGuarantee } from './system-guarantees.js';

/**
 * A population with a known answer: score s ~ U(0, 1); the small model is right with probability s (a calibrated
 * score); the large model with probability 0.9; a problem costs 1e4 (1e-8 $, so $0.0001) on the small model, 1e5 more
 * when delegated. A threshold t (keep s ≥ t) delegates a share t, so the routed system's
 *   accuracy(t) = ∫_t^1 s ds + 0.9 t = (1 − t²) / 2 + 0.9 t,     mean cost(t) = $0.0001 + $0.001 · t.
 */
const trueAccuracy = (t: number) => (1 - t * t) / 2 + 0.9 * t;
const trueMeanCostUsd = (t: number) => 0.0001 + 0.001 * t;

function population(n: number, seed: number): { table: OutcomeTable; scores: Float64Array } {
  const random = createRandom(seed);
  const scores = Float64Array.from({ length: n }, () => random());
  const smallCorrect = Uint8Array.from(scores, (score) => (random() < score ? 1 : 0));
  const largeCorrect = Uint8Array.from({ length: n }, () => (random() < 0.9 ? 1 : 0));
  return {
    scores,
    table: {
      problemIds: Array.from({ length: n }, (_, index) => `p${index}`),
      smallCorrect,
      largeCorrect,
      smallScore: Float64Array.from(smallCorrect),
      largeScore: Float64Array.from(largeCorrect),
      smallCost: new Float64Array(n).fill(1e4),
      largeCost: new Float64Array(n).fill(1e5),
    },
  };
}

const grid = Array.from({ length: 101 }, (_, step) => step / 100);

async function certify(seed: number, guarantee: SystemGuarantee, delta: number) {
  const { table, scores } = population(1000, seed);
  const indices = Array.from({ length: 1000 }, (_, index) => index);
  return systemGuaranteedThreshold({
    label: 'score',
    table,
    scores,
    direction: 'keep-high',
    calibrationIndices: indices.slice(0, 500),
    testIndices: indices.slice(500),
    guarantee,
    delta,
    grid,
    bootstrap: { resamples: 200, seed: 0, confidence: 0.95 },
  });
}

describe('system-level threshold rules', () => {
  // 200 seeds, δ = 0.05: the rule's choice must meet its target in truth on at least 92 % of them (nominal 95 %);
  // Learn then Test is conservative, so a rule that ignored its p-values would fail this, and so would one that
  // certified nothing (checked beside coverage).
  it('the cheapest threshold for ≥ 85 % accuracy meets it in truth on ≥ 92 % of 200 seeds (δ = 0.05), and is not vacuous', async () => {
    let covered = 0;
    let certified = 0;
    const chosen: number[] = [];
    for (let seed = 0; seed < 200; seed++) {
      const result = await certify(seed, { kind: 'system-accuracy', minAccuracy: 0.85 }, 0.05);
      // a grid of 101 thresholds: ten sequences, each at δ/10
      if (seed === 0) expect(result.method).toContain('10 fixed sequences (each at δ/10) over 101 thresholds, from the most delegating candidate, exact binomial p-values');
      // none certified: the rule delegates everything, and the large model alone (90 %) meets the target
      const accuracy = result.threshold === null ? 0.9 : trueAccuracy(result.threshold);
      if (accuracy >= 0.85) covered++;
      if (result.threshold !== null) {
        certified++;
        chosen.push(result.threshold);
      }
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.92);
    // the true boundary is t = 0.9 − √0.11 ≈ 0.568; the large model alone clears the target by only 5 points, so on
    // 500 calibration problems at δ/10 per sequence some seeds certify nothing (84 % certify here): most must
    expect(certified / 200).toBeGreaterThanOrEqual(0.75);
    chosen.sort((left, right) => left - right);
    expect(chosen[Math.floor(chosen.length / 2)]!).toBeLessThan(0.9);
  });

  it('the most accurate threshold with mean cost ≤ $0.0006 keeps it in truth on ≥ 92 % of 200 seeds (δ = 0.05), and is not vacuous', async () => {
    let covered = 0;
    const chosen: number[] = [];
    for (let seed = 0; seed < 200; seed++) {
      const result = await certify(seed, { kind: 'mean-cost', maxMeanCostUsd: 0.0006 }, 0.05);
      // none certified: the rule delegates nothing ($0.0001)
      const cost = result.threshold === null ? 0.0001 : trueMeanCostUsd(result.threshold);
      if (cost <= 0.0006 + 1e-12) covered++;
      if (result.threshold !== null) chosen.push(result.threshold);
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.92);
    // the cap allows t ≤ 0.5; a Hoeffding–Bentkus bound on 500 problems leaves some room below it
    expect(chosen.length).toBeGreaterThanOrEqual(180);
    chosen.sort((left, right) => left - right);
    expect(chosen[Math.floor(chosen.length / 2)]!).toBeGreaterThan(0.2);
    expect(chosen[Math.floor(chosen.length / 2)]!).toBeLessThanOrEqual(0.5);
  });

  it('reports the held-out half against the large model alone, feasibility, and violations over random splits', async () => {
    const { table, scores } = population(2000, 7);
    const indices = Array.from({ length: 2000 }, (_, index) => index);
    const result = await systemGuaranteedThreshold({
      label: 'score',
      table,
      scores,
      direction: 'keep-high',
      calibrationIndices: indices.filter((index) => index % 2 === 0),
      testIndices: indices.filter((index) => index % 2 === 1),
      guarantee: { kind: 'system-accuracy', minAccuracy: 0.85 },
      delta: 0.1,
      grid,
      splits: { count: 200, seed: 1 },
      bootstrap: { resamples: 300, seed: 0, confidence: 0.95 },
    });
    expect(result.feasibility.feasible).toBe(true);
    const heldOut = result.heldOut!;
    expect(heldOut.size).toBe(1000);
    // the held-out saving is what the delegation rate implies: 1 − (1e4 + 1e5·rate) / 1e5 with every cost fixed
    expect(heldOut.costSavingVsLarge).toBeCloseTo(1 - (1e4 + 1e5 * heldOut.delegationRate) / 1e5, 12);
    expect(heldOut.costSavingInterval.lower).toBeLessThanOrEqual(heldOut.costSavingVsLarge);
    expect(heldOut.costSavingInterval.upper).toBeGreaterThanOrEqual(heldOut.costSavingVsLarge);
    expect(heldOut.accuracyInterval.lower).toBeLessThanOrEqual(heldOut.accuracy);
    expect(result.violations!.splits).toBe(200);
    expect(result.violations!.population.rate).toBeLessThanOrEqual(0.1);
    // an unreachable target: infeasible on the calibration half, nothing certified, the rule delegates everything
    const unreachable = await certify(3, { kind: 'system-accuracy', minAccuracy: 0.99 }, 0.1);
    expect(unreachable.feasibility.feasible).toBe(false);
    expect(unreachable.threshold).toBeNull();
  });

  it.each([
    { kind: 'system-accuracy', minAccuracy: 0.8 },
    { kind: 'mean-cost', maxMeanCostUsd: 0.0004 },
  ] as const)('$kind: counts violations as the rule redone on each split and checked on the problems directly', async (guarantee) => {
    const n = 400;
    const { table, scores } = population(n, 11);
    const indices = Array.from({ length: n }, (_, index) => index);
    const settings = { label: 'score', table, scores, direction: 'keep-high' as const, guarantee, delta: 0.1, grid, bootstrap: { resamples: 10, seed: 0, confidence: 0.95 } };
    const splits = { count: 60, seed: 2 };
    const fast = await systemGuaranteedThreshold({ ...settings, calibrationIndices: indices.slice(0, n / 2), testIndices: indices.slice(n / 2), splits });
    // split positions are over the problems sorted by score, highest first (ties by index)
    const sorted = indices.slice().sort((left, right) => scores[right]! - scores[left]! || left - right);
    // no certified threshold: an accuracy target delegates everything (keeps none), a cost cap nothing (keeps all)
    const fallback = guarantee.kind === 'system-accuracy' ? Infinity : -Infinity;
    const misses = (threshold: number, set: number[]) => {
      const keep = (index: number) => scores[index]! >= threshold;
      const accuracy = set.reduce((sum, index) => sum + (keep(index) ? table.smallScore[index]! : table.largeScore[index]!), 0) / set.length;
      const meanCostUsd = set.reduce((sum, index) => sum + table.smallCost[index]! + (keep(index) ? 0 : table.largeCost[index]!), 0) / set.length / 1e8;
      return guarantee.kind === 'system-accuracy' ? accuracy < guarantee.minAccuracy - 1e-12 : meanCostUsd > guarantee.maxMeanCostUsd + 1e-12;
    };
    let [wholeSet, heldOut, certified] = [0, 0, 0];
    for (const mask of randomSplits(n, n / 2, splits)) {
      const calibration = sorted.filter((_, position) => mask[position] === 1);
      const rest = sorted.filter((_, position) => mask[position] === 0);
      const { threshold } = await systemGuaranteedThreshold({ ...settings, calibrationIndices: calibration, testIndices: rest });
      if (threshold !== null) certified++;
      if (misses(threshold ?? fallback, sorted)) wholeSet++;
      if (misses(threshold ?? fallback, rest)) heldOut++;
    }
    expect({ population: fast.violations!.population.violated, heldOut: fast.violations!.heldOut.violated }).toEqual({ population: wholeSet, heldOut });
    // not vacuous: most splits certify a threshold, and some miss the target
    expect(certified).toBeGreaterThan(splits.count / 2);
    expect(wholeSet + heldOut).toBeGreaterThan(0);
  });

  it('counts by hand on four problems: the routed system keeps the small answers at or above the threshold', async () => {
    // scores 0.9 0.6 0.3 0.1; small right T T F F; large right on all; small 1, large 10 (1e-8 $); one candidate: 0.5
    const table: OutcomeTable = {
      problemIds: ['a', 'b', 'c', 'd'],
      smallCorrect: Uint8Array.from([1, 1, 0, 0]),
      largeCorrect: Uint8Array.from([1, 1, 1, 1]),
      smallScore: Float64Array.from([1, 1, 0, 0]),
      largeScore: Float64Array.from([1, 1, 1, 1]),
      smallCost: Float64Array.from([1, 1, 1, 1]),
      largeCost: Float64Array.from([10, 10, 10, 10]),
    };
    const result = await systemGuaranteedThreshold({
      label: 'score',
      table,
      scores: Float64Array.from([0.9, 0.6, 0.3, 0.1]),
      direction: 'keep-high',
      calibrationIndices: [0, 1, 2, 3],
      testIndices: [0, 1, 2, 3],
      // a cost cap of 1e-7 $ per problem: at 0.5, (4 + 2·10) / 4 = 6 units = 6e-8 $; with 4 problems Hoeffding–Bentkus
      // cannot certify anything at δ = 0.1, so the fallback (keep all) is what violations would count
      guarantee: { kind: 'mean-cost', maxMeanCostUsd: 1e-7 },
      delta: 0.1,
      grid: [0.5],
      bootstrap: { resamples: 50, seed: 0, confidence: 0.95 },
    });
    expect(result.threshold).toBeNull();
    expect(result.feasibility).toMatchObject({ feasible: true, smallMeanCostUsd: 1e-8, largeAccuracy: 1, bestAccuracy: 1 });
    // one threshold: one sequence at δ itself, and the method says so
    expect(result.method).toContain('1 fixed sequence (at δ) over 1 threshold, from the cheapest candidate');
  });
});
