/**
 * A bit-for-bit TypeScript port of the parts of numpy's random module that `np.random.default_rng(seed)
 * .permutation(n)` touches (numpy >= 1.17): `SeedSequence` turns an integer seed into the PCG64 seed and
 * increment, `PCG64` is the 128-bit LCG with the XSL-RR output function, and `Generator.permutation(n)` is
 * `arange(n)` shuffled by Fisher–Yates from the end, each index drawn with `random_interval`'s masked rejection
 * sampling. Hugging Face `datasets` uses exactly this for `Dataset.train_test_split(seed=...)`, so the same seed
 * gives the same split here as in Python.
 */

const uint32Mask = 0xffffffff;
const uint64Mask = (1n << 64n) - 1n;
const uint128Mask = (1n << 128n) - 1n;

// SeedSequence constants (numpy/random/bit_generator.pyx).
const seedSequencePoolSize = 4;
const hashInitA = 0x43b0d7e5;
const hashMultiplierA = 0x931e8875;
const hashInitB = 0x8b51f9dd;
const hashMultiplierB = 0x58f38ded;
const mixMultiplierLeft = 0xca01f9dd;
const mixMultiplierRight = 0x4973f715;
const mixShift = 16;

/** PCG's default 128-bit multiplier (PCG_DEFAULT_MULTIPLIER_128). */
const pcgMultiplier = 0x2360ed051fc65da44385df649fccf645n;

/** A non-negative integer seed, as numpy accepts it (`SeedSequence(entropy)` with an int). */
export type NumpySeed = number | bigint;

function seedToBigInt(seed: NumpySeed): bigint {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new RangeError(`numpy seed must be a safe integer, got ${seed}`);
  }
  const value = BigInt(seed);
  if (value < 0n) {
    throw new RangeError(`numpy seed must be non-negative, got ${value}`);
  }
  return value;
}

/** numpy's `_int_to_uint32_array`: 32-bit words, least significant first; 0 is one zero word. */
function seedToUint32Words(seed: NumpySeed): number[] {
  let remaining = seedToBigInt(seed);
  if (remaining === 0n) {
    return [0];
  }
  const words: number[] = [];
  while (remaining > 0n) {
    words.push(Number(remaining & 0xffffffffn));
    remaining >>= 32n;
  }
  return words;
}

/**
 * numpy's `SeedSequence` for a plain integer entropy (no spawn key, pool size 4): mixes the entropy into a pool of
 * four 32-bit words, from which `generateState` derives as many words as a bit generator needs.
 */
export class NumpySeedSequence {
  readonly pool: Uint32Array;

  constructor(entropy: NumpySeed) {
    this.pool = mixEntropy(seedToUint32Words(entropy));
  }

  /** `generate_state(wordCount, np.uint32)`. */
  generateStateUint32(wordCount: number): Uint32Array {
    const state = new Uint32Array(wordCount);
    let hashConstant = hashInitB;
    for (let index = 0; index < wordCount; index += 1) {
      let value = (this.pool[index % seedSequencePoolSize] ^ hashConstant) >>> 0;
      hashConstant = Math.imul(hashConstant, hashMultiplierB) >>> 0;
      value = Math.imul(value, hashConstant) >>> 0;
      state[index] = (value ^ (value >>> mixShift)) >>> 0;
    }
    return state;
  }

  /** `generate_state(wordCount, np.uint64)`: twice as many 32-bit words, paired little-endian. */
  generateStateUint64(wordCount: number): bigint[] {
    const words = this.generateStateUint32(wordCount * 2);
    const state: bigint[] = [];
    for (let index = 0; index < wordCount; index += 1) {
      state.push((BigInt(words[2 * index + 1]) << 32n) | BigInt(words[2 * index]));
    }
    return state;
  }
}

function mixEntropy(entropy: readonly number[]): Uint32Array {
  const mixer = new Uint32Array(seedSequencePoolSize);
  let hashConstant = hashInitA;
  const hashMix = (input: number): number => {
    let value = (input ^ hashConstant) >>> 0;
    hashConstant = Math.imul(hashConstant, hashMultiplierA) >>> 0;
    value = Math.imul(value, hashConstant) >>> 0;
    return (value ^ (value >>> mixShift)) >>> 0;
  };
  const mix = (left: number, right: number): number => {
    const value = (Math.imul(mixMultiplierLeft, left) - Math.imul(mixMultiplierRight, right)) >>> 0;
    return (value ^ (value >>> mixShift)) >>> 0;
  };
  for (let index = 0; index < seedSequencePoolSize; index += 1) {
    mixer[index] = hashMix(entropy[index] ?? 0);
  }
  for (let source = 0; source < seedSequencePoolSize; source += 1) {
    for (let destination = 0; destination < seedSequencePoolSize; destination += 1) {
      if (source !== destination) {
        mixer[destination] = mix(mixer[destination], hashMix(mixer[source]));
      }
    }
  }
  for (let source = seedSequencePoolSize; source < entropy.length; source += 1) {
    for (let destination = 0; destination < seedSequencePoolSize; destination += 1) {
      mixer[destination] = mix(mixer[destination], hashMix(entropy[source]));
    }
  }
  return mixer;
}

/** The state numpy reports as `PCG64(seed).state` (without the bit generator's name). */
export interface Pcg64State {
  state: bigint;
  increment: bigint;
  hasUint32: boolean;
  bufferedUint32: number;
}

