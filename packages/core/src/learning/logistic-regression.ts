import { Worker } from 'node:worker_threads';
import { ConfideError } from '../errors.js';
import type { RunControl } from '../loop-turns.js';
import type { SparseVector } from './features.js';

/** Sparse vectors packed into typed arrays (compressed sparse rows): row r's entries are offsets[r] … offsets[r + 1] − 1. */
export interface PackedRows {
  offsets: Int32Array;
  columns: Int32Array;
  entries: Float64Array;
}

/** The vectors packed once, in order. */
export function packRows(vectors: readonly SparseVector[]): PackedRows {
  const offsets = new Int32Array(vectors.length + 1);
  vectors.forEach((vector, index) => (offsets[index + 1] = offsets[index]! + vector.indices.length));
  const columns = new Int32Array(offsets[vectors.length]!);
  const entries = new Float64Array(offsets[vectors.length]!);
  vectors.forEach((vector, index) => {
    columns.set(vector.indices, offsets[index]!);
    entries.set(vector.values, offsets[index]!);
  });
  return { offsets, columns, entries };
}

/** The fitting settings of L2-regularised logistic regression by full-batch Adam. */
export interface LogisticFitSettings {
  l2: number;
  iterations: number;
  learningRate: number;
}

/** A fitted logistic regression: a weight per feature and the bias. */
export interface LogisticCoefficients {
  weights: Float64Array;
  bias: number;
}

/**
 * L2-regularised logistic regression by full-batch Adam on the packed rows `subset` (in that order) against `targets`
 * (by row): a small, deterministic implementation (no JavaScript library fits sparse hashed features without a dense
 * matrix stack). A generator that yields after each gradient step (its number) and returns the coefficients, so a
 * caller can hand the event loop a turn between steps; the arithmetic is the same however it is driven.
 *
 * Self-contained on purpose — no reference outside its own body, no inner function — because a worker thread runs
 * this very function from its source text (`fitLogisticRegressionsInWorker`).
 */
export function* logisticRegressionSteps(
  rows: PackedRows,
  targets: Float64Array,
  subset: Int32Array,
  dimension: number,
  settings: LogisticFitSettings,
): Generator<number, LogisticCoefficients, void> {
  const { offsets, columns, entries } = rows;
  const n = subset.length;
  const weights = new Float64Array(dimension);
  let bias = 0;
  const m = new Float64Array(dimension + 1);
  const v = new Float64Array(dimension + 1);
  const gradient = new Float64Array(dimension + 1);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const epsilon = 1e-8;
  for (let step = 1; step <= settings.iterations; step++) {
    gradient.fill(0);
    for (let position = 0; position < n; position++) {
      const row = subset[position]!;
      const start = offsets[row]!;
      const end = offsets[row + 1]!;
      // Both loops over the row's entries are unrolled by four: the same operations in the same order (so the same
      // bits), with a quarter of the loop tests — the fit takes about 0.63 of the time it took rolled.
      let sum = 0;
      let at = start;
      for (; at + 3 < end; at += 4) {
        sum += entries[at]! * weights[columns[at]!]!;
        sum += entries[at + 1]! * weights[columns[at + 1]!]!;
        sum += entries[at + 2]! * weights[columns[at + 2]!]!;
        sum += entries[at + 3]! * weights[columns[at + 3]!]!;
      }
      for (; at < end; at++) sum += entries[at]! * weights[columns[at]!]!;
      const error = 1 / (1 + Math.exp(-(sum + bias))) - targets[row]!;
      for (at = start; at + 3 < end; at += 4) {
        gradient[columns[at]!]! += (error * entries[at]!) / n;
        gradient[columns[at + 1]!]! += (error * entries[at + 1]!) / n;
        gradient[columns[at + 2]!]! += (error * entries[at + 2]!) / n;
        gradient[columns[at + 3]!]! += (error * entries[at + 3]!) / n;
      }
      for (; at < end; at++) gradient[columns[at]!]! += (error * entries[at]!) / n;
      gradient[dimension]! += error / n;
    }
    for (let j = 0; j < dimension; j++) gradient[j]! += settings.l2 * weights[j]!;
    const correction1 = 1 - beta1 ** step;
    const correction2 = 1 - beta2 ** step;
    for (let j = 0; j <= dimension; j++) {
      const g = gradient[j]!;
      if (g === 0 && m[j] === 0) continue;
      m[j] = beta1 * m[j]! + (1 - beta1) * g;
      v[j] = beta2 * v[j]! + (1 - beta2) * g * g;
      const update = (settings.learningRate * (m[j]! / correction1)) / (Math.sqrt(v[j]! / correction2) + epsilon);
      if (j === dimension) bias -= update;
      else weights[j]! -= update;
    }
    yield step;
  }
  return { weights, bias };
}

