import { ApiError, PLUGIN_SPECIFICATION_VERSION, type Generation, type TokenUsage } from '@confide/core';
import type { LiveGenerateOptions, LiveGenerationRequest, LiveModelClient } from '../live-model-client.js';

/** One server of a model: its base URL and the client that speaks to it. */
export interface Replica {
  url: string;
  client: LiveModelClient;
}

/** A replica taken out of the rotation, or back in it. */
export type ReplicaEvent = { type: 'replica-out'; url: string; reason: string } | { type: 'replica-back'; url: string };

export interface ReplicaSetOptions {
  replicas: readonly Replica[];
  /** Consecutive retryable failures after which a replica is taken out (default 3). */
  failuresToEject?: number;
  /** How long a replica stays out before it is probed again (default 30 s). */
  probeAfterMs?: number;
  /**
   * Whether a replica is up (vLLM: `GET <server>/health` answers 200): asked after a retryable failure (a failed check
   * takes the replica out at once) and when an out replica is probed. Null: none (a hosted API); an out replica then
   * comes back on trial after `probeAfterMs`.
   */
  health?: ((url: string) => Promise<boolean>) | null;
  now?: () => number;
  onEvent?: (event: ReplicaEvent) => void;
}

interface ReplicaState {
  replica: Replica;
  failures: number;
  /** When it was taken out; null while it is in the rotation. */
  outSince: number | null;
  probing: Promise<void> | null;
}

/** vLLM's health check: the server's root (the base URL without `/v1`) `/health`, 200 when the engine is up. */
export async function vllmHealth(url: string, timeoutMs = 5_000): Promise<boolean> {
  const root = url.replace(/\/+$/, '').replace(/\/v1$/, '');
  try {
    const response = await fetch(`${root}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * One model served by several servers (vLLM data-parallel replicas, several hosts): each request goes to the next
 * replica in the rotation. A replica is taken out after a retryable failure whose health check fails, or after
 * `failuresToEject` retryable failures in a row; it is probed again `probeAfterMs` after it went out, and comes back
 * when the probe passes. The scheduler retries a failed request as for one server, and the retry goes to another
 * replica. The identity (the response cache's key) names no replica: any of them gives the same answer.
 */
export class ReplicaSetClient implements LiveModelClient {
  readonly specificationVersion = PLUGIN_SPECIFICATION_VERSION;
  readonly model: string;
  readonly cacheable: boolean;
  readonly identity: Readonly<Record<string, unknown>>;
  readonly #states: ReplicaState[];
  readonly #failuresToEject: number;
  readonly #probeAfterMs: number;
  readonly #health: ((url: string) => Promise<boolean>) | null;
  readonly #now: () => number;
  #next = 0;

  constructor(private readonly options: ReplicaSetOptions) {
    const first = options.replicas[0];
    if (first === undefined) throw new Error('a replica set needs at least one replica');
    this.model = first.client.model;
    this.cacheable = first.client.cacheable;
    const { endpoint: _endpoint, ...identity } = first.client.identity;
    this.identity = { ...identity, endpoint: 'replicas' };
    this.#states = options.replicas.map((replica) => ({ replica, failures: 0, outSince: null, probing: null }));
    this.#failuresToEject = options.failuresToEject ?? 3;
    this.#probeAfterMs = options.probeAfterMs ?? 30_000;
    this.#health = options.health ?? null;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The replicas in the rotation now. */
  get healthy(): string[] {
    return this.#states.filter((state) => state.outSince === null).map((state) => state.replica.url);
  }

  maxUsage(request: LiveGenerationRequest): TokenUsage {
    return this.#states[0]!.replica.client.maxUsage(request);
  }

  async generate(request: LiveGenerationRequest, options: LiveGenerateOptions = {}): Promise<Generation> {
    const state = await this.#pick();
    try {
      const generation = await state.replica.client.generate(request, options);
      state.failures = 0;
      return generation;
    } catch (error) {
      if (ApiError.isApiError(error) && error.retryable && options.signal?.aborted !== true) await this.#failed(state, error);
      throw error;
    }
  }

  async #pick(): Promise<ReplicaState> {
    const now = this.#now();
    await Promise.all(this.#states.filter((state) => state.outSince !== null && now - state.outSince >= this.#probeAfterMs).map((state) => this.#probe(state)));
    const healthy = this.#states.filter((state) => state.outSince === null);
    if (healthy.length === 0) {
      const soonest = Math.min(...this.#states.map((state) => state.outSince! + this.#probeAfterMs)) - now;
      throw new ApiError({
        kind: 'connection',
        message: `no replica of ${this.model} is up (${this.#states.map((state) => state.replica.url).join(', ')} are out); the first is probed again in ${Math.max(0, Math.ceil(soonest / 1000))} s`,
        retryAfterMs: Math.max(0, soonest),
      });
    }
    const state = healthy[this.#next % healthy.length]!;
    this.#next = (this.#next + 1) % Number.MAX_SAFE_INTEGER;
    return state;
  }

  #probe(state: ReplicaState): Promise<void> {
    state.probing ??= (async () => {
      const up = this.#health === null ? true : await this.#health(state.replica.url);
      if (up) {
        state.outSince = null;
        state.failures = 0;
        this.options.onEvent?.({ type: 'replica-back', url: state.replica.url });
      } else {
        state.outSince = this.#now();
      }
    })().finally(() => {
      state.probing = null;
    });
    return state.probing;
  }

  async #failed(state: ReplicaState, error: ApiError): Promise<void> {
    state.failures += 1;
    if (state.outSince !== null) return;
    const tooMany = state.failures >= this.#failuresToEject;
    const down = !tooMany && this.#health !== null && !(await this.#health(state.replica.url));
    if ((tooMany || down) && state.outSince === null) {
      state.outSince = this.#now();
      const reason = tooMany ? `${state.failures} failures in a row (the last: ${error.message})` : `its health check failed after: ${error.message}`;
      this.options.onEvent?.({ type: 'replica-out', url: state.replica.url, reason });
    }
  }
}
