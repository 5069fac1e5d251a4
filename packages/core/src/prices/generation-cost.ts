import { ConfideError } from '../errors.js';
import type { Generation } from '../schemas/generation.js';
import { costInHundredMillionths, PriceMissingError, type PriceTable } from './price-table.js';

/** How a call is costed: its token counts at a price table's price, or the cost its source recorded ("recorded cost"). */
export type CostBasis = 'tokens' | 'recorded';

/** What `generationCostBasis` reads of a call. */
export type CostedGeneration = Pick<Generation, 'model' | 'usage' | 'recordedCostUsd' | 'usageUnknown'>;

/**
 * How a call can be costed with `prices`: `tokens` where its token counts are known and the table prices its model;
 * else `recorded` where its source recorded a cost; else `no-tokens` (cost-unknown: the source recorded neither token
 * counts nor a cost) or `no-price` (token counts, but no price for the model and no recorded cost).
 */
export function generationCostBasis(prices: PriceTable, generation: CostedGeneration): CostBasis | 'no-tokens' | 'no-price' {
  if (generation.usageUnknown !== true && prices.models[generation.model] !== undefined) return 'tokens';
  if (generation.recordedCostUsd !== undefined) return 'recorded';
  return generation.usageUnknown === true ? 'no-tokens' : 'no-price';
}

/** A call whose cost cannot be known: its source recorded neither token counts nor a cost. */
export class CostUnknownError extends ConfideError {
  constructor(readonly model: string) {
    super('COST_UNKNOWN', `the cost of a call of "${model}" is unknown: its source recorded neither token counts nor a cost (it is not $0)`);
    this.name = 'CostUnknownError';
  }
}

/**
 * What one call cost, in units of 1e-8 dollars (`costInHundredMillionths`), and how it was costed: its token counts
 * at the table's price where it can (an integer), else the cost its source recorded (as given: not rounded to the
 * unit). A call with neither fails (`CostUnknownError`, never $0); token counts without a price fail as
 * `costInHundredMillionths` does (`PriceMissingError`).
 */
export function generationCost(prices: PriceTable, generation: CostedGeneration): { hundredMillionths: number; basis: CostBasis } {
  const basis = generationCostBasis(prices, generation);
  if (basis === 'tokens') return { hundredMillionths: costInHundredMillionths(prices, generation.model, generation.usage), basis };
  if (basis === 'recorded') return { hundredMillionths: generation.recordedCostUsd! * 1e8, basis };
  if (basis === 'no-tokens') throw new CostUnknownError(generation.model);
  throw new PriceMissingError(generation.model, prices);
}
