import {
  findConfidenceToken,
  InvalidConfigError,
  PLUGIN_SPECIFICATION_VERSION,
  type ConfidenceProbabilities,
  type Generation,
  type TokenLogprobs,
  type TokenUsage,
} from '@confide/core';
import { createRequire } from 'node:module';
import type OpenAI from 'openai';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import {
  inputTokenBound,
  type LiveGenerateOptions,
  type LiveGenerationRequest,
  type LiveModelClient,
} from '../live-model-client.js';
import { classifyError } from './classify-error.js';
import { postJson } from './http-json-transport.js';

const TopLogprob = z.object({ token: z.string(), logprob: z.number() });
const TokenLogprob = TopLogprob.extend({ top_logprobs: z.array(TopLogprob).default([]) });

/** The parts of a chat completion we read; OpenAI and vLLM add more, which we ignore. */
export const ChatCompletionResponse = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullable(),
        /** vLLM: the stop string (or token id) that ended generation. */
        stop_reason: z.union([z.string(), z.number()]).nullable().optional(),
        /** Checked entry by entry where they are read: a long answer has thousands of alternatives. */
        logprobs: z.object({ content: z.array(z.unknown()).nullable() }).nullable().optional(),
      }),
    )
    .min(1),
  usage: z.object({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().int().nonnegative().optional() }).nullable().optional(),
  }),
});
export type ChatCompletionResponse = z.infer<typeof ChatCompletionResponse>;

export interface OpenAICompatibleOptions {
  /** `openai` or `vllm`: goes into the cache identity and the records' provenance. */
  provider: 'openai' | 'vllm';
  /** The model name sent to the server (for vLLM, the LoRA adapter's served name). */
  servedModel: string;
  /** The model id used for pricing and in records. */
  model: string;
  baseUrl: string | undefined;
  apiKey: string;
  idempotencyHeader: string | null;
  /** Parameters sent with every request (vLLM's extra sampling parameters, stop strings). */
  extraBody: Record<string, unknown>;
  /** OpenAI's newer models take `max_completion_tokens`; vLLM and older endpoints take `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Reads P(<|c_math|>) and P(<|u_math|>) from the logprobs (vLLM with the fine-tuned SLM). */
  confidenceFromLogprobs: boolean;
  /**
   * Records the answer's top-k logprobs per token (`logprobs: k`), for the run's logprobs sidecar and DeepConf's
   * signals; null: none. The request must ask for at least k alternatives (`top_logprobs` in `extraBody`).
   */
  recordLogprobs: number | null;
  /** `sdk`: the openai SDK; `http`: plain keep-alive HTTP, lighter per request (vLLM). */
  transport: 'sdk' | 'http';
}

/**
 * The probabilities of the two confidence tokens at the position where the model emitted one (the last such
 * position), read from that position's top logprobs; a token outside the top-k has probability 0. When the model
 * emitted neither, the last position is used (where it chose to stop instead). Undefined without logprobs.
 */
export function confidenceFromLogprobs(content: readonly unknown[] | null | undefined): ConfidenceProbabilities | undefined {
  if (!content || content.length === 0) return undefined;
  let position = content.length - 1;
  for (let index = content.length - 1; index >= 0; index--) {
    const token = (content[index] as { token?: unknown } | null)?.token;
    if (token === '<|c_math|>' || token === '<|u_math|>') {
      position = index;
      break;
    }
  }
  const parsed = TokenLogprob.safeParse(content[position]);
  if (!parsed.success) {
    throw new ApiError({ kind: 'malformed-response', message: `unexpected logprobs entry ${position}: ${parsed.error.issues[0]!.message}` });
  }
  const entry = parsed.data;
  const probability = (token: string) => {
    const top = entry.top_logprobs.find((candidate) => candidate.token === token);
    return top === undefined ? 0 : Math.exp(top.logprob);
  };
  const confident = probability('<|c_math|>');
  const uncertain = probability('<|u_math|>');
  // Rounding in the server's logprobs can push the sum a hair past one.
  const total = confident + uncertain;
  return total > 1 ? { confident: confident / total, uncertain: uncertain / total } : { confident, uncertain };
}

/**
 * The top-k logprobs of every token of the answer, most likely first, from the response's `logprobs.content` (each
 * entry's `top_logprobs`, sorted; vLLM's −9999 for −∞ is kept and stored as the cap). A response without logprobs, or
 * with fewer than k alternatives at a position, is malformed: the request asked for them.
 */
