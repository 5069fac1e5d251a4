import { describe, expect, it } from 'vitest';
import { ZERO_USAGE } from '../schemas/generation.js';
import { CostUnknownError, generationCost, generationCostBasis } from './generation-cost.js';
import { PriceMissingError } from './price-table.js';
import { SEED_PRICES_2025_11 } from './seed-prices.js';

const usage = { input: 1000, output: 2000, thinking: 3000 };

describe('generationCost', () => {
  it('prices token counts where the table has the model, even beside a recorded cost', () => {
    expect(generationCost(SEED_PRICES_2025_11, { model: 'gemini-2.5-flash', usage, recordedCostUsd: 9 })).toEqual({ hundredMillionths: 1_280_000, basis: 'tokens' });
  });

  it('takes the recorded cost as given where the source recorded no token counts, or the table has no price', () => {
    expect(generationCost(SEED_PRICES_2025_11, { model: 'gemini-2.5-flash', usage: ZERO_USAGE, usageUnknown: true, recordedCostUsd: 0.000012345 })).toEqual({ hundredMillionths: 1234.5, basis: 'recorded' });
    expect(generationCost(SEED_PRICES_2025_11, { model: 'gpt-9', usage, recordedCostUsd: 0.5 })).toEqual({ hundredMillionths: 5e7, basis: 'recorded' });
  });

  it('refuses a call with neither token counts nor a recorded cost: cost-unknown, not $0', () => {
    const unknown = { model: 'gemini-2.5-flash', usage: ZERO_USAGE, usageUnknown: true as const };
    expect(generationCostBasis(SEED_PRICES_2025_11, unknown)).toBe('no-tokens');
    expect(() => generationCost(SEED_PRICES_2025_11, unknown)).toThrow(CostUnknownError);
    expect(() => generationCost(SEED_PRICES_2025_11, unknown)).toThrow(/neither token counts nor a cost/);
  });

  it('names a model the table does not price when no cost is recorded', () => {
    expect(generationCostBasis(SEED_PRICES_2025_11, { model: 'gpt-9', usage })).toBe('no-price');
    expect(() => generationCost(SEED_PRICES_2025_11, { model: 'gpt-9', usage })).toThrow(PriceMissingError);
  });
});
