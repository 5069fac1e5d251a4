import { CONFIDENT_TOKEN, definePlugin, TopLogprobsCount, UNCERTAIN_TOKEN } from '@confide/core';
import { RunReference, RunStore } from '@confide/data';
import { z } from 'zod';
import { apiKeyFromEnvironment, ApiKeyVariable } from '../api-key.js';
import { GeminiClient } from './gemini-client.js';
import { OpenAICompatibleClient } from './openai-compatible-client.js';
import { ReplayClient } from './replay-client.js';
import { ReplicaSetClient, vllmHealth } from './replica-set-client.js';
import type { LiveModelClient } from '../live-model-client.js';

const BaseUrl = z.url({ protocol: /^https?$/ });
/** One server's base URL, or several serving the same model (replicas: each request goes to the next one that is up). */
const BaseUrls = z.union([BaseUrl, z.array(BaseUrl).min(1)]);
/** How replicas are taken out of the rotation and brought back. */
const ReplicaSettings = z.strictObject({
  /** Consecutive retryable failures after which a replica is taken out. */
  failuresToEject: z.number().int().min(1).default(3),
  /** How long a replica stays out before it is probed again. */
  probeAfterSeconds: z.number().positive().default(30),
});

/** One client for one base URL, or a replica set over several. */
function clientForUrls(
  baseUrl: string | string[],
  make: (url: string) => LiveModelClient,
  settings: z.infer<typeof ReplicaSettings> | undefined,
  health: ((url: string) => Promise<boolean>) | null,
) {
  const urls = Array.isArray(baseUrl) ? baseUrl : [baseUrl];
  if (urls.length === 1) return make(urls[0]!);
  return new ReplicaSetClient({
    replicas: urls.map((url) => ({ url, client: make(url) })),
    failuresToEject: settings?.failuresToEject ?? 3,
    probeAfterMs: (settings?.probeAfterSeconds ?? 30) * 1000,
    health,
  });
}

/** The header that carries the request's content hash, so a server that honours it bills a retry once; null: none. */
const IdempotencyHeader = z.string().min(1).nullable().default('Idempotency-Key');

export const GeminiModelOptions = z.strictObject({
  /** The Gemini model, e.g. gemini-2.5-flash (also the price-table id). */
  model: z.string().min(1),
  baseUrl: BaseUrl.optional(),
  apiKeyEnv: ApiKeyVariable.default('GEMINI_API_KEY'),
  thinkingBudget: z.number().int().min(-1).optional(),
  idempotencyHeader: IdempotencyHeader,
});

/** Gemini through @google/genai. */
export const geminiModel = definePlugin({
  id: 'core/gemini',
  kind: 'model',
  description: 'Gemini (@google/genai): system instruction, temperature, thinking budget, max output tokens; key from the environment',
  optionsSchema: GeminiModelOptions,
  create: (options) =>
    new GeminiClient({
      model: options.model,
      baseUrl: options.baseUrl,
      apiKey: apiKeyFromEnvironment(options.apiKeyEnv),
      thinkingBudget: options.thinkingBudget,
      idempotencyHeader: options.idempotencyHeader,
    }),
});

export const OpenAIModelOptions = z.strictObject({
  /** The price-table and record id of the model. */
  model: z.string().min(1),
  /** The name the server knows the model by (defaults to `model`). */
  servedModel: z.string().min(1).optional(),
  /** An OpenAI-compatible root; or a list of them serving the same model (replicas). */
  baseUrl: BaseUrls.optional(),
  replicas: ReplicaSettings.optional(),
  apiKeyEnv: ApiKeyVariable.default('OPENAI_API_KEY'),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_completion_tokens'),
  idempotencyHeader: IdempotencyHeader,
  /**
   * Record the top-k logprobs of each token of the answer (k ≤ 20; sent as `logprobs: true, top_logprobs: k`): a live
   * run keeps them in its logprobs sidecar and scores DeepConf's token confidence from them.
   */
  logprobs: TopLogprobsCount.optional(),
});

/** OpenAI chat completions, or any OpenAI-compatible server through `baseUrl`. */
export const openaiModel = definePlugin({
  id: 'core/openai',
  kind: 'model',
  description: 'OpenAI chat completions (openai SDK), or any OpenAI-compatible base URL; key from the environment',
  optionsSchema: OpenAIModelOptions,
  create: (options) => {
    const apiKey = apiKeyFromEnvironment(options.apiKeyEnv);
    const make = (baseUrl: string | undefined) =>
      new OpenAICompatibleClient({
        provider: 'openai',
        model: options.model,
        servedModel: options.servedModel ?? options.model,
        baseUrl,
        apiKey,
        idempotencyHeader: options.idempotencyHeader,
        extraBody: options.logprobs === undefined ? {} : { logprobs: true, top_logprobs: options.logprobs },
        maxTokensField: options.maxTokensField,
        confidenceFromLogprobs: false,
        recordLogprobs: options.logprobs ?? null,
        transport: 'sdk',
      });
    // a hosted API has no health endpoint: a replica taken out comes back on trial
    return options.baseUrl === undefined ? make(undefined) : clientForUrls(options.baseUrl, make, options.replicas, null);
  },
});

