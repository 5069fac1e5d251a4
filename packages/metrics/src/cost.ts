import { costInHundredMillionths, type PriceTable, type TokenUsage } from '@confide/core';

/** One billed model call. */
export interface BilledCall {
  model: string;
  usage: TokenUsage;
}

/** Total cost in dollars of a set of calls, summed exactly (integer 1e-8 dollar units) and converted once. */
export function totalCostUsd(calls: Iterable<BilledCall>, prices: PriceTable): number {
  let total = 0;
  for (const call of calls) total += costInHundredMillionths(prices, call.model, call.usage);
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

/** Rounds dollars to 6 decimals for display, as the seed's tables do. */
export function formatUsd(value: number, decimals = 6): string {
  return `$${value.toFixed(decimals)}`;
}
