import { type ModelClient, type PriceTable, type RetrySettings } from '@confide/core';
import {
  Budget,
  isLiveModelClient,
  ResponseCache,
  ScheduledModelClient,
  Scheduler,
  type CallEvent,
  type LaneLimits,
  type LiveModelClient,
  type SchedulerEvent,
} from '@confide/inference';

export interface RunClientsOptions {
  prices: PriceTable;
  /** Hard cap in US dollars on what the run sends (what a resumed run had spent counts: `priorSpentUsd`). */
  budgetUsd?: number | undefined;
  priorSpentUsd?: number;
  retry?: Partial<RetrySettings> | undefined;
  /** SQLite response cache (null: none): a rerun answers from it and pays nothing twice. */
  cachePath: string | null | undefined;
  onSchedulerEvent?: (event: SchedulerEvent) => void;
}

/**
 * The model calls of one run, every one through the same scheduler (a lane per model: concurrency, RPM/TPM, retries
 * honouring Retry-After, timeouts, stop), the response cache and the budget. Live runs, dataset builds and regrades
 * make their clients here.
 */
export class RunClients {
  readonly scheduler: Scheduler;
  readonly budget: Budget;
  readonly #cache: ResponseCache | undefined;

  constructor(options: RunClientsOptions) {
    this.budget = new Budget(options.prices, options.budgetUsd, options.priorSpentUsd ?? 0);
    this.scheduler = new Scheduler({
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onSchedulerEvent ? { onEvent: options.onSchedulerEvent } : {}),
    });
    this.#cache = options.cachePath ? new ResponseCache(options.cachePath) : undefined;
  }

  /** Adds a lane (a model's own limits). */
  lane(name: string, limits: LaneLimits): this {
    this.scheduler.addLane(name, limits);
    return this;
  }

  /** `client` on `lane`, scheduled, cached and budgeted; a client that is not live (no network) is returned as it is. */
  schedule(lane: string, client: ModelClient, onCall?: (event: CallEvent) => void): ModelClient {
    if (!isLiveModelClient(client)) return client;
    return this.scheduleLive(lane, client, onCall);
  }

  scheduleLive(lane: string, client: LiveModelClient, onCall?: (event: CallEvent) => void): ScheduledModelClient {
    return new ScheduledModelClient({
      client,
      scheduler: this.scheduler,
      budget: this.budget,
      lane,
      ...(this.#cache ? { cache: this.#cache } : {}),
      ...(onCall ? { onCall } : {}),
    });
  }

  /** No new requests: those waiting are cancelled, those in flight finish. */
  stop(): void {
    this.scheduler.stop();
  }

  /** Waits for what is in flight, then closes the cache. */
  async close(): Promise<void> {
    await this.scheduler.idle();
    this.#cache?.close();
  }
}
