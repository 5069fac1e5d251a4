import { InvalidConfigError } from '@confide/core';
import { numpyDefaultRng } from './numpy-pcg64.js';

export interface SeededTrainTestSplitOptions {
  /** Fraction of the rows that go to the test split, strictly between 0 and 1. */
  testSize: number;
  /** A non-negative integer seed, as given to `np.random.default_rng`. */
  seed: number;
}

export interface TrainTestSplitIndices {
  /** Row indices in the order `datasets` selects them: permutation[testCount:]. */
  trainIndices: number[];
  /** Row indices in the order `datasets` selects them: permutation[:testCount]. */
  testIndices: number[];
}

export interface TrainTestSplit<T> {
  train: T[];
  test: T[];
}

/**
 * The indices Hugging Face `datasets` picks for `Dataset.train_test_split(test_size=testSize, seed=seed)` with a
 * fractional test size and no train size: test count = ceil(testSize * rowCount) (in float arithmetic, so
 * 0.07 * 100 gives 8), train count = the rest, and the split is the permutation from
 * `np.random.default_rng(seed).permutation(rowCount)`, test first.
 */
export function seededTrainTestSplitIndices(
  rowCount: number,
  options: SeededTrainTestSplitOptions,
): TrainTestSplitIndices {
  const { testSize, seed } = options;
  if (!Number.isSafeInteger(rowCount) || rowCount < 0) {
    throw new InvalidConfigError(`train/test split: row count must be a non-negative integer, got ${rowCount}`);
  }
  if (!Number.isFinite(testSize) || testSize <= 0 || testSize >= 1) {
    throw new InvalidConfigError(`train/test split: testSize must be a fraction in (0, 1), got ${testSize}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidConfigError(`train/test split: seed must be a non-negative integer, got ${seed}`);
  }
  // datasets returns the empty dataset as both splits without drawing.
  if (rowCount === 0) {
    return { trainIndices: [], testIndices: [] };
  }
  const testCount = Math.ceil(testSize * rowCount);
  const trainCount = rowCount - testCount;
  if (trainCount === 0) {
    throw new InvalidConfigError(
      `train/test split: with ${rowCount} rows and testSize ${testSize} the train split would be empty`,
    );
  }
  const permutation = numpyDefaultRng(seed).permutation(rowCount);
  return {
    testIndices: permutation.slice(0, testCount),
    trainIndices: permutation.slice(testCount, testCount + trainCount),
  };
}

/**
 * Splits rows exactly as `Dataset.train_test_split(test_size=testSize, seed=seed)` does in Hugging Face `datasets`
 * (numpy >= 1.17), rows in the same order as there.
 */
export function seededTrainTestSplit<T>(rows: readonly T[], options: SeededTrainTestSplitOptions): TrainTestSplit<T> {
  const { trainIndices, testIndices } = seededTrainTestSplitIndices(rows.length, options);
  return {
    train: trainIndices.map((index) => rows[index]),
    test: testIndices.map((index) => rows[index]),
  };
}
