import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type RouterDecision } from '@confide/core';
import { z } from 'zod';

/** Answers compared as written after removing spacing, `\left`/`\right`, `\!`, `\,` and a trailing period. */
export function answerKey(answer: string | null): string {
  if (answer === null) return '';
  return answer
    .replace(/\\left|\\right|\\!|\\,|\\;|\\ /g, '')
    .replace(/\\[dt]frac/g, '\\frac')
    .replace(/\s+/g, '')
    .replace(/\.$/, '');
}

export const AgreementRouterOptions = z.strictObject({
  /** The name of the second small model's source in the delegation (`peers`). */
  peer: z.string().min(1).default('second'),
});

/** Delegate when two small models' final answers disagree (or either has none). */
export const agreementRouter = definePlugin({
  id: 'core/agreement',
  kind: 'router',
  description: "delegate when two small models' answers disagree",
  optionsSchema: AgreementRouterOptions,
  create: (options) => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'after-first-answer', reads: ['small', options.peer] },
    async decide({ problem, answers }): Promise<RouterDecision> {
      const small = answers['small'];
      const other = answers[options.peer];
      if (!small || !other) throw new Error(`core/agreement needs the small answer and peer "${options.peer}" for ${problem.id}`);
      const first = answerKey(small.generation.answer);
      const second = answerKey(other.generation.answer);
      const agree = first !== '' && first === second;
      return { router: 'core/agreement', model: agree ? 'small' : 'large', reason: agree ? 'answers agree' : `answers differ: ${first} vs ${second}` };
    },
  }),
});
