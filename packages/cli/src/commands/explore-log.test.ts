import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROPENSITY_SUM_TOLERANCE, SEED_PRICES_2025_11, type RouteDecision } from '@confide/core';
import { readRunDirectory, workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';
import { createPluginRegistry } from '../plugin-registry.js';

// The exploration log committed for off-policy evaluation: `confide run experiments/explore-math500` (replay clients of
// the bundled runs, core/explore ε-greedy on the confidence token); ablation-math500's offPolicy names it.
const experimentFolder = join(workspaceRoot(), 'experiments', 'explore-math500');
const log = readRunDirectory(join(experimentFolder, 'run'));
const small = readRunDirectory(join(experimentFolder, 'run', 'small'));

describe('the committed exploration log (experiments/explore-math500/run)', () => {
  it('holds a decision for each of the 500 problems, every one with propensities that sum to one', () => {
    expect(log.records).toHaveLength(500);
    expect(small.records).toHaveLength(500);
    for (const record of log.records) {
      const route = record.route!;
      expect(route.router).toBe('core/explore');
      const propensities = route.propensities!;
      expect(Object.keys(propensities).sort()).toEqual(['large', 'small']);
      expect(Math.abs(propensities['small']! + propensities['large']! - 1)).toBeLessThanOrEqual(PROPENSITY_SUM_TOLERANCE);
      // the propensity logged is that of the route taken
      expect(route.propensity).toBe(propensities[route.target]);
    }
  });

  it('replays: core/explore with the experiment\'s options takes the same route, with the same propensities, on the small answers it read', async () => {
    const experiment = JSON.parse(readFileSync(join(experimentFolder, 'experiment.json'), 'utf8')) as { router: { id: string; options: Record<string, unknown> } };
    const router = createPluginRegistry().create('router', experiment.router.id, experiment.router.options, { priceTable: SEED_PRICES_2025_11 }).instance;
    const smallByProblem = new Map(small.records.map((record) => [record.problemId, record]));
    for (const record of log.records) {
      const answer = smallByProblem.get(record.problemId)!;
      const decision = await router.decide({ problem: { id: record.problemId, problem: '', answer: record.gold ?? '' }, models: ['small', 'large'], answers: { small: answer } });
      const route = record.route as RouteDecision;
      expect([decision.model, decision.propensity, decision.propensities]).toEqual([route.target, route.propensity, route.propensities]);
    }
  });

  it('explores: ε = 0.4 takes the other route than the token rule on about a fifth of the problems', () => {
    const explored = log.records.filter((record) => record.route!.propensity! < 0.5).length;
    expect(explored / log.records.length).toBeGreaterThan(0.15);
    expect(explored / log.records.length).toBeLessThan(0.25);
  });
});
