import { z } from 'zod';

/**
 * Retries and the per-request timeout of the scheduler that sends a run's requests, as a config states them (any key
 * left out takes the scheduler's default).
 */
export const RetrySettings = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(20),
    baseDelayMs: z.number().int().nonnegative(),
    maxDelayMs: z.number().int().positive(),
    timeoutMs: z.number().int().positive(),
  })
  .partial();
export type RetrySettings = z.infer<typeof RetrySettings>;
