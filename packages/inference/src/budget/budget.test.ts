import { BudgetExceededError } from '../errors.js';
import { SEED_PRICES_2025_11 } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { Budget } from './budget.js';

const FLASH = 'gemini-2.5-flash';
// 1,000 input at $0.30/M + 1,000 output at $2.50/M = $0.0028 at most per call
const bound = { input: 1000, output: 1000, thinking: 0 };

describe('Budget', () => {
  it('refuses a reservation that could pass the cap, counting what is reserved', () => {
    const budget = new Budget(SEED_PRICES_2025_11, 0.006);
    budget.reserve(FLASH, bound);
    budget.reserve(FLASH, bound);
    expect(() => budget.reserve(FLASH, bound)).toThrow(BudgetExceededError);
    expect(() => budget.reserve(FLASH, bound)).toThrow(/budget \$0\.006000 reached: spent \$0\.000000, \$0\.005600 reserved/);
  });

  it('settles at the actual cost and frees the rest of the reservation', () => {
    const budget = new Budget(SEED_PRICES_2025_11, 0.006);
    const reservation = budget.reserve(FLASH, bound);
    expect(budget.settle(reservation, { input: 100, output: 100, thinking: 0 })).toEqual({ costUsd: 0.00028, overReservation: false });
    expect([budget.spentUsd, budget.reservedUsd]).toEqual([0.00028, 0]);
    budget.reserve(FLASH, bound);
    budget.reserve(FLASH, bound);
  });

  it('releases a reservation for a call that was not billed', () => {
    const budget = new Budget(SEED_PRICES_2025_11, 0.003);
    budget.release(budget.reserve(FLASH, bound));
    expect(() => budget.reserve(FLASH, bound)).not.toThrow();
  });

  it('starts from the spend already on a resumed run', () => {
    const budget = new Budget(SEED_PRICES_2025_11, 0.003, 0.001);
    expect(() => budget.reserve(FLASH, bound)).toThrow(BudgetExceededError);
  });

  it('has no cap without one', () => {
    const budget = new Budget(SEED_PRICES_2025_11);
    for (let call = 0; call < 100; call++) budget.reserve(FLASH, bound);
    expect(budget.reservedUsd).toBeCloseTo(0.28, 10);
  });
});
