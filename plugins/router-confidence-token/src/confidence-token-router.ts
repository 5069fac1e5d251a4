import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type RouterDecision, type RunRecord } from '@confide/core';
import { z } from 'zod';

const DelegatedToken = z.enum(['<|c_math|>', '<|u_math|>', 'none']);

export const ConfidenceTokenRouterOptions = z.strictObject({
  /** Which of the small model's final tokens send a problem to the large model. */
  delegate: z.array(DelegatedToken).min(1).default(['<|u_math|>', 'none']),
});

/**
 * Delegation II: keep the small model's answer when it ends with <|c_math|>; delegate on <|u_math|> or no token.
 * The options say which tokens delegate.
 */
export const confidenceTokenRouter = definePlugin({
  id: 'core/confidence-token',
  kind: 'router',
  description: 'Delegation II: keep the SLM answer on <|c_math|>, delegate on <|u_math|> or no token',
  optionsSchema: ConfidenceTokenRouterOptions,
  create: (options) => {
    const delegates = (small: RunRecord) => options.delegate.includes(small.generation.confidenceToken ?? 'none');
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: {
        decides: 'after-first-answer',
        reads: ['small'],
        // the choice follows from the recorded answer alone: ablations evaluate it on columns
        columnChoice: { from: 'answers', choose: (answers) => (delegates(answers['small']!) ? 'large' : 'small') },
      },
      async decide({ problem, answers: { small } }): Promise<RouterDecision> {
        if (small === undefined) throw new Error(`core/confidence-token needs the small model's answer for ${problem.id}`);
        const token = small.generation.confidenceToken ?? 'none';
        return { router: 'core/confidence-token', model: delegates(small) ? 'large' : 'small', reason: `confidence token ${token}` };
      },
    };
  },
});
