import { z } from 'zod';
import { ConfidenceToken } from '../confidence-token.js';

const tokenCount = z.number().int().nonnegative();

/** Token usage of one model call. Thinking tokens are billed as output by every provider we price. */
export const TokenUsage = z.strictObject({
  input: tokenCount,
  output: tokenCount,
  thinking: tokenCount,
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const ZERO_USAGE: TokenUsage = Object.freeze({ input: 0, output: 0, thinking: 0 });

/** Probabilities of the two confidence tokens at the position where the model emitted one. */
export const ConfidenceProbabilities = z
  .strictObject({
    confident: z.number().min(0).max(1),
    uncertain: z.number().min(0).max(1),
  })
  .refine((value) => value.confident + value.uncertain <= 1 + 1e-9, {
    message: 'P(confident) + P(uncertain) must not exceed 1',
  });
export type ConfidenceProbabilities = z.infer<typeof ConfidenceProbabilities>;

/** One model response to one problem. */
export const Generation = z.strictObject({
  model: z.string().min(1),
  text: z.string(),
  answer: z.string().nullable(),
  confidenceToken: ConfidenceToken.nullable(),
  confidenceProbabilities: ConfidenceProbabilities.optional(),
  usage: TokenUsage,
  latencyMs: z.number().nonnegative().nullable(),
  finishReason: z.string().nullable(),
});
export type Generation = z.infer<typeof Generation>;
