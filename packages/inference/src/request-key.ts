import { createHash } from 'node:crypto';
import type { LiveGenerationRequest } from './live-model-client.js';

/** JSON with object keys sorted and undefined values dropped, so equal requests serialise to equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/**
 * The normalised request that identifies an answer: the client's identity (provider, endpoint, fixed parameters),
 * the model, the messages and the sampling parameters. The problem's id is not part of it (the same prompt gets the
 * same answer), and neither is any credential: clients never put one in their identity.
 */
export function normaliseRequest(
  identity: Readonly<Record<string, unknown>>,
  model: string,
  request: LiveGenerationRequest,
): Record<string, unknown> {
  return {
    client: identity,
    model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
    seed: request.seed,
    responseSchema: request.responseSchema,
  };
}

/** SHA-256 of the canonical JSON of the normalised request: the cache key and the idempotency key. */
export function requestKey(normalised: Record<string, unknown> | string): string {
  return createHash('sha256').update(typeof normalised === 'string' ? normalised : canonicalJson(normalised)).digest('hex');
}