/**
 * numpy's `PCG64` bit generator: PCG XSL-RR 128/64 (not the DXSM variant of `PCG64DXSM`), seeded through
 * `SeedSequence`, with numpy's 32-bit buffering: `nextUint32` returns the low half of a fresh 64-bit draw and keeps
 * the high half for the next call; `nextUint64` neither reads nor clears that buffer.
 */
export class Pcg64 {
  private state: bigint;
  private readonly increment: bigint;
  private hasUint32 = false;
  private bufferedUint32 = 0;
  // The last output, as two 32-bit halves, so hot paths need no BigInt beyond the state step.
  private outputHigh = 0;
  private outputLow = 0;

  constructor(seedSequence: NumpySeedSequence) {
    // PCG64 takes 4 uint64 words: the 128-bit initial state then the 128-bit sequence, high word first.
    const words = seedSequence.generateStateUint64(4);
    const initialState = (words[0] << 64n) | words[1];
    const initialSequence = (words[2] << 64n) | words[3];
    // pcg_setseq_128_srandom_r
    this.increment = ((initialSequence << 1n) | 1n) & uint128Mask;
    this.state = 0n;
    this.step();
    this.state = (this.state + initialState) & uint128Mask;
    this.step();
  }

  static fromSeed(seed: NumpySeed): Pcg64 {
    return new Pcg64(new NumpySeedSequence(seed));
  }

  getState(): Pcg64State {
    return {
      state: this.state,
      increment: this.increment,
      hasUint32: this.hasUint32,
      bufferedUint32: this.bufferedUint32,
    };
  }

  /** `next_uint64`: one raw 64-bit draw. */
  nextUint64(): bigint {
    this.advance();
    return (BigInt(this.outputHigh) << 32n) | BigInt(this.outputLow);
  }

  /** `next_uint32`: the buffered high half if there is one, else the low half of a fresh draw. */
  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.bufferedUint32;
    }
    this.advance();
    this.hasUint32 = true;
    this.bufferedUint32 = this.outputHigh;
    return this.outputLow;
  }

  private step(): void {
    this.state = BigInt.asUintN(128, this.state * pcgMultiplier + this.increment);
  }

  /** Steps the LCG, then applies XSL-RR: xor the two 64-bit halves, rotate right by the state's top 6 bits. */
  private advance(): void {
    this.step();
    const state = this.state;
    const rotation = Number(state >> 122n);
    const folded = (state >> 64n) ^ (state & uint64Mask);
    let high = Number(folded >> 32n);
    let low = Number(folded & 0xffffffffn);
    let shift = rotation;
    if (shift >= 32) {
      [high, low] = [low, high];
      shift -= 32;
    }
    if (shift === 0) {
      this.outputHigh = high;
      this.outputLow = low;
    } else {
      this.outputHigh = ((high >>> shift) | (low << (32 - shift))) >>> 0;
      this.outputLow = ((low >>> shift) | (high << (32 - shift))) >>> 0;
    }
  }
}

/** `random_interval` for `max <= 0xffffffff`: masked rejection sampling over 32-bit draws. */
function randomIntervalUint32(bitGenerator: Pcg64, max: number): number {
  if (max === 0) {
    return 0;
  }
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask >>>= 0;
  let value: number;
  do {
    value = (bitGenerator.nextUint32() & mask) >>> 0;
  } while (value > max);
  return value;
}

/**
 * numpy's `random_interval(bitgen, max)`: a uniform integer in [0, max]. Draws 32-bit values while
 * `max <= 0xffffffff` and 64-bit values above that, masking each to the smallest all-ones mask >= max and
 * rejecting values above max.
 */
export function randomInterval(bitGenerator: Pcg64, max: bigint): bigint {
  if (max < 0n || max > uint64Mask) {
    throw new RangeError(`random_interval max must be a uint64, got ${max}`);
  }
  if (max <= BigInt(uint32Mask)) {
    return BigInt(randomIntervalUint32(bitGenerator, Number(max)));
  }
  let mask = max;
  for (const shift of [1n, 2n, 4n, 8n, 16n, 32n]) {
    mask |= mask >> shift;
  }
  let value: bigint;
  do {
    value = bitGenerator.nextUint64() & mask;
  } while (value > max);
  return value;
}

/** The slice of numpy's `Generator` that shuffling needs. */
export class NumpyGenerator {
  constructor(readonly bitGenerator: Pcg64) {}

  /**
   * `Generator.shuffle` of a one-dimensional sequence, in place: for i from length-1 down to 1, swap element i with
   * element `random_interval(i)`. JavaScript arrays hold fewer than 2**32 elements, so every draw is 32-bit.
   */
  shuffle<T>(values: { length: number; [index: number]: T }): void {
    for (let index = values.length - 1; index > 0; index -= 1) {
      const other = randomIntervalUint32(this.bitGenerator, index);
      const held = values[other];
      values[other] = values[index];
      values[index] = held;
    }
  }

  /** `Generator.permutation(n)` for an integer n: `arange(n)` shuffled. */
  permutation(length: number): number[] {
    if (!Number.isSafeInteger(length) || length < 0 || length > uint32Mask) {
      throw new RangeError(`permutation length must be an integer in [0, 2**32 - 1], got ${length}`);
    }
    const values = Array.from({ length }, (_, index) => index);
    this.shuffle(values);
    return values;
  }
}

/** `np.random.default_rng(seed)`: a `Generator` over `PCG64(SeedSequence(seed))`. */
export function numpyDefaultRng(seed: NumpySeed): NumpyGenerator {
  return new NumpyGenerator(Pcg64.fromSeed(seed));
}