export const VllmModelOptions = z.strictObject({
  /** The price-table and record id, e.g. qwen2.5-math-1.5b-instruct-lora-confidence. */
  model: z.string().min(1),
  /** The LoRA adapter's served name (`--lora-modules NAME=path`), or the base model's. */
  servedModel: z.string().min(1),
  /**
   * The server's OpenAI-compatible root, e.g. http://127.0.0.1:8000/v1; or a list of servers of the same model
   * (data-parallel replicas, several hosts): taken out when `/health` fails or after repeated failures, probed again later.
   */
  baseUrl: BaseUrls,
  replicas: ReplicaSettings.optional(),
  /** The variable holding vLLM's `--api-key`; without it no key is sent. */
  apiKeyEnv: ApiKeyVariable.optional(),
  /** Stop strings, kept in the output like the seed. */
  stop: z.array(z.string().min(1)).default([CONFIDENT_TOKEN, UNCERTAIN_TOKEN, '<|im_end|>']),
  /** How many alternatives per position vLLM returns; P(c) and P(u) are read from them. */
  topLogprobs: z.number().int().min(2).max(20).default(5),
  idempotencyHeader: IdempotencyHeader,
  /**
   * Record the top-k logprobs of each token of the answer (k ≤ 20): a live run keeps them in its logprobs sidecar and
   * scores DeepConf's token confidence from them. vLLM is asked for max(k, topLogprobs) alternatives.
   */
  logprobs: TopLogprobsCount.optional(),
});

/** vLLM's OpenAI-compatible server with the fine-tuned SLM: stop strings kept, P(c)/P(u) from the logprobs. */
export const vllmModel = definePlugin({
  id: 'core/vllm',
  kind: 'model',
  description: "vLLM's OpenAI-compatible server: LoRA by served name, confidence stop strings kept, P(c)/P(u) from logprobs; logprobs: k records each token's top-k",
  optionsSchema: VllmModelOptions,
  create: (options) => {
    const apiKey = options.apiKeyEnv ? apiKeyFromEnvironment(options.apiKeyEnv) : 'EMPTY';
    return clientForUrls(options.baseUrl, (baseUrl) => vllmClient(options, baseUrl, apiKey), options.replicas, (url) => vllmHealth(url));
  },
});

function vllmClient(options: z.infer<typeof VllmModelOptions>, baseUrl: string, apiKey: string): OpenAICompatibleClient {
  return new OpenAICompatibleClient({
    provider: 'vllm',
    model: options.model,
    servedModel: options.servedModel,
    baseUrl,
    apiKey,
    idempotencyHeader: options.idempotencyHeader,
    extraBody: {
      stop: options.stop,
      include_stop_str_in_output: true,
      skip_special_tokens: false,
      logprobs: true,
      top_logprobs: Math.max(options.topLogprobs, options.logprobs ?? 0),
    },
    maxTokensField: 'max_tokens',
    confidenceFromLogprobs: true,
    recordLogprobs: options.logprobs ?? null,
    transport: 'http',
  });
}

export const ReplayModelOptions = z.strictObject({
  /** A recorded run: a bundled id (qwen-1.5b-lora-confidence) or a run-directory path (relative to the experiment). */
  run: RunReference,
  /** Only this model's answers (a delegated run holds both models'). */
  model: z.string().min(1).optional(),
  latency: z.enum(['recorded', 'simulate']).default('recorded'),
  latencyScale: z.number().positive().default(1),
});

/** Serves a recorded run by problem id, with its recorded text and usage. */
export const replayModel = definePlugin({
  id: 'core/replay',
  kind: 'model',
  description: 'serves a recorded run (bundled id or run-directory path) by problem id: recorded text, usage and (optionally waited) latency',
  optionsSchema: ReplayModelOptions,
  create: (options, context) =>
    new ReplayClient({
      runId: options.run,
      records: [...(context.runs ?? new RunStore()).records(options.run)],
      ...(options.model ? { model: options.model } : {}),
      latency: options.latency,
      latencyScale: options.latencyScale,
    }),
});
