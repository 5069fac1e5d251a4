import { ConfideError } from './errors.js';

/** What went wrong with one request, as far as retrying is concerned. */
export type ApiFailureKind = 'http' | 'connection' | 'timeout' | 'malformed-response';

/** Statuses that are worth another try: request timeout, conflict, rate limit, and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * A failed model request, as a model client throws it. It knows whether trying again can help (408, 409, 429, 5xx, a
 * dropped connection, a timeout, a malformed body) and how long the server asked us to wait. Only the scheduler
 * retries: a client makes one attempt per `generate` call.
 */
export class ApiError extends ConfideError {
  readonly kind: ApiFailureKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** How many attempts the scheduler made before giving up (set by the scheduler). */
  attempts = 1;

  constructor(details: {
    kind: ApiFailureKind;
    message: string;
    status?: number;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super('API_ERROR', details.message, { cause: details.cause });
    this.name = 'ApiError';
    this.kind = details.kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.kind === 'http' ? isRetryableStatus(details.status ?? 0) : true;
  }

  /** By marker and code, not class: a client plugin's copy of @confide/core throws errors the command recognises. */
  static isApiError(value: unknown): value is ApiError {
    return ConfideError.isInstance(value) && value.code === 'API_ERROR' && 'retryable' in value;
  }

  /** A short reason for a record of a failed problem, e.g. `HTTP 400: bad request` or `timeout after 30000 ms`. */
  get reason(): string {
    const what = this.kind === 'http' ? `HTTP ${this.status}: ${this.message}` : `${this.kind}: ${this.message}`;
    return this.attempts > 1 ? `${what} (after ${this.attempts} attempts)` : what;
  }
}
