import type { Budget } from '@confide/inference';
import type { CallEvent } from '@confide/inference';
import type { SchedulerEvent } from '@confide/inference';
import { COST_ACCOUNTING } from '@confide/metrics';

interface SideCounts {
  answered: number;
  cached: number;
  failed: number;
}

/**
 * The progress line of a live run on stderr: problems done, calls per model (cached, failed), retries, spend so far,
 * and the estimate to finish: the spend per problem of this session times the problems left, never above what is left
 * of the stated bound (the worst case from max tokens, less what this session has spent), and zero once every problem
 * is done. On a terminal it redraws in place; otherwise it prints a line every tenth of the run.
 */
export class RunProgress {
  done = 0;
  retries = 0;
  readonly sides = new Map<string, SideCounts>();
  #lastDecile = -1;
  #timer: NodeJS.Timeout | undefined;
  /** What the budget had counted when this session started (a resumed run's earlier answers). */
  readonly #spentAtStartUsd: number;

  constructor(
    private readonly total: number,
    private readonly budget: Budget,
    /** Worst-case cost of what is left at the start, from max tokens (the bound the run printed). */
    private readonly upperBoundUsd: number,
    private readonly write: (text: string) => void,
    private readonly interactive: boolean,
    private readonly startedDone = 0,
  ) {
    this.done = startedDone;
    this.#spentAtStartUsd = budget.spentUsd;
    if (interactive) this.#timer = setInterval(() => this.write(`\r${this.line()}`), 250).unref();
  }

  #side(name: string): SideCounts {
    let counts = this.sides.get(name);
    if (counts === undefined) {
      counts = { answered: 0, cached: 0, failed: 0 };
      this.sides.set(name, counts);
    }
    return counts;
  }

  onCall(side: string, event: CallEvent): void {
    const counts = this.#side(side);
    if (event.type === 'failed') counts.failed++;
    else counts.answered++;
    if (event.type === 'cache-hit' || event.type === 'shared') counts.cached++;
  }

  onScheduler(event: SchedulerEvent): void {
    if (event.type === 'attempt-failure' && event.retryInMs !== null) this.retries++;
  }

  onProblemDone(done: number): void {
    this.done = this.startedDone + done;
    if (this.interactive) return;
    const decile = Math.floor((this.done * 10) / Math.max(1, this.total));
    if (decile !== this.#lastDecile) {
      this.#lastDecile = decile;
      this.write(`${this.line()}\n`);
    }
  }

  /** What is left of the bound: the worst case at the start less what this session has spent since (never below 0). */
  boundLeftUsd(): number {
    if (this.done >= this.total) return 0;
    return Math.max(0, this.upperBoundUsd - (this.budget.spentUsd - this.#spentAtStartUsd));
  }

  /**
   * The spend per problem this session has finished, times the problems left, at most what is left of the bound;
   * the bound itself before a problem is done, and 0 on a finished run.
   */
  estimateToFinishUsd(): number {
    const bound = this.boundLeftUsd();
    const newlyDone = this.done - this.startedDone;
    if (this.done >= this.total) return 0;
    if (newlyDone <= 0) return bound;
    const perProblem = (this.budget.spentUsd - this.#spentAtStartUsd) / newlyDone;
    return Math.min(bound, perProblem * (this.total - this.done));
  }

  line(): string {
    const sides = [...this.sides.entries()]
      .map(([name, counts]) => `${name} ${counts.answered}${counts.cached ? ` (${counts.cached} cached)` : ''}${counts.failed ? ` ${counts.failed} failed` : ''}`)
      .join(' · ');
    const budget = this.budget.capUsd === undefined ? '' : ` · budget $${this.budget.capUsd.toFixed(2)}`;
    return (
      `run: ${this.done}/${this.total} problems · ${sides || 'no calls yet'} · retries ${this.retries} · ` +
      `spent $${this.budget.spentUsd.toFixed(6)} (${COST_ACCOUNTING.allCalls}) · to finish ~$${this.estimateToFinishUsd().toFixed(4)} (at most $${this.boundLeftUsd().toFixed(4)})${budget}`
    );
  }

  finish(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.write(`${this.interactive ? '\r' : ''}${this.line()}\n`);
  }
}
