import type { TokenUsage } from '../schemas/generation.js';
import type { GenerationRequest, ModelClient } from './plugin.js';

/** A JSON schema the answer must follow (structured output), with a name for providers that want one. */
export interface ResponseSchema {
  name: string;
  schema: Record<string, unknown>;
}

/** A request as the live clients take it: the core request, optionally with a structured-output schema. */
export interface LiveGenerationRequest extends GenerationRequest {
  responseSchema?: ResponseSchema;
}

export interface LiveGenerateOptions {
  signal?: AbortSignal;
  /** Sent as the client's idempotency header so a server that honours it bills a retried request once. */
  idempotencyKey?: string;
}

/**
 * A model client a live run can use (what a `model` plugin's `create` returns): one attempt per `generate` call
 * (retries live only in the run's scheduler), failures thrown as `ApiError` (which says whether a retry can help),
 * plus what the response cache and the budget need to know.
 */
export interface LiveModelClient extends ModelClient {
  /** Everything besides the request that changes the answer (provider, endpoint, fixed parameters); never credentials. */
  readonly identity: Readonly<Record<string, unknown>>;
  /** False for clients whose answers cost nothing to get again (replay): they bypass the cache. */
  readonly cacheable: boolean;
  /** An upper bound of the request's usage, reserved against the budget before it is sent (see `inputTokenBound`). */
  maxUsage(request: LiveGenerationRequest): TokenUsage;
  generate(request: LiveGenerationRequest, options?: LiveGenerateOptions): ReturnType<ModelClient['generate']>;
}

export function isLiveModelClient(client: ModelClient): client is LiveModelClient {
  return 'identity' in client && 'maxUsage' in client && 'cacheable' in client;
}

const utf8 = new TextEncoder();

/**
 * An upper bound of a prompt's tokens without the model's tokenizer: every tokenizer we use spends at least one UTF-8
 * byte per token, and a chat template adds a few tokens per message.
 */
export function inputTokenBound(request: GenerationRequest): number {
  const perMessageOverhead = 16;
  let bound = perMessageOverhead;
  for (const message of request.messages) bound += utf8.encode(message.content).length + perMessageOverhead;
  return bound;
}
