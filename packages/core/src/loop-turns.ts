import { ConfideError } from './errors.js';

/** Progress of a step whose work grows with problems, resamples or fitting steps. */
export interface StepProgress {
  stage: string;
  done: number;
  total: number;
}

/** How a long step is watched and stopped: progress as it goes, cancellation between units of work. */
export interface RunControl {
  /** Called as work is done (at most every few hundred milliseconds, and at the end). */
  onProgress?: (progress: StepProgress) => void;
  /** Stops between units of work; the step then throws a CANCELLED error and no result is left half-filled in use. */
  signal?: AbortSignal;
}

/** How often a long loop hands control back to the event loop (so a Ctrl-C handler runs) and reports progress. */
const YIELD_EVERY_MS = 200;

/**
 * A long loop's turns: `step(done)` after each unit of work reports progress, hands the event loop a turn (so a
 * Ctrl-C handler runs) and stops with a CANCELLED error once the signal is aborted — at most every 200 ms; `finish`
 * reports the stage done. `unit` names what is counted in the cancellation message ("resamples").
 */
export class LoopTurns {
  #lastYield = performance.now();

  constructor(
    private readonly control: RunControl,
    private readonly stage: string,
    private readonly total: number,
    private readonly unit = '',
  ) {}

  async step(done: number): Promise<void> {
    if (performance.now() - this.#lastYield < YIELD_EVERY_MS) return;
    this.control.onProgress?.({ stage: this.stage, done, total: this.total });
    await new Promise((resolve) => setImmediate(resolve));
    if (this.control.signal?.aborted) throw new ConfideError('CANCELLED', `${this.stage} cancelled after ${done} of ${this.total}${this.unit === '' ? '' : ` ${this.unit}`}`);
    this.#lastYield = performance.now();
  }

  finish(): void {
    this.control.onProgress?.({ stage: this.stage, done: this.total, total: this.total });
  }
}

/**
 * One turn of the event loop between two pieces of synchronous work (a sort, a pass over the problems), so a Ctrl-C
 * handler runs: throws CANCELLED naming `stage` when `control.signal` is aborted. For steps that are not loops; a loop
 * takes a `LoopTurns`.
 */
export async function handTurn(control: RunControl | undefined, stage: string): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (control?.signal?.aborted) throw new ConfideError('CANCELLED', `cancelled before ${stage}`);
}

/** Runs a generator of steps through without turns (a synchronous caller of a reader or fit written as steps), returning its result. */
export function runSteps<Result>(steps: Generator<unknown, Result, void>): Result {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
