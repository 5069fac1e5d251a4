/** A source of uniform numbers in [0, 1), like Math.random but reproducible. */
export type Random = () => number;

/**
 * A small, fast, seeded pseudo-random generator: mulberry32 (a 32-bit state advanced by a Weyl sequence and mixed by
 * multiply–xorshift steps). Each call returns a uniform number in [0, 1) with 32 random bits. Not for cryptography;
 * meant for resampling and random baselines that must give the same numbers on every machine.
 *
 * The seed is any integer; it is taken modulo 2^32, so 0 and 2^32 give the same stream.
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = nextState(state);
    return uniformOf(state);
  };
}

/** mulberry32's Weyl step: the next 32-bit state. */
function nextState(state: number): number {
  return (state + 0x6d2b79f5) | 0;
}

/** mulberry32's output for a state: its multiply–xorshift mix, as a uniform number in [0, 1). */
function uniformOf(state: number): number {
  let mixed = Math.imul(state ^ (state >>> 15), state | 1);
  mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)) ^ mixed;
  return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
}

/**
 * `createRandom(seed)`'s stream consumed in bulk by the loops that draw a million numbers at a time (a bootstrap
 * resample, a random split): the same numbers as calling the generator in a loop, without a closure call per draw
 * (which costs as much as the draw). The tests check both methods against `createRandom`.
 */
export class SeededDraws {
  #state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.#state = seed >>> 0;
  }

  /** Adds the next `draws` draws ⌊u · n⌋ to the histogram `counts`. */
  countDraws(counts: Uint32Array, n: number, draws: number): void {
    let state = this.#state;
    for (let draw = 0; draw < draws; draw++) {
      state = nextState(state);
      counts[Math.floor(uniformOf(state) * n)]!++;
    }
    this.#state = state;
  }

  /**
   * Draws `take` of `pool`'s entries without replacement by a partial Fisher–Yates shuffle of `pool` in place (entry
   * `position` swaps with `position + ⌊u · (length − position)⌋`), setting `mask[entry] = 1` for each drawn entry.
   */
  markSubset(pool: Uint32Array, take: number, mask: Uint8Array): void {
    let state = this.#state;
    const length = pool.length;
    for (let position = 0; position < take; position++) {
      state = nextState(state);
      const other = position + Math.floor(uniformOf(state) * (length - position));
      const chosen = pool[other]!;
      pool[other] = pool[position]!;
      pool[position] = chosen;
      mask[chosen] = 1;
    }
    this.#state = state;
  }
}
