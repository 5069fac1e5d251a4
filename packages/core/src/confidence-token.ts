import { z } from 'zod';

/** The confidence tokens the fine-tuned SLM ends an answer with. */
export const CONFIDENT_TOKEN = '<|c_math|>';
export const UNCERTAIN_TOKEN = '<|u_math|>';

export const ConfidenceToken = z.enum([CONFIDENT_TOKEN, UNCERTAIN_TOKEN]);
export type ConfidenceToken = z.infer<typeof ConfidenceToken>;

/** What a router sees: one of the two tokens, or none when the model emitted neither. */
export type ConfidenceTokenOrNone = ConfidenceToken | 'none';

/**
 * The confidence token a response ends with (the last one, ignoring trailing whitespace and end-of-turn markers),
 * or null when it emitted neither.
 */
export function findConfidenceToken(text: string): ConfidenceToken | null {
  const lastConfident = text.lastIndexOf(CONFIDENT_TOKEN);
  const lastUncertain = text.lastIndexOf(UNCERTAIN_TOKEN);
  if (lastConfident < 0 && lastUncertain < 0) return null;
  return lastConfident > lastUncertain ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN;
}
