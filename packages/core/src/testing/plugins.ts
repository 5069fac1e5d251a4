import { SEED_PRICES_2025_11 } from '../prices/seed-prices.js';
import { InvalidInputError } from '../errors.js';
import type { Plugin, PluginContext, PluginInstances, PluginKind, RouteInput, Router } from '../plugins/plugin.js';
import { PluginRegistry } from '../plugins/registry.js';
import type { Problem } from '../schemas/problem.js';
import type { RouterDecision } from '../schemas/route-decision.js';
import type { RunRecord } from '../schemas/run-record.js';
import type { TestPair } from './pair.js';

/**
 * The instance a command would make of `plugin` with `options`: registered in a registry of its own, the options
 * checked by its schema (defaults filled in; a bad option fails naming the key) and created with the seed price table
 * (`context` adds to it). A router written for specification v1 comes back adapted, as in a run.
 */
export function createForTest<Kind extends PluginKind, Options>(plugin: Plugin<Kind, Options>, options: unknown = {}, context: Partial<PluginContext> = {}): PluginInstances[Kind] {
  const registry = new PluginRegistry().register(plugin);
  return registry.create(plugin.kind, plugin.id, options, { priceTable: SEED_PRICES_2025_11, ...context }).instance;
}

/**
 * What a pair router is asked for one problem: the small answer `small`, the labels `small` and `large`, and the
 * large answer under `answers.large` where `options.large` gives one (an oracle reads it). The problem defaults to one
 * rebuilt from the record (its id, gold answer, subject and level; no question).
 */
export function routeInput(small: RunRecord, options: { problem?: Problem; large?: RunRecord } = {}): RouteInput {
  const problem = options.problem ?? {
    id: small.problemId,
    problem: '',
    answer: small.gold,
    ...(small.subject === undefined ? {} : { subject: small.subject }),
    ...(small.level === undefined ? {} : { level: small.level }),
  };
  return { problem, models: ['small', 'large'], answers: options.large === undefined ? { small } : { small, large: options.large } };
}

/**
 * `router.decide` on every problem of a pair, in order, as the routing engine asks it: with the problem and the
 * answers its capabilities declare it `reads` (`small`, `large`; a router reading another model needs a real run).
 */
export async function routePair(router: Router, pair: TestPair): Promise<RouterDecision[]> {
  const reads = router.capabilities.reads;
  const other = reads.find((name) => name !== 'small' && name !== 'large');
  if (other !== undefined) throw new InvalidInputError({ file: 'routePair', problem: `the router reads "${other}", which a test pair does not have (it has small and large)` });
  const decisions: RouterDecision[] = [];
  for (const [index, problem] of pair.problems.entries()) {
    const answers: Record<string, RunRecord> = {};
    if (reads.includes('small')) answers['small'] = pair.small[index]!;
    if (reads.includes('large')) answers['large'] = pair.large[index]!;
    decisions.push(await router.decide({ problem, models: ['small', 'large'], answers }));
  }
  return decisions;
}