export function tokenLogprobsOf(content: readonly unknown[] | null | undefined, k: number): TokenLogprobs {
  if (!content) throw new ApiError({ kind: 'malformed-response', message: `asked for the top ${k} logprobs of each token, and the response has no logprobs` });
  const positions = content.map((raw, index) => {
    const parsed = TokenLogprob.safeParse(raw);
    if (!parsed.success) throw new ApiError({ kind: 'malformed-response', message: `unexpected logprobs entry ${index}: ${parsed.error.issues[0]!.message}` });
    const alternatives = parsed.data.top_logprobs;
    if (alternatives.length < k) {
      throw new ApiError({ kind: 'malformed-response', message: `logprobs entry ${index} has ${alternatives.length} alternatives; logprobs: ${k} needs ${k} (the server's top_logprobs)` });
    }
    return alternatives
      .map((alternative) => Math.min(0, alternative.logprob))
      .sort((left, right) => right - left)
      .slice(0, k);
  });
  return { k, positions };
}

/** The SDK, loaded when the first client is made (a command that makes no model call does not pay for it). */
function openaiSdk(): typeof OpenAI {
  return (createRequire(import.meta.url)('openai') as { default: typeof OpenAI }).default;
}

/** Chat completions against OpenAI or any OpenAI-compatible server, one attempt per call (the scheduler retries). */
export class OpenAICompatibleClient implements LiveModelClient {
  readonly specificationVersion = PLUGIN_SPECIFICATION_VERSION;
  readonly cacheable = true;
  readonly model: string;
  readonly identity: Readonly<Record<string, unknown>>;
  readonly #sdk: OpenAI;
  readonly #endpoint: URL;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.model = options.model;
    const Sdk = openaiSdk();
    this.#sdk = new Sdk({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      maxRetries: 0,
      timeout: 24 * 60 * 60 * 1000,
    });
    this.#endpoint = new URL(`${this.#sdk.baseURL.replace(/\/$/, '')}/chat/completions`);
    this.identity = {
      provider: options.provider,
      endpoint: new URL(this.#sdk.baseURL).origin + new URL(this.#sdk.baseURL).pathname,
      servedModel: options.servedModel,
      extraBody: options.extraBody,
      // an answer cached without its token logprobs must not answer a request that records them
      ...(options.recordLogprobs !== null ? { recordLogprobs: options.recordLogprobs } : {}),
    };
  }

  maxUsage(request: LiveGenerationRequest): TokenUsage {
    if (request.maxOutputTokens === undefined) {
      throw new InvalidConfigError(`${this.model}: a request needs maxOutputTokens so its cost can be bounded`);
    }
    return { input: inputTokenBound(request), output: request.maxOutputTokens, thinking: 0 };
  }

  async generate(request: LiveGenerationRequest, options: LiveGenerateOptions = {}): Promise<Generation> {
    const body: Record<string, unknown> = {
      ...this.options.extraBody,
      model: this.options.servedModel,
      messages: request.messages,
      ...(request.maxOutputTokens !== undefined ? { [this.options.maxTokensField]: request.maxOutputTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.responseSchema
        ? { response_format: { type: 'json_schema', json_schema: { name: request.responseSchema.name, schema: request.responseSchema.schema, strict: true } } }
        : {}),
    };
    const headers =
      this.options.idempotencyHeader && options.idempotencyKey ? { [this.options.idempotencyHeader]: options.idempotencyKey } : undefined;
    const started = performance.now();
    let raw: unknown;
    if (this.options.transport === 'http') {
      raw = await postJson(this.#endpoint, body, { authorization: `Bearer ${this.options.apiKey}`, ...headers }, options.signal);
    } else {
      try {
        raw = await this.#sdk.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(headers ? { headers } : {}),
        });
      } catch (error) {
        throw classifyError(error);
      }
    }
    const latencyMs = performance.now() - started;
    const parsed = ChatCompletionResponse.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ApiError({ kind: 'malformed-response', message: `unexpected chat completion: ${issue.path.join('.')}: ${issue.message}` });
    }
    return this.toGeneration(parsed.data, latencyMs);
  }

  toGeneration(response: ChatCompletionResponse, latencyMs: number): Generation {
    const choice = response.choices[0]!;
    const text = choice.message.content ?? '';
    const reasoning = response.usage.completion_tokens_details?.reasoning_tokens ?? 0;
    const probabilities = this.options.confidenceFromLogprobs ? confidenceFromLogprobs(choice.logprobs?.content) : undefined;
    const tokenLogprobs = this.options.recordLogprobs !== null ? tokenLogprobsOf(choice.logprobs?.content, this.options.recordLogprobs) : undefined;
    return {
      model: this.model,
      text,
      answer: null,
      confidenceToken: findConfidenceToken(text),
      ...(probabilities ? { confidenceProbabilities: probabilities } : {}),
      usage: { input: response.usage.prompt_tokens, output: response.usage.completion_tokens - reasoning, thinking: reasoning },
      latencyMs,
      finishReason: choice.finish_reason,
      ...(tokenLogprobs ? { tokenLogprobs } : {}),
    };
  }
}
