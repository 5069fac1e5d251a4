import { z } from 'zod';
import { ConfidenceToken } from '../confidence-token.js';
import { TokenConfidence, TokenLogprobs } from '../token-confidence.js';

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
  /**
   * A cost in US dollars as the source recorded it (an imported log's own cost of this call), stored as given: a
   * report names it "recorded cost". Costs are computed from `usage` at a price table's prices where they can be
   * (`generationCost`); this is the cost where they cannot.
   */
  recordedCostUsd: z.number().nonnegative().optional(),
  /**
   * The source recorded no token counts (an imported log): `usage` then holds zeros that stand for nothing, and the
   * call costs its recorded cost, or is cost-unknown without one (never $0).
   */
  usageUnknown: z.literal(true).optional(),
  /**
   * The DeepConf summary of the answer's token logprobs (token-confidence.ts): mean, tail, bottom-10 % and lowest
   * group confidence and the token margin, with the windows used. Written with the record by a run whose client
   * recorded logprobs (`logprobs: k`); a run folder's logprobs sidecar, where there is one, supplies it when the run is
   * read (its index wins).
   */
  tokenConfidence: TokenConfidence.optional(),
  /**
   * The answer's top-k token logprobs as the client returned them (`logprobs: k`): carried from the client to the
   * run's logprobs sidecar, never into a record (`RunRecord` refuses it).
   */
  tokenLogprobs: TokenLogprobs.optional(),
});
export type Generation = z.infer<typeof Generation>;
