import { createHash } from 'node:crypto';

/** The faults a stand-in can inject. */
export const FAULT_KINDS = ['429', '500', '503', 'timeout', 'reset', 'malformed-json', 'truncated'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults decided before the answer is generated: nothing is billed. */
export const PRE_GENERATION_FAULTS: ReadonlySet<FaultKind> = new Set(['429', '500', '503', 'reset']);

export interface FaultPlan {
  /** Probability of each fault per request (their sum is the fault rate). */
  rates: Partial<Record<FaultKind, number>>;
  /** Seeds the decisions, which are a hash of (seed, request key, attempt): the same run sees the same faults. */
  seed: number;
  /** Retry-After sent with a 429, in seconds. */
  retryAfterSeconds: number;
  /** How long a `timeout` fault holds the response, at most: it stops holding when the client closes the connection. */
  timeoutHoldMs: number;
}

export const NO_FAULTS: FaultPlan = { rates: {}, seed: 0, retryAfterSeconds: 0, timeoutHoldMs: 0 };

/** `rate` spread evenly over the given fault kinds. */
export function spreadFaults(rate: number, kinds: readonly FaultKind[] = FAULT_KINDS): Partial<Record<FaultKind, number>> {
  return Object.fromEntries(kinds.map((kind) => [kind, rate / kinds.length]));
}

/** A uniform number in [0, 1) from a hash of the parts. */
function uniform(...parts: Array<string | number>): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** The fault for the `attempt`-th time (0-based) a request with this key arrives, or null for a clean answer. */
export function decideFault(plan: FaultPlan, key: string, attempt: number): FaultKind | null {
  const draw = uniform(plan.seed, key, attempt);
  let cumulative = 0;
  for (const kind of FAULT_KINDS) {
    cumulative += plan.rates[kind] ?? 0;
    if (draw < cumulative) return kind;
  }
  return null;
}

/** A deterministic number in [0, 1) for a text, for stand-in answers that depend on the prompt. */
export function hashUniform(text: string): number {
  return uniform(text);
}
