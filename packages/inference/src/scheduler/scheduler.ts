import { setMaxListeners } from 'node:events';
import { ApiError, CancelledError } from '../errors.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import { Lane, type LaneLimits } from './lane.js';

export interface RetryPolicy extends BackoffPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Limit of one attempt; a slower answer is abandoned and retried. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 120_000 };

export type SchedulerEvent =
  | { type: 'attempt-start'; lane: string; attempt: number }
  | { type: 'attempt-failure'; lane: string; attempt: number; error: ApiError; retryInMs: number | null };

export interface SchedulerOptions {
  retry?: Partial<RetryPolicy>;
  /** Limits for lanes not added explicitly. */
  defaultLimits?: LaneLimits;
  random?: () => number;
  now?: () => number;
  onEvent?: (event: SchedulerEvent) => void;
}

export interface RunOptions<T> {
  /** Tokens the request may use, counted against the lane's tokens-per-minute until it settles. */
  tokens?: number;
  /** The tokens it really used, read from its result. */
  tokensUsed?: (result: T) => number;
  /** Cancels the request even while in flight (a second Ctrl-C, a test). */
  signal?: AbortSignal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The one place requests are admitted, timed out and retried, for every model client: a lane per model with its
 * concurrency and per-minute limits; retries with exponential backoff and full jitter for retryable failures
 * (408, 409, 429, 5xx, connection errors, timeouts, malformed bodies), never for 400/401/403; Retry-After honoured.
 * `stop()` stops new attempts (queued ones are cancelled) while attempts in flight finish.
 */
export class Scheduler {
  readonly retry: RetryPolicy;
  readonly #lanes = new Map<string, Lane>();
  readonly #stop = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(private readonly options: SchedulerOptions = {}) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    // Every queued request and every backoff listens for a stop: far more than the default of 10.
    setMaxListeners(0, this.#stop.signal);
  }

  addLane(name: string, limits: LaneLimits): this {
    this.#lanes.set(name, new Lane(name, limits, this.#now));
    return this;
  }

  lane(name: string): Lane {
    let lane = this.#lanes.get(name);
    if (lane === undefined) {
      lane = new Lane(name, this.options.defaultLimits ?? { concurrency: 8 }, this.#now);
      this.#lanes.set(name, lane);
    }
    return lane;
  }

  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  /** No new attempt starts after this; attempts in flight go on. */
  stop(): void {
    this.#stop.abort();
  }

  /** Resolves when every request handed to `run` has settled. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  run<T>(laneName: string, task: (signal: AbortSignal, attempt: number) => Promise<T>, options: RunOptions<T> = {}): Promise<T> {
    const promise = this.#run(laneName, task, options);
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async #run<T>(laneName: string, task: (signal: AbortSignal, attempt: number) => Promise<T>, options: RunOptions<T>): Promise<T> {
    const lane = this.lane(laneName);
    const tokens = options.tokens ?? 0;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped || options.signal?.aborted) throw new CancelledError();
      const admission = options.signal ? AbortSignal.any([this.#stop.signal, options.signal]) : this.#stop.signal;
      const lease = await lane.acquire(tokens, admission);
      if (options.signal?.aborted) {
        lease.release();
        throw new CancelledError();
      }
      this.options.onEvent?.({ type: 'attempt-start', lane: laneName, attempt });
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), this.retry.timeoutMs);
      const attemptSignal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
      let failure: ApiError;
      try {
        const result = await task(attemptSignal, attempt);
        lease.release(options.tokensUsed?.(result));
        return result;
      } catch (error) {
        lease.release();
        if (options.signal?.aborted) throw new CancelledError('cancelled while the request was in flight');
        if (timeout.signal.aborted) {
          failure = new ApiError({ kind: 'timeout', message: `no answer within ${this.retry.timeoutMs} ms`, cause: error });
        } else if (ApiError.isApiError(error)) {
          failure = error;
        } else {
          throw error;
        }
      } finally {
        clearTimeout(timer);
      }
      const retrying = failure.retryable && attempt < this.retry.maxAttempts && !this.stopped;
      const delay = retrying ? backoffDelayMs(this.retry, attempt, this.#random, failure.retryAfterMs) : null;
      this.options.onEvent?.({ type: 'attempt-failure', lane: laneName, attempt, error: failure, retryInMs: delay });
      if (delay === null) {
        if (failure.retryable && this.stopped) throw new CancelledError();
        failure.attempts = attempt;
        throw failure;
      }
      await sleep(delay, options.signal ? AbortSignal.any([this.#stop.signal, options.signal]) : this.#stop.signal);
    }
  }
}
