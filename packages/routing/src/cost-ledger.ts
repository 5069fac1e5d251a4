import { costInHundredMillionths, generationCost, type CostedGeneration, type PriceTable, type TokenUsage } from '@confide/core';

/**
 * Why a call is on the ledger:
 * - `answer`: the generation that answers the problem in the delegated run;
 * - `superseded`: a small-model answer that was generated, then delegated away (paid for, not used);
 * - `router`: the router's own model call (an orchestrator);
 * - `peer`: another model a router consulted (e.g. a second SLM for agreement), paid for;
 * - `peek`: the large answer an oracle looked at without using it; hypothetical, so kept out of every cost total;
 * - `verifier`: a model asked whether an answer is right (core/model-verifier), paid for.
 */
export type LedgerRole = 'answer' | 'superseded' | 'router' | 'peer' | 'peek' | 'verifier';

export interface LedgerEntry {
  problemId: string;
  role: LedgerRole;
  model: string;
  usage: TokenUsage;
  /** Cost in integer units of 1e-8 dollars, so sums are exact. */
  costHundredMillionths: number;
}

export interface LedgerTotals {
  calls: number;
  usage: TokenUsage;
  costUsd: number;
}

/** The cost ledger of a delegated run: every model call, priced with one price table. */
export class CostLedger {
  readonly entries: LedgerEntry[] = [];

  constructor(readonly prices: PriceTable) {}

  /** A call known by its model and token counts (a router's own call), priced with the table. */
  add(problemId: string, role: LedgerRole, model: string, usage: TokenUsage): LedgerEntry {
    const entry = { problemId, role, model, usage, costHundredMillionths: costInHundredMillionths(this.prices, model, usage) };
    this.entries.push(entry);
    return entry;
  }

  /**
   * A generation's call, costed as core's `generationCost` costs it: its token counts at the table's price, else the
   * cost its source recorded; a generation with neither fails (cost-unknown, never $0).
   */
  addGeneration(problemId: string, role: LedgerRole, generation: CostedGeneration): LedgerEntry {
    const entry = { problemId, role, model: generation.model, usage: generation.usage, costHundredMillionths: generationCost(this.prices, generation).hundredMillionths };
    this.entries.push(entry);
    return entry;
  }

  /** Totals over the entries that match `filter` (every paid call when omitted: all but oracle peeks). */
  totals(filter: (entry: LedgerEntry) => boolean = (entry) => entry.role !== 'peek'): LedgerTotals {
    const usage = { input: 0, output: 0, thinking: 0 };
    let cost = 0;
    let calls = 0;
    for (const entry of this.entries) {
      if (!filter(entry)) continue;
      calls++;
      cost += entry.costHundredMillionths;
      usage.input += entry.usage.input;
      usage.output += entry.usage.output;
      usage.thinking += entry.usage.thinking;
    }
    return { calls, usage, costUsd: cost / 1e8 };
  }
}
