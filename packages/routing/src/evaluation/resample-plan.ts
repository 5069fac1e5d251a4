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
  /** The current resample's drawn problems, listed by `run` before its consumers read it. */
  readonly #drawn: DrawnProblems;
  #ran = false;

  constructor(
    readonly n: number,
    readonly settings: ResampleSettings,
  ) {
    this.#drawn = new DrawnProblems(n);
  }

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

  /**
   * A statistic of one weighted sum: `finish(Σ count·value)` on each resample (e.g. `(sum) => sum / n` for a mean).
   * Finite values are summed over the resample's drawn problems only (`#drawn`, listed once per resample for every
   * such statistic): a problem drawn 0 times adds ±0, which changes no sum, so the sum is the one over every problem,
   * bit for bit. A value that is not finite (0 · ∞ is NaN) is summed over every problem. The values are checked here,
   * when the statistic is added: they must not change before the pass runs.
   */
  weighted(values: ArrayLike<number>, finish: (weightedSum: number) => number): Float64Array {
    let finite = values.length === this.n;
    for (let index = 0; index < values.length && finite; index++) finite = Number.isFinite(values[index]!);
    if (!finite) return this.add((counts) => finish(weightedSum(values, counts)));
    const drawn = this.#drawn;
    return this.add(() => finish(drawn.weightedSum(values)));
  }

  /** Draws every resample once and fills every statistic, yielding to the event loop every 200 ms (progress, Ctrl-C). */
  async run(control: RunControl = {}, stage = 'bootstrap'): Promise<void> {
    if (this.#ran) throw new Error('the resamples already ran');
    const { resamples, seed } = this.settings;
    const turns = new LoopTurns(control, stage, resamples, 'resamples');
    let resample = 0;
    for (const counts of bootstrapCountStream(this.n, resamples, seed)) {
      this.#drawn.list(counts);
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

/**
 * The problems one resample drew at least once, ascending, and how many times each: what a weighted sum of finite
 * values needs (the others add ±0). Listed once per resample, read by every weighted statistic.
 */
class DrawnProblems {
  readonly #indices: Uint32Array;
  readonly #times: Float64Array;
  #count = 0;

  constructor(n: number) {
    this.#indices = new Uint32Array(n);
    this.#times = new Float64Array(n);
  }

  list(counts: Uint32Array): void {
    const indices = this.#indices;
    const times = this.#times;
    let count = 0;
    for (let index = 0; index < counts.length; index++) {
      // written at every index, kept (the count moves on) where drawn: no branch on the random counts
      indices[count] = index;
      times[count] = counts[index]!;
      count += Math.min(counts[index]!, 1);
    }
    this.#count = count;
  }

  /** Σ count·value over the drawn problems, ascending (`weightedSum` over every problem, for finite values). */
  weightedSum(values: ArrayLike<number>): number {
    const indices = this.#indices;
    const times = this.#times;
    let sum = 0;
    for (let entry = 0; entry < this.#count; entry++) sum += times[entry]! * values[indices[entry]!]!;
    return sum;
  }
}
