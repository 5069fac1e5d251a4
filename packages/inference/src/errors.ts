import { ConfideError } from '@confide/core';

/** The retryable error of the model-client contract is core's public API; kept here too. */
export { ApiError, isRetryableStatus, type ApiFailureKind } from '@confide/core';

/** A request would take the run's spend past its `--budget`; nothing was sent. */
export class BudgetExceededError extends ConfideError {
  constructor(message: string) {
    super('BUDGET_EXCEEDED', message);
    this.name = 'BudgetExceededError';
  }
}

/** The run was stopped (Ctrl-C, a budget stop): no new request is sent. */
export class CancelledError extends ConfideError {
  constructor(message = 'cancelled: no new requests are sent') {
    super('CANCELLED', message);
    this.name = 'CancelledError';
  }
}
