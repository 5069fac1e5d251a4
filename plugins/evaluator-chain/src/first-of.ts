import { definePlugin, InvalidConfigError, PLUGIN_SPECIFICATION_VERSION, PluginChoice, type Evaluator, type EvaluatorStep, type EvaluatorVerdict } from '@confide/core';
import { z } from 'zod';

export const FirstOfOptions = z.strictObject({
  /** The evaluators, in order: each runs only when the ones before it were not decisive. */
  evaluators: z.array(PluginChoice).min(2),
  /**
   * Which verdict ends the chain: `correct` (the rules-first pattern: a rule that accepts decides, a rejection is asked
   * again of the next evaluator) or `any` (the first verdict decides: only a failed step passes on).
   */
  decisive: z.enum(['correct', 'any']).default('correct'),
});
export type FirstOfOptions = z.infer<typeof FirstOfOptions>;

/**
 * `core/first-of`: runs evaluators in order and stops at the first decisive verdict, e.g. core/math, then a model
 * verifier only where the rules said incorrect. The verdict names the evaluator that decided and keeps every step.
 */
export const firstOfEvaluator = definePlugin({
  id: 'core/first-of',
  kind: 'evaluator',
  description: 'run evaluators in order, stopping at the first decisive verdict (e.g. core/math, then a model verifier where the rules reject)',
  optionsSchema: FirstOfOptions,
  create: (options, context) => {
    if (context.createPlugin === undefined) throw new InvalidConfigError('core/first-of builds its evaluators through the registry: create it with PluginRegistry.create');
    const parts: Evaluator[] = options.evaluators.map((entry) => context.createPlugin!('evaluator', entry.id, entry.options));
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      async grade(input): Promise<EvaluatorVerdict> {
        const steps: EvaluatorStep[] = [];
        let last: EvaluatorVerdict | undefined;
        // the answer the first evaluator that reads one found (a verifier reads none)
        let answer: string | null = null;
        for (const [index, part] of parts.entries()) {
          last = await part.grade(input);
          answer ??= last.answer;
          steps.push({ evaluator: last.evaluator, correct: last.correct, ...(last.reason ? { reason: last.reason } : {}) });
          if (options.decisive === 'any' || last.correct || index === parts.length - 1) break;
        }
        const decided = last!;
        return {
          correct: decided.correct,
          evaluator: decided.evaluator,
          reason: `decided by ${decided.evaluator} (step ${steps.length} of ${parts.length}): ${steps.map((step) => `${step.evaluator}: ${step.correct ? 'correct' : 'incorrect'}${step.reason ? ` (${step.reason})` : ''}`).join('; ')}`,
          answer,
          steps,
        };
      },
      async close() {
        await Promise.all(parts.map((part) => part.close()));
      },
    };
  },
});
