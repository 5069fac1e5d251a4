import {
  ConfideError,
  definePlugin,
  InvalidConfigError,
  PLUGIN_SPECIFICATION_VERSION,
  TokenLogprobs,
  TopLogprobsCount,
  type Generation,
  type TokenUsage,
} from '@confide/core';
import { generateWithRunner, RayEngineOptions, type GenerateWithRunnerInput, type GenerateWithRunnerOptions, type GenerateWithRunnerResult, type RunnerGeneration } from '@confide/training';
import { z } from 'zod';
import { CancelledError } from '../errors.js';
import { inputTokenBound, type LiveGenerateOptions, type LiveGenerationRequest, type LiveModelClient } from '../live-model-client.js';

export const TransformersModelOptions = z.strictObject({
  /** The price-table and record id, e.g. qwen2.5-math-1.5b-instruct-lora-confidence. */
  model: z.string().min(1),
  /** A hub id or a local model folder. */
  baseModel: z.string().min(1),
  /** A PEFT adapter folder (finetuned_models/<run>/adapter), or null for the base model alone. */
  adapter: z.string().min(1).nullable().default(null),
  /** Only needed without an adapter (an adapter says how it was trained). */
  confidenceTokens: z.enum(['text', 'special']).nullable().default(null),
  /** Rows per forward pass inside the runner. */
  batchSize: z.number().int().positive().default(8),
  /** Requests gathered into one runner process (it loads the model once for all of them). */
  maxProblemsPerRun: z.number().int().positive().default(256),
  /** How long a first request waits for others to join its runner process. */
  batchWindowMs: z.number().int().nonnegative().default(250),
  precision: z.enum(['auto', 'bf16', 'fp16', 'fp32']).default('auto'),
  /** The Python interpreter; default $CONFIDE_PYTHON, else the workspace's .venv. */
  python: z.string().min(1).optional(),
  /**
   * Record the top-k logprobs of each output token (k ≤ 20, from the logits at each step): a live run keeps them in
   * its logprobs sidecar and scores DeepConf's token confidence from them.
   */
  logprobs: TopLogprobsCount.optional(),
  /**
   * Generate each runner process's requests on a Ray cluster (a local one, or `address`) instead of in the runner
   * itself: blocks of `batchesPerBlock` batches over `workers` workers, a dead worker's block run again, the same
   * answers as without it. `backend: "vllm"` is the GPU variant (Ray Data LLM's vLLM processor; needs vLLM and GPUs).
   */
  ray: RayEngineOptions.optional(),
});
export type TransformersModelOptions = z.infer<typeof TransformersModelOptions>;

export type RunnerGenerate = (input: GenerateWithRunnerInput, options: GenerateWithRunnerOptions) => Promise<GenerateWithRunnerResult>;

export interface TransformersClientOptions extends TransformersModelOptions {
  /** How a batch is generated; the Python runner unless a test says otherwise. */
  generate?: RunnerGenerate;
  /** The runner's stderr (its logs), e.g. for a verbose CLI. */
  onStderr?: (text: string) => void;
}

interface Pending {
  runnerId: string;
  request: LiveGenerationRequest;
  user: string;
  signal: AbortSignal | undefined;
  resolve: (generation: Generation) => void;
  reject: (error: unknown) => void;
  settled: boolean;
}

/** Requests that can share a runner process: same system prompt and token limit. */
function groupKey(system: string, maxOutputTokens: number): string {
  return JSON.stringify([system, maxOutputTokens]);
}

/**
 * The fine-tuned SLM through the Python runner's transformers backend (greedy, batched), for machines without a vLLM
 * server and for the CPU pipeline check. Requests that arrive together are gathered into one runner process, which
 * loads the model once and generates them in batches; processes run one at a time. Each answer keeps the confidence
 * token, P(c) and P(u) at its position, and the runner's token counts. `answer` is left to the evaluator.
 * With `ray`, a runner process hands its requests to a Ray cluster's workers in blocks (the runner's ray engine);
 * answers come back the same way, once per request.
 *
 * Not cached (`cacheable` false): an adapter retrained in place would otherwise be answered from stale entries.
 */
