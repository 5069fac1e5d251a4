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
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
