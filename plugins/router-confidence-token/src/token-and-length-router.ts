import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type RouterDecision } from '@confide/core';
import { z } from 'zod';

/**
 * Delegation II with a length guard: keep the small model's answer only when it ends with <|c_math|> and is at most
 * `maxOutputTokens` long. (The README's worked example of adding a router: this file plus one registration line.)
 */
export const tokenAndLengthRouter = definePlugin({
  id: 'core/token-and-length',
  kind: 'router',
  description: 'keep the SLM answer on <|c_math|> unless it is longer than maxOutputTokens',
  optionsSchema: z.strictObject({ maxOutputTokens: z.number().int().positive().default(800) }),
  create: (options) => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'after-first-answer', reads: ['small'] },
    async decide({ problem, answers: { small } }): Promise<RouterDecision> {
      if (small === undefined) throw new Error(`core/token-and-length needs the small model's answer for ${problem.id}`);
      const confident = small.generation.confidenceToken === '<|c_math|>';
      const length = small.generation.usage.output;
      const keep = confident && length <= options.maxOutputTokens;
      const reason = !confident ? 'no <|c_math|>' : keep ? `<|c_math|>, ${length} tokens` : `<|c_math|> but ${length} > ${options.maxOutputTokens} tokens`;
      return { router: 'core/token-and-length', model: keep ? 'small' : 'large', reason, score: length };
    },
  }),
});