/**
 * Everything a set of logistic fits depends on: the packed rows, the targets, each fit's rows, the dimension, the
 * settings, and the code that fits (`algorithm`: the fitting worker's program, `logisticRegressionSteps` included).
 */
export interface LogisticFitInputs {
  rows: PackedRows;
  targets: Float64Array;
  subsets: readonly Int32Array[];
  dimension: number;
  settings: LogisticFitSettings;
  algorithm: string;
}

/**
 * Fits kept between runs: `read` gives the coefficients of inputs fitted before (undefined when none are kept), and
 * `write` keeps them. A fit is a function of its inputs, so what `read` gives is what fitting again would: an ablation
 * run again on the same data (other thresholds, other guarantees) reads its learned routers' fits instead of paying
 * for them twice. The data package keeps them in files (`logisticFitCacheIn`).
 */
export interface LogisticFitCache {
  read(inputs: LogisticFitInputs): LogisticCoefficients[] | undefined;
  write(inputs: LogisticFitInputs, fits: readonly LogisticCoefficients[]): void;
}

/** What the fitting worker posts: progress (steps of one fit) and each fit's coefficients, in order. */
type WorkerMessage = { kind: 'progress'; fit: number; step: number } | { kind: 'fitted'; fit: number; weights: Float64Array; bias: number };

/** The worker's program: `logisticRegressionSteps` from its own source, run over every subset in turn. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const steps = (${logisticRegressionSteps.toString()});
parentPort.once('message', ({ rows, targets, subsets, dimension, settings }) => {
// a warm-up on the first rows: every path of a step runs before the first long fit is compiled mid-loop, so the
// optimising compiler takes each loop once instead of again for each path it had not seen (results are discarded)
{
  const warm = steps(rows, targets, subsets[0].subarray(0, 8), dimension, { ...settings, iterations: 3 });
  while (!warm.next().done);
}
let reported = 0;
for (let fit = 0; fit < subsets.length; fit++) {
  const run = steps(rows, targets, subsets[fit], dimension, settings);
  for (;;) {
    const next = run.next();
    if (next.done) {
      parentPort.postMessage({ kind: 'fitted', fit, weights: next.value.weights, bias: next.value.bias }, [next.value.weights.buffer]);
      break;
    }
    if (Date.now() - reported >= 100) {
      reported = Date.now();
      parentPort.postMessage({ kind: 'progress', fit, step: next.value });
    }
  }
}
});
`;

/** A fitting worker started ahead (`startLogisticFitWorker`), waiting for the next fit; null when none waits. */
let spareFitWorker: Worker | null = null;

/** A fitting worker: it waits for one message with the rows, targets, subsets, dimension and settings. */
function newFitWorker(): Worker {
  return new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
}

/**
 * Starts a fitting worker now, so that the next `fitLogisticRegressionsInWorker` finds one started (a worker thread
 * takes about 30 ms to start): a command that will fit calls it at launch, while the second core is otherwise idle. It
 * does not keep the process alive while it waits; one that fails before it is taken is dropped.
 */
