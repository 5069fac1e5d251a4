import type { Random } from '@confide/core';

export { createRandom, type Random } from '@confide/core';

/**
 * A uniform integer in [0, n) drawn from `random` (one draw per call): floor(random() * n). With 32-bit draws the bias
 * towards any value is below n / 2^32 (about 1e-7 for n = 500), far under bootstrap noise.
 */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}
