/** Token usage as a stand-in bills it. */
export interface BilledUsage {
  input: number;
  output: number;
  thinking: number;
}

export interface BillEntry {
  key: string;
  model: string;
  usage: BilledUsage;
}

type StoredAnswer = { state: 'generating' } | { state: 'done'; status: number; body: string; entry: BillEntry };

/**
 * What a stand-in received and billed. A request is billed when its answer is generated, once per idempotency key:
 * a request that repeats a key whose answer exists is answered from the store without a new bill (a request without a
 * key is billed every time). Faults before generation bill nothing; faults after it (a malformed or truncated body,
 * a response held past the client's timeout) were billed.
 */
export class Billing {
  readonly entries: BillEntry[] = [];
  /** Every request received, by key ('' for requests without one). */
  readonly received = new Map<string, number>();
  readonly #store = new Map<string, StoredAnswer>();
  requests = 0;

  receive(key: string): number {
    this.requests++;
    const seen = this.received.get(key) ?? 0;
    this.received.set(key, seen + 1);
    return seen;
  }

  stored(key: string): StoredAnswer | undefined {
    return key === '' ? undefined : this.#store.get(key);
  }

  startGenerating(key: string): void {
    if (key !== '') this.#store.set(key, { state: 'generating' });
  }

  /** Drops a generation that never finished (the server was closed), so a later request generates again. */
  abandon(key: string): void {
    if (this.#store.get(key)?.state === 'generating') this.#store.delete(key);
  }

  bill(key: string, model: string, usage: BilledUsage, status: number, body: string): BillEntry {
    const entry = { key, model, usage };
    this.entries.push(entry);
    if (key !== '') this.#store.set(key, { state: 'done', status, body, entry });
    return entry;
  }

  /** Billed requests per key, for "nothing billed twice" checks. */
  billedPerKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const entry of this.entries) counts.set(entry.key, (counts.get(entry.key) ?? 0) + 1);
    return counts;
  }

  totals(): BilledUsage & { calls: number } {
    const total = { calls: 0, input: 0, output: 0, thinking: 0 };
    for (const entry of this.entries) {
      total.calls++;
      total.input += entry.usage.input;
      total.output += entry.usage.output;
      total.thinking += entry.usage.thinking;
    }
    return total;
  }
}
