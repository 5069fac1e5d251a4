import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogisticCoefficients, LogisticFitInputs } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { logisticFitCacheIn, logisticFitKey } from './logistic-fit-cache.js';

function inputs(overrides: Partial<LogisticFitInputs> = {}): LogisticFitInputs {
  return {
    rows: { offsets: Int32Array.from([0, 2, 3]), columns: Int32Array.from([0, 2, 1]), entries: Float64Array.from([0.5, -0.25, 1]) },
    targets: Float64Array.from([1, 0]),
    subsets: [Int32Array.from([0]), Int32Array.from([0, 1])],
    dimension: 3,
    settings: { l2: 0.001, iterations: 300, learningRate: 0.1 },
    algorithm: 'function* logisticRegressionSteps() {}',
    ...overrides,
  };
}

const fits: LogisticCoefficients[] = [
  { weights: Float64Array.from([0.1, -0.2, Number.MIN_VALUE]), bias: -0.75 },
  { weights: Float64Array.from([1e-300, 2 / 3, -0]), bias: 0.1 + 0.2 },
];

describe('logisticFitCacheIn', () => {
  it('reads back the very bits it kept, and nothing for inputs it did not keep', () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'confide-fits-')), 'fits');
    const cache = logisticFitCacheIn(folder);
    expect(cache.read(inputs())).toBeUndefined();
    cache.write(inputs(), fits);
    expect(readdirSync(folder)).toEqual([`${logisticFitKey(inputs())}.bin`]);
    const read = cache.read(inputs())!;
    expect(read.map((fit) => [Array.from(fit.weights), fit.bias])).toEqual(fits.map((fit) => [Array.from(fit.weights), fit.bias]));
    expect(Object.is(read[1]!.weights[2], -0)).toBe(true);
    // anything a fit depends on, changed: another key, nothing kept
    const others = [
      inputs({ targets: Float64Array.from([0, 0]) }),
      inputs({ subsets: [Int32Array.from([1]), Int32Array.from([0, 1])] }),
      inputs({ subsets: [Int32Array.from([0, 1]), Int32Array.from([0])] }),
      inputs({ rows: { ...inputs().rows, entries: Float64Array.from([0.5, -0.25, 1.5]) } }),
      inputs({ settings: { l2: 0.001, iterations: 301, learningRate: 0.1 } }),
      inputs({ algorithm: 'function* logisticRegressionSteps() { /* changed */ }' }),
    ];
    expect(new Set(others.map(logisticFitKey)).size).toBe(others.length);
    for (const other of others) expect(cache.read(other)).toBeUndefined();
  });

  it('reads a file cut short, grown or of another format as nothing kept', () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-fits-'));
    const cache = logisticFitCacheIn(folder);
    cache.write(inputs(), fits);
    const file = join(folder, `${logisticFitKey(inputs())}.bin`);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 1));
    expect(cache.read(inputs())).toBeUndefined();
    writeFileSync(file, Buffer.concat([whole, Buffer.alloc(8)]));
    expect(cache.read(inputs())).toBeUndefined();
    const other = Buffer.from(whole);
    other[0] = 'C'.charCodeAt(0);
    writeFileSync(file, other);
    expect(cache.read(inputs())).toBeUndefined();
    writeFileSync(file, whole);
    expect(cache.read(inputs())).toHaveLength(2);
  });
});
