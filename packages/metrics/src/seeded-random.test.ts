import { describe, expect, it } from 'vitest';
import { SeededDraws } from '@confide/core';
import { createRandom, randomInt } from './seeded-random.js';
import { referenceValues } from './testing/reference-values.js';

describe('createRandom', () => {
  // Reference: an independent Python implementation of mulberry32 with 32-bit integer arithmetic.
  it.each(referenceValues.random)('matches the reference stream for seed $seed', ({ seed, values }) => {
    const random = createRandom(seed);
    for (const value of values) expect(random()).toBe(value);
  });

  it('gives the same stream for the same seed and another for another seed', () => {
    const first = createRandom(123);
    const again = createRandom(123);
    const other = createRandom(124);
    const a = Array.from({ length: 5 }, () => first());
    expect(Array.from({ length: 5 }, () => again())).toEqual(a);
    expect(Array.from({ length: 5 }, () => other())).not.toEqual(a);
  });

  it('takes the seed modulo 2^32', () => {
    expect(createRandom(2 ** 32 + 5)()).toBe(createRandom(5)());
    expect(createRandom(-1)()).toBe(createRandom(2 ** 32 - 1)());
  });

  it('rejects a seed that is not an integer', () => {
    expect(() => createRandom(0.5)).toThrow(/integer/);
  });

  it('is uniform on [0, 1): 100,000 draws in 10 buckets pass a chi-square test at p = 0.001', () => {
    const random = createRandom(2024);
    const buckets = new Array<number>(10).fill(0);
    let minimum = 1;
    let maximum = 0;
    for (let draw = 0; draw < 100_000; draw++) {
      const value = random();
      minimum = Math.min(minimum, value);
      maximum = Math.max(maximum, value);
      buckets[Math.floor(value * 10)]!++;
    }
    const statistic = buckets.reduce((sum, count) => sum + (count - 10_000) ** 2 / 10_000, 0);
    expect(statistic).toBeLessThan(27.877); // χ²(9) 0.999 quantile
    expect(minimum).toBeGreaterThanOrEqual(0);
    expect(maximum).toBeLessThan(1);
  });
});

describe('randomInt', () => {
  it('draws every integer in [0, n) and nothing else', () => {
    const random = createRandom(9);
    const seen = new Set<number>();
    for (let draw = 0; draw < 1000; draw++) seen.add(randomInt(random, 7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('is floor(u * n) of the next draw', () => {
    const a = createRandom(31);
    const b = createRandom(31);
    for (let draw = 0; draw < 20; draw++) expect(randomInt(a, 500)).toBe(Math.floor(b() * 500));
  });
});

describe('SeededDraws', () => {
  it.each([0, 7, -3, 2 ** 32 + 5])('counts the same draws as createRandom(%s) in a loop, across calls', (seed) => {
    const random = createRandom(seed);
    const expected = new Uint32Array(37);
    for (let draw = 0; draw < 1000; draw++) expected[Math.floor(random() * 37)]!++;
    const counts = new Uint32Array(37);
    const counter = new SeededDraws(seed);
    counter.countDraws(counts, 37, 400);
    counter.countDraws(counts, 37, 600);
    expect(counts).toEqual(expected);
  });

  it('draws a subset without replacement as a partial Fisher–Yates shuffle on createRandom, across calls', () => {
    const random = createRandom(11);
    const expectedPool = Uint32Array.from({ length: 50 }, (_, index) => index);
    const expectedMask = new Uint8Array(50);
    for (const take of [20, 20]) {
      for (let position = 0; position < take; position++) {
        const other = position + Math.floor(random() * (50 - position));
        [expectedPool[position], expectedPool[other]] = [expectedPool[other]!, expectedPool[position]!];
        expectedMask[expectedPool[position]!] = 1;
      }
    }
    const pool = Uint32Array.from({ length: 50 }, (_, index) => index);
    const mask = new Uint8Array(50);
    const draws = new SeededDraws(11);
    draws.markSubset(pool, 20, mask);
    draws.markSubset(pool, 20, mask);
    expect(pool).toEqual(expectedPool);
    expect(mask).toEqual(expectedMask);
  });
});
