import { generationCost, type CostedGeneration, type PriceTable, type TokenUsage } from '@confide/core';

/** One billed model call: its model and token counts, and the cost its source recorded where it did (an imported log). */
export type BilledCall = CostedGeneration;

/**
 * Total cost in dollars of a set of calls, summed in 1e-8 dollar units and converted once: each call's token counts
 * at the table's price, else its recorded cost (core's `generationCost`; a call with neither is cost-unknown and fails).
 */
export function totalCostUsd(calls: Iterable<BilledCall>, prices: PriceTable): number {
  let total = 0;
  for (const call of calls) total += generationCost(prices, call).hundredMillionths;
  return total / 1e8;
}

/** Summed token usage of a set of calls. */
export function totalUsage(calls: Iterable<BilledCall>): TokenUsage {
  const usage = { input: 0, output: 0, thinking: 0 };
  for (const call of calls) {
    usage.input += call.usage.input;
    usage.output += call.usage.output;
    usage.thinking += call.usage.thinking;
  }
  return usage;
}

/**
 * Dollars to `decimals` places (at most 8), rounding half up on the exact decimal value. Costs are sums on a 1e-8 dollar
 * grid, so 0.1003635 prints as 0.100364 (a plain `toFixed` sees the binary value just below and prints 0.100363). A
 * value off that grid (a mean, an estimate) is rounded once, as it is: 0.00210749786 prints as 0.002107, not as
 * 0.002108 (rounded to the grid first, 0.0021075, then up).
 */
export function usdFixed(value: number, decimals = 6): string {
  const scaled = value * 1e8;
  const units = Math.abs(scaled - Math.round(scaled)) < 1e-6 ? Math.round(scaled) : scaled;
  const step = 10 ** (8 - decimals);
  const rounded = Math.floor((units + step / 2) / step);
  const scale = 10 ** decimals;
  const whole = Math.floor(rounded / scale);
  const fraction = String(rounded - whole * scale).padStart(decimals, '0');
  return decimals === 0 ? String(whole) : `${whole}.${fraction}`;
}

/**
 * What a printed cost counts, in the words every output uses (README, "What each cost counts"):
 * - `answers`: the calls whose answers were used (the paper's accounting);
 * - `answersAndOrchestrator`: those plus the router's own model calls (an orchestrator's): what a delegated run's
 *   records hold, and what `confide compare` sums;
 * - `allCalls`: every call made, small answers delegated away and the orchestrator's calls included (the ledger, the
 *   budget, `confide ablate`). The oracle baseline's look at the large answers is never billed.
 */
export const COST_ACCOUNTING = {
  answers: 'answering calls',
  answersAndOrchestrator: "answering calls and the orchestrator's",
  allCalls: 'all calls, orchestrator included',
} as const;
export type CostAccounting = keyof typeof COST_ACCOUNTING;

/** `cost (<what it counts>)`: the label of a printed cost. */
export function costLabel(accounting: CostAccounting): string {
  return `cost (${COST_ACCOUNTING[accounting]})`;
}
