import { definePlugin, InvalidConfigError, PLUGIN_SPECIFICATION_VERSION, type EvaluatorVerdict, type ModelClient } from '@confide/core';
import { z } from 'zod';

/** The judge's three classes (CompassVerifier's A/B/C): the response's final answer matches the gold, does not, or cannot be judged. */
export type VerifierClass = 'correct' | 'incorrect' | 'invalid';

export const DEFAULT_VERIFIER_SYSTEM = 'You are a careful grader of mathematics answers. You judge only whether the final answer of a response matches the reference answer.';
export const DEFAULT_VERIFIER_USER = [
  'Question:',
  '{question}',
  '',
  'Reference answer:',
  '{gold}',
  '',
  'Response (its end):',
  '{response}',
  '',
  'Does the final answer of the response match the reference answer (the same value, in any notation)?',
  'Reply with one letter only: A if it matches, B if it does not, C if the response gives no final answer or is cut off.',
].join('\n');

export const ModelVerifierOptions = z.strictObject({
  /** The model client the context lends under this name (a run or `confide regrade` creates it: vLLM, OpenAI-compatible, Gemini). */
  client: z.string().min(1).default('verifier'),
  /** Slots: {question}, {gold}, {response} (the response's last `responseCharacters` characters). */
  prompt: z
    .strictObject({ system: z.string().optional(), user: z.string().refine((text) => text.includes('{gold}') && text.includes('{response}'), 'the user template needs {gold} and {response}') })
    .default({ system: DEFAULT_VERIFIER_SYSTEM, user: DEFAULT_VERIFIER_USER }),
  responseCharacters: z.number().int().min(100).max(200_000).default(4_000),
  maxOutputTokens: z.number().int().positive().default(16),
  temperature: z.number().min(0).max(2).default(0),
});
export type ModelVerifierOptions = z.infer<typeof ModelVerifierOptions>;

/**
 * Reads a judge's reply strictly: one of A, B, C (optionally in a box, bold, quotes, or after "Answer:"), nothing
 * else of substance. A reply cut off by the token limit is invalid. Returns null for anything else (unparseable).
 */
export function parseVerifierReply(text: string, finishReason: string | null): VerifierClass | null {
  if (finishReason === 'length' || finishReason === 'MAX_TOKENS') return 'invalid';
  const cleaned = text
    .trim()
    .replace(/^(?:final\s+)?(?:answer|verdict|grade)\s*[:：]\s*/i, '')
    .replace(/^\\boxed\{([^{}]*)\}$/, '$1')
    .replace(/^[*_"'`([]+|[*_"'`)\].]+$/g, '')
    .trim();
  if (cleaned === 'A') return 'correct';
  if (cleaned === 'B') return 'incorrect';
  if (cleaned === 'C') return 'invalid';
  return null;
}

function fill(template: string, slots: Record<string, string>): string {
  return template.replace(/\{(question|gold|response)\}/g, (_whole, name: string) => slots[name] ?? '');
}

/**
 * `core/model-verifier`: asks a model whether a response's final answer matches the gold answer, and reads its reply
 * strictly (A correct, B incorrect, C invalid or truncated; anything else is unparseable and counts as incorrect).
 * The model client is lent by the run under `client`; the lender schedules its calls (retries, cache, budget) and
 * bills them under the role `verifier`.
 */
export const modelVerifierEvaluator = definePlugin({
  id: 'core/model-verifier',
  kind: 'evaluator',
  description: 'ask a model (any lent client: vLLM, OpenAI-compatible, Gemini) whether the final answer matches the gold; strict A/B/C reply',
  optionsSchema: ModelVerifierOptions,
  create: (options, context) => {
    const client: ModelClient | undefined = context.modelClients?.[options.client];
    if (client === undefined) {
      throw new InvalidConfigError(`core/model-verifier: no model client "${options.client}" is lent to it (name one in the evaluator config's "clients")`);
    }
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      async grade(input): Promise<EvaluatorVerdict> {
        const slots = { question: input.question ?? '(not given)', gold: input.gold, response: input.response.slice(-options.responseCharacters) };
        const generation = await client.generate({
          problem: { id: input.problemId ?? 'verifier', problem: input.question ?? '', answer: input.gold },
          messages: [...(options.prompt.system ? [{ role: 'system' as const, content: options.prompt.system }] : []), { role: 'user', content: fill(options.prompt.user, slots) }],
          maxOutputTokens: options.maxOutputTokens,
          temperature: options.temperature,
        });
        const verdict = parseVerifierReply(generation.text, generation.finishReason);
        const reason =
          verdict === null
            ? `verifier ${client.model}: unparseable reply ${JSON.stringify(generation.text.slice(0, 80))}`
            : `verifier ${client.model}: ${verdict === 'correct' ? 'A (correct)' : verdict === 'incorrect' ? 'B (incorrect)' : 'C (invalid or truncated)'}`;
        return { correct: verdict === 'correct', evaluator: 'core/model-verifier', reason, answer: null };
      },
      close: () => Promise.resolve(),
    };
  },
});
