import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidConfigError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { seededTrainTestSplit, seededTrainTestSplitIndices } from './seeded-train-test-split.js';

/*
 * datasets-split-fixtures.json was made once with Hugging Face datasets 5.0.1 and numpy 2.4.6 (in a virtual
 * environment with `pip install datasets`), by running this from this folder:
 *
 * python3 - <<'PY' > datasets-split-fixtures.json
 * import hashlib, json
 * import datasets, numpy as np
 *
 * digest = lambda values: hashlib.sha256(','.join(map(str, values)).encode()).hexdigest()
 * cases = [(7500, 0.1, 42), (7500, 0.1, 0), (1000, 0.25, 123), (100, 0.07, 42), (10, 0.1, 42), (3, 0.1, 0), (2, 0.5, 42)]
 * splits = []
 * for n, test_size, seed in cases:
 *     split = datasets.Dataset.from_dict({'index': list(range(n))}).train_test_split(test_size=test_size, seed=seed)
 *     train, test = split['train']['index'], split['test']['index']
 *     splits.append({'n': n, 'testSize': test_size, 'seed': seed, 'trainLength': len(train), 'testLength': len(test),
 *         'trainHead': train[:20], 'testHead': test[:20], 'trainSha256': digest(train), 'testSha256': digest(test)})
 * rows = [f'  "datasetsVersion": {json.dumps(datasets.__version__)}', f'  "numpyVersion": {json.dumps(np.__version__)}']
 * rows.append('  "splits": [\n' + ',\n'.join('    ' + json.dumps(entry) for entry in splits) + '\n  ]')
 * print('{\n' + ',\n'.join(rows) + '\n}')
 * PY
 *
 * Each split is stored as its length, its first 20 row indices and the sha256 of all its row indices in order,
 * written as comma-joined decimals.
 */

interface DatasetsSplitFixtures {
  datasetsVersion: string;
  numpyVersion: string;
  splits: {
    n: number;
    testSize: number;
    seed: number;
    trainLength: number;
    testLength: number;
    trainHead: number[];
    testHead: number[];
    trainSha256: string;
    testSha256: string;
  }[];
}

const fixtures = JSON.parse(
  readFileSync(new URL('./datasets-split-fixtures.json', import.meta.url), 'utf8'),
) as DatasetsSplitFixtures;

const sha256 = (values: readonly number[]): string => createHash('sha256').update(values.join(',')).digest('hex');

describe.each(fixtures.splits)('train_test_split of $n rows, test_size=$testSize, seed=$seed', (expected) => {
  const rows = Array.from({ length: expected.n }, (_, index) => ({ index }));
  const split = seededTrainTestSplit(rows, { testSize: expected.testSize, seed: expected.seed });
  const train = split.train.map((row) => row.index);
  const test = split.test.map((row) => row.index);

  it('has the same sizes as datasets', () => {
    expect({ train: train.length, test: test.length }).toEqual({
      train: expected.trainLength,
      test: expected.testLength,
    });
  });

  it('puts the same rows in each split, in the same order', () => {
    expect(train.slice(0, 20)).toEqual(expected.trainHead);
    expect(test.slice(0, 20)).toEqual(expected.testHead);
    expect(sha256(train)).toBe(expected.trainSha256);
    expect(sha256(test)).toBe(expected.testSha256);
  });

  it('returns the same indices from seededTrainTestSplitIndices', () => {
    const indices = seededTrainTestSplitIndices(expected.n, { testSize: expected.testSize, seed: expected.seed });
    expect(indices).toEqual({ trainIndices: train, testIndices: test });
  });
});

describe('seededTrainTestSplit', () => {
  it('splits MATH train (7,500 rows) 6,750 / 750 with every row once', () => {
    const split = seededTrainTestSplitIndices(7500, { testSize: 0.1, seed: 42 });
    const all = [...split.trainIndices, ...split.testIndices].sort((left, right) => left - right);
    expect(all).toEqual(Array.from({ length: 7500 }, (_, index) => index));
    expect([split.trainIndices.length, split.testIndices.length]).toEqual([6750, 750]);
  });

  it('returns two empty splits for no rows, as datasets does', () => {
    expect(seededTrainTestSplit([], { testSize: 0.1, seed: 42 })).toEqual({ train: [], test: [] });
  });

  it.each([
    { rows: 1, testSize: 0.5, seed: 0, problem: /train split would be empty/ },
    { rows: 10, testSize: 0, seed: 0, problem: /testSize/ },
    { rows: 10, testSize: 1, seed: 0, problem: /testSize/ },
    { rows: 10, testSize: Number.NaN, seed: 0, problem: /testSize/ },
    { rows: 10, testSize: 0.1, seed: -1, problem: /seed/ },
    { rows: 10, testSize: 0.1, seed: 0.5, problem: /seed/ },
  ])('rejects $rows rows with testSize $testSize and seed $seed', ({ rows, testSize, seed, problem }) => {
    const call = () => seededTrainTestSplit(Array.from({ length: rows }, (_, index) => index), { testSize, seed });
    expect(call).toThrow(InvalidConfigError);
    expect(call).toThrow(problem);
  });
});
