import { ConfideError } from '@confide/core';
import { BudgetExceededError, CancelledError } from '@confide/inference';
import type { StopReason } from '../outcome.js';

/**
 * Why a run stopped, when the error is a stop rather than a failure: the budget would have been passed, or the user
 * cancelled (Ctrl-C). Anything else is a failure, for the caller to rethrow.
 */
export function stopReasonOf(error: unknown): StopReason | undefined {
  if (error instanceof BudgetExceededError || (ConfideError.isInstance(error) && error.code === 'BUDGET_EXCEEDED')) return 'budget';
  if (error instanceof CancelledError || (ConfideError.isInstance(error) && error.code === 'CANCELLED')) return 'cancelled';
  return undefined;
}
