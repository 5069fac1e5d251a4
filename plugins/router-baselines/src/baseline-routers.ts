import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type RouterDecision } from '@confide/core';
import { z } from 'zod';
import { stableUniform } from './stable-uniform.js';

const NoOptions = z.strictObject({});

/** The oracle: delegate exactly the problems the small model gets wrong and the large model gets right. An upper bound, not a deployable router: it reads both grades. */
export const oracleRouter = definePlugin({
  id: 'core/oracle',
  kind: 'router',
  description: 'upper bound: delegate exactly where the SLM is wrong and the LLM right',
  optionsSchema: NoOptions,
  create: () => {
    const choose = (small: { correct: boolean }, large: { correct: boolean }) => (!small.correct && large.correct ? 'large' : 'small');
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: {
        decides: 'after-first-answer',
        reads: ['small', 'large'],
        columnChoice: { from: 'grades', choose: (grades) => choose(grades['small']!, grades['large']!) },
      },
      async decide({ problem, answers: { small, large } }): Promise<RouterDecision> {
        if (!small || !large) throw new Error(`core/oracle needs both answers for ${problem.id}`);
        const model = choose(small.grade, large.grade);
        return { router: 'core/oracle', model, reason: model === 'large' ? 'only the LLM is right' : 'delegating would not help' };
      },
    };
  },
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
  create: (options) => {
    const choose = (draw: number) => (draw < options.rate ? 'large' : 'small');
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: { decides: 'before-generation', reads: [], columnChoice: { from: 'problem', choose: (problem) => choose(stableUniform(options.seed, problem.id)) } },
      async decide({ problem }): Promise<RouterDecision> {
        const draw = stableUniform(options.seed, problem.id);
        return { router: 'core/random', model: choose(draw), reason: `draw ${draw.toFixed(4)} vs rate ${options.rate}`, score: draw };
      },
    };
  },
});

/** Always answer with the small model. */
export const alwaysSmallRouter = definePlugin({
  id: 'core/always-small',
  kind: 'router',
  description: 'baseline: never delegate',
  optionsSchema: NoOptions,
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'before-generation', reads: [], columnChoice: { from: 'problem', choose: () => 'small' } },
    async decide(): Promise<RouterDecision> {
      return { router: 'core/always-small', model: 'small', reason: 'always small' };
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
    capabilities: { decides: 'before-generation', reads: [], columnChoice: { from: 'problem', choose: () => 'large' } },
    async decide(): Promise<RouterDecision> {
      return { router: 'core/always-large', model: 'large', reason: 'always large' };
    },
  }),
});

export const AlwaysModelRouterOptions = z.strictObject({
  /** The label of the model that answers every problem (one of the experiment's models). */
  model: z.string().min(1),
});

/** Always answer with one model, named by its label among any number of models (always-⟨model⟩); decided before generation. */
export const alwaysModelRouter = definePlugin({
  id: 'core/always-model',
  kind: 'router',
  description: 'baseline over K models: always the model the option names (by label)',
  optionsSchema: AlwaysModelRouterOptions,
  create: (options) => {
    const choose = (models: readonly string[]) => {
      if (!models.includes(options.model)) throw new Error(`core/always-model: model "${options.model}" is not one of ${models.join(', ')}`);
      return options.model;
    };
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: { decides: 'before-generation', reads: [], columnChoice: { from: 'problem', choose: (_problem, models) => choose(models) } },
      async decide({ models }): Promise<RouterDecision> {
        return { router: 'core/always-model', model: choose(models), reason: `always ${options.model}` };
      },
    };
  },
});