export class TransformersClient implements LiveModelClient {
  readonly specificationVersion = PLUGIN_SPECIFICATION_VERSION;
  readonly cacheable = false;
  readonly model: string;
  readonly identity: Readonly<Record<string, unknown>>;
  readonly #generate: RunnerGenerate;
  readonly #waiting = new Map<string, Pending[]>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #current: { batch: Pending[]; controller: AbortController } | undefined;
  readonly #watched = new Map<AbortSignal, Set<Pending>>();
  #nextId = 0;
  /** Runner processes started so far (for tests and progress). */
  runs = 0;

  constructor(private readonly options: TransformersClientOptions) {
    this.model = options.model;
    this.#generate = options.generate ?? generateWithRunner;
    this.identity = {
      provider: 'transformers',
      baseModel: options.baseModel,
      adapter: options.adapter,
      confidenceTokens: options.confidenceTokens,
      precision: options.precision,
      ...(options.logprobs !== undefined ? { recordLogprobs: options.logprobs } : {}),
      // Ray's transformers backend answers as the plain path does; its vLLM backend reads P(c) from logprobs instead.
      ...(options.ray?.backend === 'vllm' ? { engine: 'ray/vllm' } : {}),
    };
  }

  maxUsage(request: LiveGenerationRequest): TokenUsage {
    return { input: inputTokenBound(request), output: this.#maxOutputTokens(request), thinking: 0 };
  }

  #maxOutputTokens(request: LiveGenerationRequest): number {
    if (request.maxOutputTokens === undefined) {
      throw new InvalidConfigError(`${this.model}: a request needs maxOutputTokens (the runner's maxNewTokens)`);
    }
    return request.maxOutputTokens;
  }

