import { describe, expect, it } from 'vitest';
import { createRandom } from '../seeded-random.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fitLogisticRegressionsInWorker, logisticRegressionSteps, packRows, startLogisticFitWorker, type LogisticCoefficients, type LogisticFitCache, type LogisticFitInputs } from './logistic-regression.js';

/** 80 sparse rows over 40 columns, labelled by the sign of a hidden weighting (with noise). */
function data() {
  const random = createRandom(11);
  const vectors = Array.from({ length: 80 }, () => {
    const indices = [...new Set(Array.from({ length: 6 }, () => Math.floor(random() * 40)))].sort((a, b) => a - b);
    return { indices, values: indices.map(() => random() - 0.5) };
  });
  const targets = Float64Array.from(vectors, (vector) => (vector.indices.reduce((sum, column, at) => sum + (column % 3) * vector.values[at]!, 0) + 0.2 * (random() - 0.5) > 0 ? 1 : 0));
  return { rows: packRows(vectors), targets };
}

function inThisThread(rows: ReturnType<typeof packRows>, targets: Float64Array, subset: Int32Array, settings: { l2: number; iterations: number; learningRate: number }): LogisticCoefficients {
  const steps = logisticRegressionSteps(rows, targets, subset, 40, settings);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

describe('logistic regression in a worker thread', () => {
  const settings = { l2: 1e-3, iterations: 60, learningRate: 0.1 };

  it('gives every subset the coefficients this thread gives it, bit for bit, and reports progress up to the end', async () => {
    const { rows, targets } = data();
    const subsets = [Int32Array.from({ length: 80 }, (_, row) => row).filter((row) => row % 4 !== 1), Int32Array.from({ length: 80 }, (_, row) => row)];
    const progress: number[] = [];
    const fitted = await fitLogisticRegressionsInWorker(rows, targets, subsets, 40, settings, { stage: 'fit', onProgress: ({ done, total }) => (expect(total).toBe(120), progress.push(done)) });
    expect(fitted).toHaveLength(2);
    subsets.forEach((subset, fit) => expect(fitted[fit]).toEqual(inThisThread(rows, targets, subset, settings)));
    expect(progress.at(-1)).toBe(120);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    // the fit learned something: most training rows on the right side
    const { weights, bias } = fitted[1]!;
    let right = 0;
    for (let row = 0; row < 80; row++) {
      let sum = bias;
      for (let at = rows.offsets[row]!; at < rows.offsets[row + 1]!; at++) sum += rows.entries[at]! * weights[rows.columns[at]!]!;
      if ((sum > 0 ? 1 : 0) === targets[row]) right++;
    }
    expect(right).toBeGreaterThan(60);
  });

  it('reads the fits a cache keeps for the very same inputs instead of fitting, and keeps the fits it makes', async () => {
    const { rows, targets } = data();
    const subsets = [Int32Array.from({ length: 80 }, (_, row) => row)];
    const kept = new Map<string, LogisticCoefficients[]>();
    const asked: LogisticFitInputs[] = [];
    const cache: LogisticFitCache = {
      read: (inputs) => (asked.push(inputs), kept.get(`${inputs.algorithm.length}:${inputs.settings.iterations}`)),
      write: (inputs, fits) => kept.set(`${inputs.algorithm.length}:${inputs.settings.iterations}`, [...fits]),
    };
    const fitted = await fitLogisticRegressionsInWorker(rows, targets, subsets, 40, settings, { stage: 'fit' }, cache);
    expect(fitted[0]).toEqual(inThisThread(rows, targets, subsets[0]!, settings));
    expect(asked[0]).toMatchObject({ rows, targets, subsets, dimension: 40, settings });
    expect(asked[0]!.algorithm).toContain('function* logisticRegressionSteps');
    expect(kept.size).toBe(1);
    // kept: read back (the very arrays the cache holds: no worker ran), with progress saying the fits are done
    const progress: Array<[number, number]> = [];
    const again = await fitLogisticRegressionsInWorker(rows, targets, subsets, 40, settings, { stage: 'fit', onProgress: ({ done, total }) => progress.push([done, total]) }, cache);
    expect(again).toBe([...kept.values()][0]);
    expect(progress).toEqual([[60, 60]]);
  });

  it('fits as without a cache when the cache can neither read nor keep fits', async () => {
    const { rows, targets } = data();
    const subsets = [Int32Array.from({ length: 80 }, (_, row) => row)];
    const broken: LogisticFitCache = {
      read: () => {
        throw new Error('unreadable');
      },
      write: () => {
        throw new Error('disk full');
      },
    };
    expect(await fitLogisticRegressionsInWorker(rows, targets, subsets, 40, settings, { stage: 'fit' }, broken)).toEqual([inThisThread(rows, targets, subsets[0]!, settings)]);
  });

  it('fits in a worker started ahead (startLogisticFitWorker) as in a new one, and starts a new one for the fit after', async () => {
    const { rows, targets } = data();
    const subsets = [Int32Array.from({ length: 80 }, (_, row) => row).filter((row) => row % 3 !== 0)];
    startLogisticFitWorker();
    const [ahead, after] = [await fitLogisticRegressionsInWorker(rows, targets, subsets, 40, settings, { stage: 'fit' }), await fitLogisticRegressionsInWorker(rows, targets, subsets, 40, settings, { stage: 'fit' })];
    expect(ahead).toEqual([inThisThread(rows, targets, subsets[0]!, settings)]);
    expect(after).toEqual(ahead);
  });

  it('does not keep a process alive with a worker started ahead and never used', () => {
    const script = `const { startLogisticFitWorker } = await import(${JSON.stringify(fileURLToPath(new URL('./logistic-regression.ts', import.meta.url)))}); startLogisticFitWorker(); console.log('started');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull(); // not killed at the timeout
    expect(child.stdout).toBe('started\n');
  });

  it('stops on an abort with CANCELLED, and refuses to start when already aborted', async () => {
    const { rows, targets } = data();
    const controller = new AbortController();
    const fit = fitLogisticRegressionsInWorker(rows, targets, [Int32Array.from({ length: 80 }, (_, row) => row)], 40, { ...settings, iterations: 100_000 }, { stage: 'fit', signal: controller.signal });
    controller.abort();
    await expect(fit).rejects.toMatchObject({ code: 'CANCELLED', message: 'fit cancelled after 0 of 1 fits' });
    await expect(fitLogisticRegressionsInWorker(rows, targets, [], 40, settings, { stage: 'fit', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

/** Full-batch Adam written plainly, one entry at a time: what the unrolled loops of `logisticRegressionSteps` must equal. */
function plainAdam(rows: ReturnType<typeof packRows>, targets: Float64Array, subset: Int32Array, dimension: number, settings: { l2: number; iterations: number; learningRate: number }): LogisticCoefficients {
  const n = subset.length;
  const weights = new Float64Array(dimension);
  let bias = 0;
  const [m, v, gradient] = [new Float64Array(dimension + 1), new Float64Array(dimension + 1), new Float64Array(dimension + 1)];
  for (let step = 1; step <= settings.iterations; step++) {
    gradient.fill(0);
    for (const row of subset) {
      let sum = 0;
      for (let at = rows.offsets[row]!; at < rows.offsets[row + 1]!; at++) sum += rows.entries[at]! * weights[rows.columns[at]!]!;
      const error = 1 / (1 + Math.exp(-(sum + bias))) - targets[row]!;
      for (let at = rows.offsets[row]!; at < rows.offsets[row + 1]!; at++) gradient[rows.columns[at]!]! += (error * rows.entries[at]!) / n;
      gradient[dimension]! += error / n;
    }
    for (let j = 0; j < dimension; j++) gradient[j]! += settings.l2 * weights[j]!;
    for (let j = 0; j <= dimension; j++) {
      if (gradient[j] === 0 && m[j] === 0) continue;
      m[j] = 0.9 * m[j]! + (1 - 0.9) * gradient[j]!;
      v[j] = 0.999 * v[j]! + (1 - 0.999) * gradient[j]! * gradient[j]!;
      const update = (settings.learningRate * (m[j]! / (1 - 0.9 ** step))) / (Math.sqrt(v[j]! / (1 - 0.999 ** step)) + 1e-8);
      if (j === dimension) bias -= update;
      else weights[j]! -= update;
    }
  }
  return { weights, bias };
}

describe('logisticRegressionSteps', () => {
  it('gives, bit for bit, what Adam written plainly gives, on rows of every length from 0 to 13 entries', () => {
    const random = createRandom(5);
    const vectors = Array.from({ length: 70 }, (_, index) => {
      const indices = [...new Set(Array.from({ length: index % 14 }, () => Math.floor(random() * 50)))].sort((a, b) => a - b);
      return { indices, values: indices.map(() => random() * 2 - 1) };
    });
    const rows = packRows(vectors);
    const targets = Float64Array.from(vectors, () => (random() < 0.4 ? 1 : 0));
    const settings = { l2: 1e-3, iterations: 40, learningRate: 0.1 };
    for (const subset of [Int32Array.from(vectors.keys()), Int32Array.from(vectors.keys()).filter((row) => row % 3 !== 0)]) {
      const steps = logisticRegressionSteps(rows, targets, subset, 50, settings);
      let next = steps.next();
      while (!next.done) next = steps.next();
      const plain = plainAdam(rows, targets, subset, 50, settings);
      expect(Array.from(next.value.weights)).toEqual(Array.from(plain.weights));
      expect(next.value.bias).toBe(plain.bias);
    }
  });
});
