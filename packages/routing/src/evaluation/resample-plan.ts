import { LoopTurns, type RunControl } from '@confide/core';
import { bootstrapCountStream, percentileInterval } from '@confide/metrics';
import type { Interval } from './router-statistics.js';

/** The paired bootstrap's settings: how many resamples, the seed of their stream, the interval's confidence. */
export interface ResampleSettings {
  resamples: number;
  seed: number;
  confidence: number;
}

export { LoopTurns, type RunControl, type StepProgress } from '@confide/core';

/**
 * Every bootstrap statistic of an evaluation, computed in one pass over the resamples: statistics are added first
 * (each a function of one resample's multiplicities, n counts summing to n), then `run` draws the resamples one at a
 * time from `bootstrapCountStream` (O(n) memory whatever their number) and fills every statistic's samples. All
 * statistics see the same resamples: the bootstrap is paired. The resamples are those of `bootstrapCounts(n,
 * resamples, seed)`, so intervals do not depend on how many statistics share a pass.
 */
export class ResamplePlan {
  readonly #consumers: Array<(counts: Uint32Array, resample: number) => void> = [];
  readonly #pending: Array<{ samples: Float64Array; interval: Interval }> = [];
  #ran = false;

  constructor(
    readonly n: number,
    readonly settings: ResampleSettings,
  ) {}

  /** A statistic computed on every resample; the returned samples are filled by `run`. */
  add(compute: (counts: Uint32Array) => number): Float64Array {
    const samples = new Float64Array(this.settings.resamples);
    this.each((counts, resample) => {
      samples[resample] = compute(counts);
    });
    return samples;
  }

  /** A consumer of every resample that fills several statistics at once (it keeps nothing of `counts`: the buffer is reused). */
  each(consume: (counts: Uint32Array, resample: number) => void): void {
    if (this.#ran) throw new Error('a statistic was added after the resamples ran');
    this.#consumers.push(consume);
  }

  /** A statistic of one weighted sum: `finish(Σ count·value)` on each resample (e.g. `(sum) => sum / n` for a mean). */
  weighted(values: ArrayLike<number>, finish: (weightedSum: number) => number): Float64Array {
    return this.add((counts) => finish(weightedSum(values, counts)));
  }

  /** Draws every resample once and fills every statistic, yielding to the event loop every 200 ms (progress, Ctrl-C). */
  async run(control: RunControl = {}, stage = 'bootstrap'): Promise<void> {
    if (this.#ran) throw new Error('the resamples already ran');
    const { resamples, seed } = this.settings;
    const turns = new LoopTurns(control, stage, resamples, 'resamples');
    let resample = 0;
    for (const counts of bootstrapCountStream(this.n, resamples, seed)) {
      for (const consume of this.#consumers) consume(counts, resample);
      resample++;
      await turns.step(resample);
    }
    this.#ran = true;
    for (const { samples, interval } of this.#pending) Object.assign(interval, percentileInterval(samples, this.settings.confidence));
    turns.finish();
  }

  /**
   * The percentile interval of a statistic's samples as an object `run` fills in place when the resamples have run (NaN
   * until then): steps that build their results before the one bootstrap pass hand these out.
   */
  intervalWhenRun(samples: Float64Array): Interval {
    const interval = { lower: Number.NaN, upper: Number.NaN };
    if (this.#ran) Object.assign(interval, percentileInterval(samples, this.settings.confidence));
    else this.#pending.push({ samples, interval });
    return interval;
  }

  /** The percentile interval of a statistic's samples (after `run`). */
  interval(samples: Float64Array): Interval {
    if (!this.#ran) throw new Error('an interval was read before the resamples ran');
    return percentileInterval(samples, this.settings.confidence);
  }
}

/** Σ count·value over the problems. */
export function weightedSum(values: ArrayLike<number>, counts: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < counts.length; index++) sum += counts[index]! * values[index]!;
  return sum;
}
