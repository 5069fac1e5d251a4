import { costInHundredMillionths, type PriceTable, type TokenUsage } from '@confide/core';
import { BudgetExceededError } from '../errors.js';

export interface Reservation {
  readonly model: string;
  readonly amount: number;
}

function usd(hundredMillionths: number): string {
  return `$${(hundredMillionths / 1e8).toFixed(6)}`;
}

/**
 * A hard spending cap. Before a request is sent its maximum cost is reserved; after it answers the reservation is
 * settled at the actual cost (or released when nothing was billed). A request whose reservation would take
 * spent + reserved past the cap is refused, so spend never passes the cap. Amounts are integer 1e-8 dollars.
 */
export class Budget {
  #spent: number;
  #reserved = 0;
  readonly #cap: number | undefined;

  constructor(
    readonly prices: PriceTable,
    capUsd?: number,
    /** Spend already on the run's ledger (a resumed run). */
    spentUsd = 0,
  ) {
    this.#cap = capUsd === undefined ? undefined : Math.floor(capUsd * 1e8 + 1e-6);
    this.#spent = Math.round(spentUsd * 1e8);
  }

  get capUsd(): number | undefined {
    return this.#cap === undefined ? undefined : this.#cap / 1e8;
  }

  get spentUsd(): number {
    return this.#spent / 1e8;
  }

  get reservedUsd(): number {
    return this.#reserved / 1e8;
  }

  cost(model: string, usage: TokenUsage): number {
    return costInHundredMillionths(this.prices, model, usage);
  }

  /** Reserves the most a call can cost; throws BudgetExceededError when that could pass the cap. */
  reserve(model: string, maxUsage: TokenUsage): Reservation {
    const amount = this.cost(model, maxUsage);
    if (this.#cap !== undefined && this.#spent + this.#reserved + amount > this.#cap) {
      throw new BudgetExceededError(
        `budget ${usd(this.#cap)} reached: spent ${usd(this.#spent)}, ${usd(this.#reserved)} reserved for requests in flight, ` +
          `and the next ${model} request may cost up to ${usd(amount)}`,
      );
    }
    this.#reserved += amount;
    return { model, amount };
  }

  /**
   * Settles a reservation at the actual cost. A call that cost more than reserved (a client whose bound was wrong)
   * is still counted; it is reported by the return value so the caller can warn.
   */
  settle(reservation: Reservation, usage: TokenUsage): { costUsd: number; overReservation: boolean } {
    const actual = this.cost(reservation.model, usage);
    this.#reserved -= reservation.amount;
    this.#spent += actual;
    return { costUsd: actual / 1e8, overReservation: actual > reservation.amount };
  }

  /** Releases a reservation for a call that was not billed. */
  release(reservation: Reservation): void {
    this.#reserved -= reservation.amount;
  }
}
