import { CONFIDENT_TOKEN, definePlugin, UNCERTAIN_TOKEN } from '@confide/core';
import { RunReference, RunStore } from '@confide/data';
import { z } from 'zod';
import { apiKeyFromEnvironment, ApiKeyVariable } from '../api-key.js';
import { GeminiClient } from './gemini-client.js';
import { OpenAICompatibleClient } from './openai-compatible-client.js';
import { ReplayClient } from './replay-client.js';

const BaseUrl = z.url({ protocol: /^https?$/ });
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
  baseUrl: BaseUrl.optional(),
  apiKeyEnv: ApiKeyVariable.default('OPENAI_API_KEY'),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_completion_tokens'),
  idempotencyHeader: IdempotencyHeader,
});

/** OpenAI chat completions, or any OpenAI-compatible server through `baseUrl`. */
export const openaiModel = definePlugin({
  id: 'core/openai',
  kind: 'model',
  description: 'OpenAI chat completions (openai SDK), or any OpenAI-compatible base URL; key from the environment',
  optionsSchema: OpenAIModelOptions,
  create: (options) =>
    new OpenAICompatibleClient({
      provider: 'openai',
      model: options.model,
      servedModel: options.servedModel ?? options.model,
      baseUrl: options.baseUrl,
      apiKey: apiKeyFromEnvironment(options.apiKeyEnv),
      idempotencyHeader: options.idempotencyHeader,
      extraBody: {},
      maxTokensField: options.maxTokensField,
      confidenceFromLogprobs: false,
      transport: 'sdk',
    }),
});

export const VllmModelOptions = z.strictObject({
  /** The price-table and record id, e.g. qwen2.5-math-1.5b-instruct-lora-confidence. */
  model: z.string().min(1),
  /** The LoRA adapter's served name (`--lora-modules NAME=path`), or the base model's. */
  servedModel: z.string().min(1),
  /** The server's OpenAI-compatible root, e.g. http://127.0.0.1:8000/v1. */
  baseUrl: BaseUrl,
  /** The variable holding vLLM's `--api-key`; without it no key is sent. */
  apiKeyEnv: ApiKeyVariable.optional(),
  /** Stop strings, kept in the output like the seed. */
  stop: z.array(z.string().min(1)).default([CONFIDENT_TOKEN, UNCERTAIN_TOKEN, '<|im_end|>']),
  /** How many alternatives per position vLLM returns; P(c) and P(u) are read from them. */
  topLogprobs: z.number().int().min(2).max(20).default(5),
  idempotencyHeader: IdempotencyHeader,
});

/** vLLM's OpenAI-compatible server with the fine-tuned SLM: stop strings kept, P(c)/P(u) from the logprobs. */
export const vllmModel = definePlugin({
  id: 'core/vllm',
  kind: 'model',
  description: "vLLM's OpenAI-compatible server: LoRA by served name, confidence stop strings kept, P(c)/P(u) from logprobs",
  optionsSchema: VllmModelOptions,
  create: (options) =>
    new OpenAICompatibleClient({
      provider: 'vllm',
      model: options.model,
      servedModel: options.servedModel,
      baseUrl: options.baseUrl,
      apiKey: options.apiKeyEnv ? apiKeyFromEnvironment(options.apiKeyEnv) : 'EMPTY',
      idempotencyHeader: options.idempotencyHeader,
      extraBody: {
        stop: options.stop,
        include_stop_str_in_output: true,
        skip_special_tokens: false,
        logprobs: true,
        top_logprobs: options.topLogprobs,
      },
      maxTokensField: 'max_tokens',
      confidenceFromLogprobs: true,
      transport: 'http',
    }),
});

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
