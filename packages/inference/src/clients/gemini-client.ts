import {
  findConfidenceToken,
  InvalidConfigError,
  PLUGIN_SPECIFICATION_VERSION,
  type Generation,
  type TokenUsage,
} from '@confide/core';
import { createRequire } from 'node:module';
import type { GenerateContentConfig, GoogleGenAI } from '@google/genai';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import {
  inputTokenBound,
  type LiveGenerateOptions,
  type LiveGenerationRequest,
  type LiveModelClient,
} from '../live-model-client.js';
import { classifyError } from './classify-error.js';

/** The parts of a generateContent response we read. */
export const GeminiResponse = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(z.object({ text: z.string().optional(), thought: z.boolean().optional() })).default([]) }).optional(),
        finishReason: z.string().optional(),
      }),
    )
    .min(1),
  usageMetadata: z.object({
    promptTokenCount: z.number().int().nonnegative().default(0),
    candidatesTokenCount: z.number().int().nonnegative().default(0),
    thoughtsTokenCount: z.number().int().nonnegative().default(0),
  }),
});

export interface GeminiClientOptions {
  model: string;
  baseUrl: string | undefined;
  apiKey: string;
  /** Tokens the model may think for; 0 turns thinking off (Flash), -1 lets the model decide. */
  thinkingBudget: number | undefined;
  idempotencyHeader: string | null;
}

/** Upper bound of thinking tokens when the budget is left to the model (Gemini 2.5's largest budget). */
const DYNAMIC_THINKING_BOUND = 32_768;

/** Gemini through @google/genai: system instruction, temperature, thinking budget, max output tokens; one attempt per call. */
export class GeminiClient implements LiveModelClient {
  readonly specificationVersion = PLUGIN_SPECIFICATION_VERSION;
  readonly cacheable = true;
  readonly model: string;
  readonly identity: Readonly<Record<string, unknown>>;
  readonly #sdk: GoogleGenAI;

  constructor(private readonly options: GeminiClientOptions) {
    this.model = options.model;
    const { GoogleGenAI: Sdk } = createRequire(import.meta.url)('@google/genai') as typeof import('@google/genai');
    this.#sdk = new Sdk({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}),
    });
    this.identity = {
      provider: 'gemini',
      endpoint: options.baseUrl ?? 'https://generativelanguage.googleapis.com',
      thinkingBudget: options.thinkingBudget,
    };
  }

  maxUsage(request: LiveGenerationRequest): TokenUsage {
    if (request.maxOutputTokens === undefined) {
      throw new InvalidConfigError(`${this.model}: a request needs maxOutputTokens so its cost can be bounded`);
    }
    const budget = this.options.thinkingBudget;
    const thinking = budget === undefined || budget < 0 ? DYNAMIC_THINKING_BOUND : budget;
    return { input: inputTokenBound(request), output: request.maxOutputTokens, thinking };
  }

  async generate(request: LiveGenerationRequest, options: LiveGenerateOptions = {}): Promise<Generation> {
    const system = request.messages.filter((message) => message.role === 'system').map((message) => message.content);
    const contents = request.messages
      .filter((message) => message.role !== 'system')
      .map((message) => ({ role: message.role === 'assistant' ? 'model' : 'user', parts: [{ text: message.content }] }));
    // The SDK turns a failed response into an error without its headers; this fetch keeps them for Retry-After.
    let failed: Response | undefined;
    const capturingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      if (!response.ok) failed = response;
      return response;
    };
    const config: GenerateContentConfig = {
      ...(system.length > 0 ? { systemInstruction: system.join('\n\n') } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(this.options.thinkingBudget !== undefined ? { thinkingConfig: { thinkingBudget: this.options.thinkingBudget } } : {}),
      ...(request.responseSchema ? { responseMimeType: 'application/json', responseJsonSchema: request.responseSchema.schema } : {}),
      ...(options.signal ? { abortSignal: options.signal } : {}),
      httpOptions: {
        fetch: capturingFetch,
        ...(this.options.idempotencyHeader && options.idempotencyKey
          ? { headers: { [this.options.idempotencyHeader]: options.idempotencyKey } }
          : {}),
      },
    };
    const started = performance.now();
    let raw: unknown;
    try {
      raw = await this.#sdk.models.generateContent({ model: this.model, contents, config });
    } catch (error) {
      throw classifyError(error, failed);
    }
    const latencyMs = performance.now() - started;
    const parsed = GeminiResponse.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ApiError({ kind: 'malformed-response', message: `unexpected generateContent response: ${issue.path.join('.')}: ${issue.message}` });
    }
    const candidate = parsed.data.candidates[0]!;
    const text = (candidate.content?.parts ?? [])
      .filter((part) => part.thought !== true && part.text !== undefined)
      .map((part) => part.text)
      .join('');
    const usage = parsed.data.usageMetadata;
    return {
      model: this.model,
      text,
      answer: null,
      confidenceToken: findConfidenceToken(text),
      usage: { input: usage.promptTokenCount, output: usage.candidatesTokenCount, thinking: usage.thoughtsTokenCount },
      latencyMs,
      finishReason: candidate.finishReason ?? null,
    };
  }
}
