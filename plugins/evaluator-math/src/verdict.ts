/** The outcome of one comparison: whether the answers are equivalent, and the rule that decided it. */
export interface Verdict {
  equivalent: boolean;
  /**
   * The deciding rule, e.g. `normalized-string`, `exact-rational`, `high-precision`, `numeric-identity`, `symbolic`,
   * `decimal-approximation`, `unordered-list`, `interval`, `equation-factor`; for a negative verdict what differed,
   * e.g. `different-value`, `different-length`, `non-finite`, `timeout`, `no-answer`.
   */
  reason: string;
}

export function equivalent(reason: string): Verdict {
  return { equivalent: true, reason };
}

export function different(reason: string): Verdict {
  return { equivalent: false, reason };
}

/** Thrown by the in-thread fast path when a comparison needs work that must run under a time budget. */
export class NeedsWorkerError extends Error {
  constructor() {
    super('this comparison needs the worker');
    this.name = 'NeedsWorkerError';
  }
}
