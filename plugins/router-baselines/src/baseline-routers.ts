import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type RouteDecision } from '@confide/core';
import { z } from 'zod';
import { stableUniform } from './stable-uniform.js';

const NoOptions = z.strictObject({});

/** The oracle: delegate exactly the problems the small model gets wrong and the large model gets right. An upper bound, not a deployable router: it reads both grades. */
export const oracleRouter = definePlugin({
  id: 'core/oracle',
  kind: 'router',
  description: 'upper bound: delegate exactly where the SLM is wrong and the LLM right',
  optionsSchema: NoOptions,
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { needsSmallAnswer: true, needsLargeAnswer: true },
    async decide({ problem, small, large }): Promise<RouteDecision> {
      if (!small || !large) throw new Error(`core/oracle needs both answers for ${problem.id}`);
      const delegated = !small.grade.correct && large.grade.correct;
      return { router: 'core/oracle', target: delegated ? 'large' : 'small', reason: delegated ? 'only the LLM is right' : 'delegating would not help' };
    },
  }),
});

export const RandomRouterOptions = z.strictObject({
  /** Share of problems delegated, 0..1. */
  rate: z.number().min(0).max(1),
  seed: z.number().int().nonnegative().default(0),
});

/** Delegate a seeded random share of problems, decided before either model answers. */
export const randomRouter = definePlugin({
  id: 'core/random',
  kind: 'router',
  description: 'baseline: delegate a seeded random share of problems',
  optionsSchema: RandomRouterOptions,
  create: (options) => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { needsSmallAnswer: false },
    async decide({ problem }): Promise<RouteDecision> {
      const draw = stableUniform(options.seed, problem.id);
      return { router: 'core/random', target: draw < options.rate ? 'large' : 'small', reason: `draw ${draw.toFixed(4)} vs rate ${options.rate}`, score: draw };
    },
  }),
});

/** Always answer with the small model. */
export const alwaysSmallRouter = definePlugin({
  id: 'core/always-small',
  kind: 'router',
  description: 'baseline: never delegate',
  optionsSchema: NoOptions,
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { needsSmallAnswer: false },
    async decide(): Promise<RouteDecision> {
      return { router: 'core/always-small', target: 'small', reason: 'always small' };
    },
  }),
});

/** Always answer with the large model. */
export const alwaysLargeRouter = definePlugin({
  id: 'core/always-large',
  kind: 'router',
  description: 'baseline: always delegate',
  optionsSchema: NoOptions,
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { needsSmallAnswer: false },
    async decide(): Promise<RouteDecision> {
      return { router: 'core/always-large', target: 'large', reason: 'always large' };
    },
  }),
});
