import { describe, expect, it } from 'vitest';
import { costUsd, PriceMissingError } from './price-table.js';
import { SEED_PRICES_2025_11 } from './seed-prices.js';

describe('costUsd', () => {
  it('bills thinking tokens at the output price', () => {
    // 1,000 input at $0.30/M + (2,000 output + 3,000 thinking) at $2.50/M = 0.0003 + 0.0125
    expect(costUsd(SEED_PRICES_2025_11, 'gemini-2.5-flash', { input: 1000, output: 2000, thinking: 3000 })).toBe(0.0128);
  });

  it('is exact for the small model', () => {
    expect(costUsd(SEED_PRICES_2025_11, 'qwen2.5-math-1.5b-instruct', { input: 67, output: 328, thinking: 0 })).toBe(
      0.0000395,
    );
  });

  it('names a model the table does not price', () => {
    expect(() => costUsd(SEED_PRICES_2025_11, 'gpt-9', { input: 1, output: 1, thinking: 0 })).toThrow(PriceMissingError);
  });
});
