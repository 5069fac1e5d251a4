/** One step's progress: what it is, how much of it is done. */
export interface StepProgressEvent {
  stage: string;
  done: number;
  total: number;
}

/**
 * Progress of long steps on stderr: the stage, done/total, the rate and the time left. On a terminal one line redrawn
 * in place (at most every 250 ms); otherwise a line each time a stage passes another tenth. A new stage starts its
 * own clock. A stage that finishes within its first `quietMilliseconds` (1 s unless told) prints nothing: only steps
 * long enough to wait on show progress, so a 500-problem ablation's many sub-second steps stay silent.
 */
export class StepProgress {
  #stage = '';
  #startedAt = 0;
  #lastDecile = -1;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #lastDone = 0;
  #shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly interactive: boolean,
    private readonly now: () => number = () => performance.now(),
    private readonly quietMilliseconds = 1000,
  ) {}

  report(event: StepProgressEvent): void {
    const now = this.now();
    // a new stage, or the same stage run again (its count starts over): a new clock
    if (event.stage !== this.#stage || event.done < this.#lastDone) {
      if (this.interactive && this.#stage !== '' && this.#shown) this.write('\n');
      this.#stage = event.stage;
      this.#startedAt = now;
      this.#lastDecile = -1;
      this.#lastDraw = Number.NEGATIVE_INFINITY;
      this.#shown = false;
    }
    this.#lastDone = event.done;
    const finished = event.done >= event.total;
    if (!this.#shown && now - this.#startedAt < this.quietMilliseconds) return;
    this.#shown = true;
    if (this.interactive) {
      if (!finished && now - this.#lastDraw < 250) return;
      this.#lastDraw = now;
      this.write(`\r${this.line(event, now)}${finished ? '\n' : ''}`);
      if (finished) {
        this.#stage = '';
        this.#shown = false;
      }
      return;
    }
    const decile = Math.floor((event.done * 10) / Math.max(1, event.total));
    if (decile === this.#lastDecile) return;
    this.#lastDecile = decile;
    this.write(`${this.line(event, now)}\n`);
  }

  line(event: StepProgressEvent, now: number = this.now()): string {
    const seconds = Math.max(1e-3, (now - this.#startedAt) / 1000);
    const rate = event.done / seconds;
    const percent = event.total === 0 ? 100 : (event.done * 100) / event.total;
    const left = rate > 0 ? (event.total - event.done) / rate : Number.POSITIVE_INFINITY;
    const eta = event.done >= event.total ? 'done' : Number.isFinite(left) ? `ETA ${formatSeconds(left)}` : 'ETA –';
    return `${event.stage}: ${event.done}/${event.total} (${percent.toFixed(0)}%) · ${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)}/s · ${eta}`;
  }
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
