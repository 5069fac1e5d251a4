import { PLUGIN_SPECIFICATION_VERSION, type Generation, type ModelClient, type TokenUsage } from '@confide/core';
import type { Budget } from './budget/budget.js';
import type { ResponseCache } from './cache/response-cache.js';
import type { LiveGenerationRequest, LiveModelClient } from './live-model-client.js';
import { canonicalJson, normaliseRequest, requestKey } from './request-key.js';
import type { Scheduler } from './scheduler/scheduler.js';

/** What happened to one `generate` call, for progress and tests. */
export type CallEvent =
  | { type: 'sent'; model: string; costUsd: number; overReservation: boolean }
  | { type: 'cache-hit'; model: string; costUsd: number }
  | { type: 'shared'; model: string; costUsd: number }
  | { type: 'failed'; model: string; error: unknown };

export interface ScheduledClientOptions {
  client: LiveModelClient;
  scheduler: Scheduler;
  budget: Budget;
  /** Lane name; defaults to the model id. */
  lane?: string;
  cache?: ResponseCache;
  onCall?: (event: CallEvent) => void;
}

function tokenTotal(usage: TokenUsage): number {
  return usage.input + usage.output + usage.thinking;
}

/**
 * A model client run through the scheduler, the cache and the budget: an answer in the cache is returned without a
 * request; identical requests in flight at once are sent once; otherwise the request's maximum cost is reserved,
 * the request is scheduled (concurrency, rate limits, retries, timeout), and the actual cost settled. Only
 * successful answers are cached. Every answer returned is charged to the budget, so spend tracks the run's ledger.
 */
export class ScheduledModelClient implements ModelClient {
  readonly specificationVersion = PLUGIN_SPECIFICATION_VERSION;
  readonly model: string;
  readonly #inFlight = new Map<string, Promise<Generation>>();

  constructor(private readonly options: ScheduledClientOptions) {
    this.model = options.client.model;
  }

  get client(): LiveModelClient {
    return this.options.client;
  }

  /** The content hash of a request: its cache and idempotency key. */
  keyOf(request: LiveGenerationRequest): string {
    return requestKey(normaliseRequest(this.options.client.identity, this.model, request));
  }

  async generate(request: LiveGenerationRequest, options: { signal?: AbortSignal } = {}): Promise<Generation> {
    const { client, cache, budget } = this.options;
    if (!client.cacheable) return this.#send(request, undefined, undefined, options.signal);
    const normalised = canonicalJson(normaliseRequest(client.identity, this.model, request));
    const key = requestKey(normalised);
    const shared = this.#inFlight.get(key);
    if (shared !== undefined) {
      const generation = await shared;
      this.#chargeKnown(generation);
      this.options.onCall?.({ type: 'shared', model: this.model, costUsd: budget.cost(this.model, generation.usage) / 1e8 });
      return generation;
    }
    const cached = cache?.get(key);
    if (cached !== undefined) {
      this.#chargeKnown(cached);
      this.options.onCall?.({ type: 'cache-hit', model: this.model, costUsd: budget.cost(this.model, cached.usage) / 1e8 });
      return cached;
    }
    const sending = this.#send(request, key, normalised, options.signal);
    this.#inFlight.set(key, sending);
    try {
      return await sending;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #chargeKnown(generation: Generation): void {
    const reservation = this.options.budget.reserve(this.model, generation.usage);
    this.options.budget.settle(reservation, generation.usage);
  }

  async #send(
    request: LiveGenerationRequest,
    key: string | undefined,
    normalised: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Generation> {
    const { client, scheduler, budget } = this.options;
    const bound = client.maxUsage(request);
    const reservation = budget.reserve(this.model, bound);
    let generation: Generation;
    try {
      generation = await scheduler.run(
        this.options.lane ?? this.model,
        (attemptSignal) => client.generate(request, { signal: attemptSignal, ...(key ? { idempotencyKey: key } : {}) }),
        { tokens: tokenTotal(bound), tokensUsed: (result) => tokenTotal(result.usage), ...(signal ? { signal } : {}) },
      );
    } catch (error) {
      budget.release(reservation);
      this.options.onCall?.({ type: 'failed', model: this.model, error });
      throw error;
    }
    const settled = budget.settle(reservation, generation.usage);
    if (key !== undefined && normalised !== undefined) this.options.cache?.put(key, normalised, generation);
    this.options.onCall?.({ type: 'sent', model: this.model, costUsd: settled.costUsd, overReservation: settled.overReservation });
    return generation;
  }
}