  /** The system prompt and user message of a request the runner can render through the chat template. */
  #prompt(request: LiveGenerationRequest): { system: string; user: string } {
    const messages = request.messages;
    const last = messages.at(-1);
    const system = messages.length === 2 && messages[0]!.role === 'system' ? messages[0]!.content : undefined;
    if (last?.role !== 'user' || system === undefined) {
      throw new InvalidConfigError(
        `${this.model} (core/transformers): a request must be a system prompt and one user message (give the prompt a "system" text)`,
      );
    }
    if (request.temperature !== undefined && request.temperature !== 0) {
      throw new InvalidConfigError(`${this.model} (core/transformers): the runner generates greedily; temperature must be 0 or unset`);
    }
    if (request.responseSchema !== undefined) {
      throw new InvalidConfigError(`${this.model} (core/transformers): structured output (a response schema) is not supported`);
    }
    return { system, user: last.content };
  }

  async generate(request: LiveGenerationRequest, options: LiveGenerateOptions = {}): Promise<Generation> {
    const { system, user } = this.#prompt(request);
    const maxOutputTokens = this.#maxOutputTokens(request);
    if (options.signal?.aborted) throw new CancelledError();
    return await new Promise<Generation>((resolve, reject) => {
      const pending: Pending = {
        runnerId: `r${this.#nextId++}`,
        request,
        user,
        signal: options.signal,
        resolve,
        reject,
        settled: false,
      };
      this.#watch(pending);
      const key = groupKey(system, maxOutputTokens);
      const group = this.#waiting.get(key) ?? [];
      group.push(pending);
      this.#waiting.set(key, group);
      this.#schedule();
    });
  }

  /**
   * One abort listener per signal, however many requests share it (a dataset build passes one signal to all): an
   * abort rejects its requests at once, and stops the running process when none of its requests is left.
   */
  #watch(pending: Pending): void {
    const signal = pending.signal;
    if (signal === undefined) return;
    const watched = this.#watched.get(signal);
    if (watched !== undefined) {
      watched.add(pending);
      return;
    }
    const group = new Set([pending]);
    this.#watched.set(signal, group);
    signal.addEventListener(
      'abort',
      () => {
        this.#watched.delete(signal);
        for (const member of group) this.#settle(member, { error: signal.reason instanceof Error ? signal.reason : new CancelledError() });
        const current = this.#current;
        if (current !== undefined && current.batch.every((member) => member.settled)) current.controller.abort();
      },
      { once: true },
    );
  }

  #settle(pending: Pending, outcome: { generation: Generation } | { error: unknown }): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.signal !== undefined) this.#watched.get(pending.signal)?.delete(pending);
    if ('generation' in outcome) pending.resolve(outcome.generation);
    else pending.reject(outcome.error);
  }

  #schedule(): void {
    if (this.#running !== undefined || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#runNext().finally(() => {
        this.#running = undefined;
        if (this.#waiting.size > 0) this.#schedule();
      });
    }, this.options.batchWindowMs);
  }

  /** Runs the largest waiting group (up to maxProblemsPerRun requests) in one runner process. */
  async #runNext(): Promise<void> {
    for (const [key, group] of this.#waiting) {
      const live = group.filter((pending) => !pending.settled);
      if (live.length === 0) this.#waiting.delete(key);
      else this.#waiting.set(key, live);
    }
    const chosen = [...this.#waiting].sort((first, second) => second[1].length - first[1].length)[0];
    if (chosen === undefined) return;
    const [key, group] = chosen;
    const batch = group.splice(0, this.options.maxProblemsPerRun);
    if (group.length === 0) this.#waiting.delete(key);
    const [system, maxNewTokens] = JSON.parse(key) as [string, number];

    const controller = new AbortController();
    this.#current = { batch, controller };
    const byRunnerId = new Map(batch.map((pending) => [pending.runnerId, pending]));
    this.runs += 1;
    try {
      await this.#generate(
        {
          baseModel: this.options.baseModel,
          adapter: this.options.adapter,
          confidenceTokens: this.options.confidenceTokens,
          problems: batch.map((pending) => ({ id: pending.runnerId, problem: pending.user })),
          maxNewTokens,
          batchSize: this.options.batchSize,
          precision: this.options.precision,
          systemPrompt: system,
          userTemplate: '{problem}',
          ...(this.options.logprobs !== undefined ? { logprobs: this.options.logprobs } : {}),
          ...(this.options.ray !== undefined ? { ray: this.options.ray } : {}),
        },
        {
          ...(this.options.python !== undefined ? { python: this.options.python } : {}),
          signal: controller.signal,
          source: `${this.model} (core/transformers)`,
          ...(this.options.onStderr ? { onStderr: this.options.onStderr } : {}),
          // Each answer is handed out as soon as its batch is done, not when the whole process ends.
          onGeneration: (generation) => {
            const pending = byRunnerId.get(generation.id);
            if (pending === undefined) return;
            try {
              this.#settle(pending, { generation: this.#toGeneration(generation) });
            } catch (error) {
              this.#settle(pending, { error });
            }
          },
        },
      );
      for (const pending of batch) {
        this.#settle(pending, { error: new ConfideError('SUBPROCESS_FAILED', `${this.model} (core/transformers): the runner returned no answer for ${pending.request.problem.id}`) });
      }
    } catch (error) {
      for (const pending of batch) this.#settle(pending, { error });
    } finally {
      this.#current = undefined;
    }
  }

  #toGeneration(generation: RunnerGeneration): Generation {
    const k = this.options.logprobs;
    let tokenLogprobs: TokenLogprobs | undefined;
    if (k !== undefined) {
      const parsed = TokenLogprobs.safeParse({ k, positions: generation.topLogprobs ?? null });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ConfideError('SUBPROCESS_FAILED', `${this.model} (core/transformers): asked for logprobs: ${k}, the runner's topLogprobs ${issue.path.join('.')}: ${issue.message}`);
      }
      tokenLogprobs = parsed.data;
    }
    return {
      model: this.model,
      text: generation.text,
      answer: null,
      confidenceToken: generation.confidenceToken,
      confidenceProbabilities: generation.confidenceProbabilities,
      usage: { input: generation.usage.input, output: generation.usage.output, thinking: 0 },
      latencyMs: generation.latencyMs,
      finishReason: generation.finishReason,
      ...(tokenLogprobs !== undefined ? { tokenLogprobs } : {}),
    };
  }
}

/** The Python runner's transformers backend (greedy, batched; CPU or GPU), with or without a LoRA adapter. */
export const transformersModel = definePlugin({
  id: 'core/transformers',
  kind: 'model',
  description: "the Python runner's transformers backend: batched greedy generation, base model + LoRA adapter, P(c)/P(u) at the token",
  optionsSchema: TransformersModelOptions,
  create: (options) => new TransformersClient(options),
});