export function startLogisticFitWorker(): void {
  if (spareFitWorker !== null) return;
  const worker = newFitWorker();
  const drop = () => {
    if (spareFitWorker === worker) spareFitWorker = null;
  };
  worker.once('error', drop);
  worker.once('exit', drop);
  worker.unref();
  spareFitWorker = worker;
}

/** The worker started ahead, if one waits (taken: the next fit starts its own), else a new one; it keeps the process alive. */
function fitWorker(): Worker {
  const spare = spareFitWorker;
  spareFitWorker = null;
  if (spare === null) return newFitWorker();
  spare.removeAllListeners('error');
  spare.removeAllListeners('exit');
  spare.ref();
  return spare;
}

/**
 * Several logistic regressions on subsets of the same rows (cross-fitting's folds and the full fit), fitted one after
 * another in a worker thread, so the main thread goes on with other work meanwhile (on a second core): the same
 * arithmetic, so the same coefficients, as `logisticRegressionSteps` in this thread. Progress counts steps over all
 * fits (`control.onProgress` with `stage`); an aborted signal stops the worker and rejects with CANCELLED. With a
 * `cache`, fits it keeps for these very inputs are read instead (progress says they are done), and new ones are kept
 * there (a cache that cannot keep them costs the next run a fit, nothing else).
 */
export async function fitLogisticRegressionsInWorker(
  rows: PackedRows,
  targets: Float64Array,
  subsets: readonly Int32Array[],
  dimension: number,
  settings: LogisticFitSettings,
  control: RunControl & { stage: string },
  cache?: LogisticFitCache,
): Promise<LogisticCoefficients[]> {
  const total = subsets.length * settings.iterations;
  if (control.signal?.aborted) throw new ConfideError('CANCELLED', `${control.stage} cancelled before it started`);
  if (subsets.length === 0) return [];
  const inputs: LogisticFitInputs = { rows, targets, subsets, dimension, settings: { l2: settings.l2, iterations: settings.iterations, learningRate: settings.learningRate }, algorithm: WORKER_SOURCE };
  let kept: LogisticCoefficients[] | undefined;
  try {
    kept = cache?.read(inputs);
  } catch {
    // a cache that cannot be read is one that keeps nothing: the fits are fitted
  }
  if (kept !== undefined) {
    control.onProgress?.({ stage: control.stage, done: total, total });
    return kept;
  }
  const fitted = await fitInWorker(inputs, control);
  try {
    cache?.write(inputs, fitted);
  } catch {
    // a cache that cannot keep the fits (a full disk, a folder not writable) costs the next run a fit, nothing else
  }
  return fitted;
}

/** `fitLogisticRegressionsInWorker`'s fitting: every subset in turn, in one worker thread. */
function fitInWorker(inputs: LogisticFitInputs, control: RunControl & { stage: string }): Promise<LogisticCoefficients[]> {
  const { rows, targets, subsets, dimension, settings } = inputs;
  const total = subsets.length * settings.iterations;
  return new Promise((resolve, reject) => {
    const fitted: LogisticCoefficients[] = [];
    const worker = fitWorker();
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      control.signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = () => {
      void worker.terminate();
      settle(() => reject(new ConfideError('CANCELLED', `${control.stage} cancelled after ${fitted.length} of ${subsets.length} fits`)));
    };
    control.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'progress') {
        control.onProgress?.({ stage: control.stage, done: message.fit * settings.iterations + message.step, total });
        return;
      }
      fitted.push({ weights: message.weights, bias: message.bias });
      if (fitted.length === subsets.length) {
        control.onProgress?.({ stage: control.stage, done: total, total });
        void worker.terminate();
        settle(() => resolve(fitted));
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new ConfideError('SUBPROCESS_FAILED', `${control.stage}: the fitting worker exited (code ${code}) after ${fitted.length} of ${subsets.length} fits`))));
    worker.postMessage({ rows, targets, subsets, dimension, settings });
  });
}
