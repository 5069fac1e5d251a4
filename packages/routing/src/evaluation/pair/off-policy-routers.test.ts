import { SEED_PRICES_2025_11, type RouteDecision } from '@confide/core';
import { testProblem, testRunRecord } from '@confide/core/testing';
import { describe, expect, it } from 'vitest';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import { explorationLog, offPolicyRouters } from './off-policy-routers.js';
import type { RouterCurve } from './router-curves.js';

// one output token of the small model costs 100 (1e-8 $), of the large one 1,000
const prices = { ...SEED_PRICES_2025_11, models: { small: { inputPerMillion: 0, outputPerMillion: 1 }, large: { inputPerMillion: 0, outputPerMillion: 10 } } };
const ids = ['p0', 'p1', 'p2', 'p3'];
const table: OutcomeTable = {
  problemIds: ids,
  smallCorrect: Uint8Array.from([1, 0, 0, 1]),
  largeCorrect: Uint8Array.from([1, 1, 1, 0]),
  smallScore: Float64Array.from([1, 0, 0, 1]),
  largeScore: Float64Array.from([1, 1, 1, 0]),
  smallCost: new Float64Array(4).fill(100),
  largeCost: new Float64Array(4).fill(1000),
};

const answer = (id: string, model: 'small' | 'large', correct: boolean, route?: RouteDecision) =>
  testRunRecord({ problem: testProblem({ id }), generation: { model, usage: { input: 0, output: 1 } }, grade: { correct }, ...(route ? { route } : {}) });
const explored = (target: 'small' | 'large', large: number, score: number): RouteDecision => ({
  router: 'core/explore',
  target,
  reason: 'explored',
  score,
  propensity: target === 'large' ? large : 1 - large,
  propensities: { small: 1 - large, large },
});

// the log: p0 kept (P(large) 0.2), p1 delegated (0.8), p2 kept (0.8), p3 delegated (0.2)
const logRecords = [
  answer('p0', 'small', true, explored('small', 0.2, 1)),
  answer('p1', 'large', true, explored('large', 0.8, 0)),
  answer('p2', 'small', false, explored('small', 0.8, 0)),
  answer('p3', 'large', false, explored('large', 0.2, 1)),
];
const smallRecords = ids.map((id, index) => answer(id, 'small', table.smallCorrect[index] === 1));

/** A post-hoc router delegating p1 and p2 (its reported outcomes, as the pair's table gives them). */
const router = {
  id: 'target',
  label: 'target router',
  kind: 'point',
  reportedOutcomes: {
    delegated: Uint8Array.from([0, 1, 1, 0]),
    score: Float64Array.from([1, 1, 1, 1]),
    correct: Uint8Array.from([1, 1, 1, 1]),
    cost: Float64Array.from([100, 1100, 1100, 100]),
  },
} as unknown as RouterCurve;

describe('off-policy estimates of the pair\'s routers from an exploration log', () => {
  const bootstrap = { resamples: 200, seed: 0, confidence: 0.95 };

  it('reads the log: routes, propensities, logged scores, and the costs observed on the route taken', () => {
    const log = explorationLog('log', table, logRecords, smallRecords, prices);
    expect(Array.from(log.delegated)).toEqual([0, 1, 0, 1]);
    expect(Array.from(log.delegateProbability)).toEqual([0.2, 0.8, 0.8, 0.2]);
    expect(Array.from(log.outcomeScore)).toEqual([1, 1, 0, 0]);
    expect(Array.from(log.smallCost)).toEqual([100, 100, 100, 100]);
    expect(Array.from(log.largeCost)).toEqual([Number.NaN, 1000, Number.NaN, 1000]);
    expect(log.router).toBe('core/explore');
  });

  it('estimates a router\'s score and cost by IPS (a post-hoc router pays the small answer when it delegates) beside its actual figures', () => {
    const log = explorationLog('log', table, logRecords, smallRecords, prices);
    const results = offPolicyRouters(table, [router], log, { routers: ['target'], strata: 5, folds: 2 }, bootstrap);
    const estimate = results.routers[0]!;
    // weights: p0 1/0.8, p1 1/0.8, p2 and p3 0 (the log took the other route)
    expect(estimate.accuracy.ips.estimate).toBeCloseTo((1.25 * 1 + 1.25 * 1) / 4, 12);
    expect(estimate.meanCostUsd.ips.estimate).toBeCloseTo((1.25 * 100e-8 + 1.25 * 1100e-8) / 4, 15);
    expect(estimate.kind).toBe('after-small-answer');
    expect(estimate.actual).toEqual({ accuracy: 1, meanCostUsd: 600e-8 });
    expect(results.logged).toEqual({ delegationRate: 0.5, accuracy: 0.5, meanCostUsd: expect.closeTo(600e-8, 15) });
    expect(results.problems).toBe(4);
  });

  it('refuses a run whose routes carry no propensities, and a name that is not a router entry', () => {
    const plain = logRecords.map(({ route, ...record }) => ({ ...record, route: { router: route!.router, target: route!.target, reason: route!.reason } }));
    expect(() => explorationLog('delegation-2-flash', table, plain, smallRecords, prices)).toThrow(/"delegation-2-flash" is not an exploration log: its record of p0 has no route.propensities/);
    const log = explorationLog('log', table, logRecords, smallRecords, prices);
    expect(() => offPolicyRouters(table, [router], log, { routers: ['other'], strata: 5, folds: 2 }, bootstrap)).toThrow(/"other" is not a router entry of the pair \(entries: target\)/);
  });
});
