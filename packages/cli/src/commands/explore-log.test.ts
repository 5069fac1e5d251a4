import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROPENSITY_SUM_TOLERANCE, SEED_PRICES_2025_11, type RouteDecision, type RunRecord } from '@confide/core';
import { readRunDirectory, workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';
import { createPluginRegistry } from '../plugin-registry.js';

// The exploration logs committed for off-policy evaluation, each made by `confide run` with replay clients and
// core/explore: experiments/explore-math500 (the bundled runs, ε-greedy on the confidence token; ablation-math500's
// offPolicy names it) and experiments/explore-byo-arithmetic (byo-arithmetic's imported runs named by path, a softmax
// on P(c); byo-arithmetic's offPolicy names it).
const logs = [
  { name: 'explore-math500', problems: 500 },
  { name: 'explore-byo-arithmetic', problems: 300 },
] as const;

function committedLog(name: string) {
  const experimentFolder = join(workspaceRoot(), 'experiments', name);
  return {
    experimentFolder,
    log: readRunDirectory(join(experimentFolder, 'run')),
    small: readRunDirectory(join(experimentFolder, 'run', 'small')),
  };
}

describe.each(logs)('the committed exploration log (experiments/$name/run)', ({ name, problems }) => {
  const { experimentFolder, log, small } = committedLog(name);

  it(`holds a decision for each of the ${problems} problems, every one with propensities that sum to one`, () => {
    expect(log.records).toHaveLength(problems);
    expect(small.records).toHaveLength(problems);
    for (const record of log.records) {
      const route = record.route!;
      expect(route.router).toBe('core/explore');
      const propensities = route.propensities!;
      expect(Object.keys(propensities).sort()).toEqual(['large', 'small']);
      expect(Math.abs(propensities['small']! + propensities['large']! - 1)).toBeLessThanOrEqual(PROPENSITY_SUM_TOLERANCE);
      // every route keeps a chance (an off-policy estimate needs it), and the propensity logged is that of the route taken
      expect(Math.min(propensities['small']!, propensities['large']!)).toBeGreaterThan(0);
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
});

describe('experiments/explore-math500: ε-greedy on the confidence token', () => {
  const { log } = committedLog('explore-math500');

  it('explores: ε = 0.4 takes the other route than the token rule on about a fifth of the problems', () => {
    const explored = log.records.filter((record) => record.route!.propensity! < 0.5).length;
    expect(explored / log.records.length).toBeGreaterThan(0.15);
    expect(explored / log.records.length).toBeLessThan(0.25);
  });
});

describe('experiments/explore-byo-arithmetic: a softmax on P(c) around 0.5 (temperature 0.1, floor 0.05)', () => {
  const { log, small } = committedLog('explore-byo-arithmetic');
  const smallByProblem = new Map(small.records.map((record) => [record.problemId, record]));
  /** P(c) of a small answer, from its token probabilities: P(<|c_math|>) / (P(<|c_math|>) + P(<|u_math|>)). */
  const pConfident = (record: RunRecord) => {
    const { confident, uncertain } = record.generation.confidenceProbabilities!;
    return confident / (confident + uncertain);
  };

  it('logs P(large) = σ((0.5 − P(c)) / 0.1), kept within [0.05, 0.95], on every problem', () => {
    for (const record of log.records) {
      const pc = pConfident(smallByProblem.get(record.problemId)!);
      const expected = Math.min(0.95, Math.max(0.05, 1 / (1 + Math.exp(-(0.5 - pc) / 0.1))));
      expect(record.route!.score).toBeCloseTo(pc, 12);
      expect(record.route!.propensities!['large']).toBeCloseTo(expected, 12);
    }
  });

  it('explores on both sides: confident answers are sometimes delegated and unconfident ones sometimes kept', () => {
    const routes = log.records.map((record) => record.route!);
    const delegatedConfident = routes.filter((route) => route.score! >= 0.5 && route.target === 'large').length;
    const keptUnconfident = routes.filter((route) => route.score! < 0.5 && route.target === 'small').length;
    expect(delegatedConfident).toBeGreaterThan(0);
    expect(keptUnconfident).toBeGreaterThan(0);
    // the floor: a P(c) far above the threshold still delegates with probability 0.05
    expect(Math.min(...routes.map((route) => route.propensities!['large']!))).toBe(0.05);
  });
});
