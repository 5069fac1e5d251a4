import { CancelledError } from '../errors.js';

/** Limits of one model's lane. */
export interface LaneLimits {
  /** Requests in flight at once. */
  concurrency: number;
  /** Request starts in any 60-second window. */
  requestsPerMinute?: number;
  /** Tokens (the request's estimate until it settles) in any 60-second window. */
  tokensPerMinute?: number;
}

const WINDOW_MS = 60_000;

interface Waiter {
  tokens: number;
  grant: (lease: LaneLease) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface TokenEntry {
  at: number;
  tokens: number;
}

/** A slot in a lane: released when the attempt ends, with the tokens it really used. */
export interface LaneLease {
  release(actualTokens?: number): void;
}

/**
 * One model's admission control: a FIFO queue that grants a slot when fewer than `concurrency` requests are in flight
 * and the last minute's starts and tokens leave room (sliding windows).
 */
export class Lane {
  #active = 0;
  readonly #queue: Waiter[] = [];
  readonly #starts: number[] = [];
  readonly #tokens: TokenEntry[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    readonly limits: LaneLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  acquire(tokens: number, signal?: AbortSignal): Promise<LaneLease> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise<LaneLease>((resolve, reject) => {
      const waiter: Waiter = {
        tokens,
        grant: resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(new CancelledError());
          this.#pump();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  #prune(now: number): void {
    while (this.#starts.length > 0 && this.#starts[0]! <= now - WINDOW_MS) this.#starts.shift();
    while (this.#tokens.length > 0 && this.#tokens[0]!.at <= now - WINDOW_MS) this.#tokens.shift();
  }

  /** Milliseconds until `tokens` may start, 0 when it may start now. */
  #waitFor(tokens: number, now: number): number {
    let wait = 0;
    const { requestsPerMinute, tokensPerMinute } = this.limits;
    if (requestsPerMinute !== undefined && this.#starts.length >= requestsPerMinute) {
      wait = Math.max(wait, this.#starts[this.#starts.length - requestsPerMinute]! + WINDOW_MS - now);
    }
    if (tokensPerMinute !== undefined && this.#tokens.length > 0) {
      // Free the oldest entries until this request fits; a request larger than the whole limit waits for an empty window.
      let used = this.#tokens.reduce((sum, entry) => sum + entry.tokens, 0);
      const allowed = Math.max(tokensPerMinute - Math.min(tokens, tokensPerMinute), 0);
      for (const entry of this.#tokens) {
        if (used <= allowed) break;
        used -= entry.tokens;
        wait = Math.max(wait, entry.at + WINDOW_MS - now);
      }
    }
    return wait;
  }

  #pump(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length > 0 && this.#active < this.limits.concurrency) {
      const now = this.now();
      this.#prune(now);
      const head = this.#queue[0]!;
      const wait = this.#waitFor(head.tokens, now);
      if (wait > 0) {
        this.#timer = setTimeout(() => this.#pump(), wait);
        return;
      }
      this.#queue.shift();
      head.signal?.removeEventListener('abort', head.onAbort);
      this.#active++;
      this.#starts.push(now);
      const entry: TokenEntry = { at: now, tokens: head.tokens };
      this.#tokens.push(entry);
      let released = false;
      head.grant({
        release: (actualTokens) => {
          if (released) return;
          released = true;
          if (actualTokens !== undefined) entry.tokens = actualTokens;
          this.#active--;
          this.#pump();
        },
      });
    }
  }
}
