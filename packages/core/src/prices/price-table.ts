import { z } from 'zod';
import { ConfideError } from '../errors.js';
import type { TokenUsage } from '../schemas/generation.js';

/** Price of one model in US dollars per million tokens. Thinking tokens are billed at the output price. */
export const ModelPrice = z.strictObject({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

/** A dated, versioned price table. A run manifest names the `id` and `version` it was costed with. */
export const PriceTable = z.strictObject({
  id: z.string().min(1),
  version: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'version is the date the prices were read, YYYY-MM-DD'),
  currency: z.literal('USD'),
  source: z.string(),
  thinkingBilledAs: z.literal('output'),
  models: z.record(z.string(), ModelPrice),
});
export type PriceTable = z.infer<typeof PriceTable>;

export class PriceMissingError extends ConfideError {
  constructor(model: string, table: PriceTable) {
    super(
      'PRICE_MISSING',
      `price table ${table.id}@${table.version} has no price for model "${model}" (known: ${Object.keys(table.models).join(', ')})`,
    );
    this.name = 'PriceMissingError';
  }
}

export function priceOf(table: PriceTable, model: string): ModelPrice {
  const price = table.models[model];
  if (price === undefined) throw new PriceMissingError(model, table);
  return price;
}

/**
 * Cost in US dollars of one call. Computed in integer units of 1e-8 dollars (prices have at most two decimals per
 * million tokens), so sums over a run are exact and print without floating-point noise.
 */
export function costInHundredMillionths(table: PriceTable, model: string, usage: TokenUsage): number {
  const price = priceOf(table, model);
  const inputRate = Math.round(price.inputPerMillion * 100);
  const outputRate = Math.round(price.outputPerMillion * 100);
  return usage.input * inputRate + (usage.output + usage.thinking) * outputRate;
}

export function costUsd(table: PriceTable, model: string, usage: TokenUsage): number {
  return costInHundredMillionths(table, model, usage) / 1e8;
}
