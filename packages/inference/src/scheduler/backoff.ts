export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** Cap of the exponential delay (a server's Retry-After may ask for longer, and is honoured). */
  maxDelayMs: number;
}

/**
 * "Full jitter" exponential backoff: a uniform draw in [0, min(max, base * 2^(retry-1))], so clients that failed
 * together do not retry together. A server's Retry-After is a floor: we never come back sooner than it asked.
 */
export function backoffDelayMs(
  policy: BackoffPolicy,
  retry: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.round(random() * exponential);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}
