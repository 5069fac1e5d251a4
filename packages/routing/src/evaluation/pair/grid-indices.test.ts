import { describe, expect, it } from 'vitest';
import { engineCheckPositions, ENGINE_CHECK_PROBLEMS, gridIndices } from './router-curves.js';

describe('a sweep grid and the engine check sample', () => {
  it('spreads the grid evenly, first and last included, with the reported point added', () => {
    // 10 thresholds, a grid of 3: positions 0, round(4.5) = 5, 9; the reported point 4 added
    expect(gridIndices(10, 3, 4)).toEqual([0, 4, 5, 9]);
    expect(gridIndices(10, 3, 5)).toEqual([0, 5, 9]);
  });

  it('checks every problem up to the cap, a seeded sample of that many beyond it', () => {
    expect(Array.from(engineCheckPositions(5))).toEqual([0, 1, 2, 3, 4]);
    const sample = engineCheckPositions(100_001);
    expect(sample).toHaveLength(ENGINE_CHECK_PROBLEMS);
    expect(new Set(sample).size).toBe(ENGINE_CHECK_PROBLEMS);
    expect(Array.from(sample)).toEqual([...sample].sort((left, right) => left - right));
    expect(Array.from(engineCheckPositions(100_001))).toEqual(Array.from(sample));
    expect(sample.at(-1)! < 100_001 && sample[0]! >= 0).toBe(true);
  });
});
