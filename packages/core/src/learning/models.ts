import { z } from 'zod';
import { dot, type SparseVector } from './features.js';

/** The two learners, and their settings. */
export const LearnerSettings = z.discriminatedUnion('model', [
  z.strictObject({
    model: z.literal('logistic'),
    /** L2 penalty on the weights (not the bias), per example. */
    l2: z.number().min(0).default(1e-3),
    /** Full-batch gradient steps (Adam); deterministic. */
    iterations: z.number().int().min(1).max(10_000).default(300),
    learningRate: z.number().gt(0).default(0.1),
  }),
  z.strictObject({
    model: z.literal('knn'),
    /** Neighbours by cosine similarity of the feature vectors. */
    k: z.number().int().min(1).max(1000).default(25),
  }),
]);
export type LearnerSettings = z.infer<typeof LearnerSettings>;

/** A fitted model as JSON (a policy file holds it): enough to predict on new problems, exactly as fitted. */
export const FittedModel = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('logistic'), bias: z.number(), weights: z.array(z.number()) }),
  z.strictObject({
    model: z.literal('knn'),
    k: z.number().int().min(1),
    /** The prior: the share of right answers in the training set (smooths a neighbourhood's vote). */
    prior: z.number().min(0).max(1),
    vectors: z.array(z.tuple([z.array(z.number().int().nonnegative()), z.array(z.number())])),
    labels: z.array(z.union([z.literal(0), z.literal(1)])),
  }),
]);
export type FittedModel = z.infer<typeof FittedModel>;

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

/**
 * L2-regularised logistic regression by full-batch Adam on sparse vectors: a small, deterministic implementation
 * (no JavaScript library fits sparse hashed features without pulling in a dense matrix stack). A generator: it yields
 * after each gradient step (the step's number), so a caller can hand the event loop a turn between steps (see
 * `modelFitSteps`); the arithmetic is the same however it is driven.
 */
function* logisticFitSteps(
  vectors: readonly SparseVector[],
  labels: readonly number[],
  dimension: number,
  settings: Extract<LearnerSettings, { model: 'logistic' }>,
): Generator<number, FittedModel, void> {
  const n = vectors.length;
  // the vectors packed once into typed arrays (compressed sparse rows): the same products in the same order as
  // `dot`, without an object per row in the inner loop
  const offsets = new Int32Array(n + 1);
  vectors.forEach((vector, index) => (offsets[index + 1] = offsets[index]! + vector.indices.length));
  const columns = new Int32Array(offsets[n]!);
  const entries = new Float64Array(offsets[n]!);
  vectors.forEach((vector, index) => {
    columns.set(vector.indices, offsets[index]!);
    entries.set(vector.values, offsets[index]!);
  });
  const targets = Float64Array.from(labels);
  const weights = new Float64Array(dimension);
  let bias = 0;
  const m = new Float64Array(dimension + 1);
  const v = new Float64Array(dimension + 1);
  const gradient = new Float64Array(dimension + 1);
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
  for (let step = 1; step <= settings.iterations; step++) {
    gradient.fill(0);
    for (let index = 0; index < n; index++) {
      const start = offsets[index]!;
      const end = offsets[index + 1]!;
      let sum = 0;
      for (let at = start; at < end; at++) sum += entries[at]! * weights[columns[at]!]!;
      const error = sigmoid(sum + bias) - targets[index]!;
      for (let at = start; at < end; at++) gradient[columns[at]!]! += (error * entries[at]!) / n;
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
  return { model: 'logistic', bias, weights: Array.from(weights) };
}

function fitKnn(vectors: readonly SparseVector[], labels: readonly number[], settings: Extract<LearnerSettings, { model: 'knn' }>): FittedModel {
  return {
    model: 'knn',
    k: settings.k,
    prior: labels.length === 0 ? 0.5 : labels.reduce((sum, label) => sum + label, 0) / labels.length,
    vectors: vectors.map((vector) => [vector.indices, vector.values]),
    labels: labels.map((label) => (label === 1 ? 1 : 0)),
  };
}

/**
 * A model's fit as steps: yields after each unit of work (a logistic fit's gradient step; a kNN fit is one step) and
 * returns the fitted model. `fitModel` runs it through; a long fit can be driven with a turn of the event loop between
 * steps instead (progress, Ctrl-C), with the same result.
 */
export function* modelFitSteps(vectors: readonly SparseVector[], labels: readonly number[], dimension: number, settings: LearnerSettings): Generator<number, FittedModel, void> {
  if (settings.model === 'logistic') return yield* logisticFitSteps(vectors, labels, dimension, settings);
  return fitKnn(vectors, labels, settings);
}

/** How many steps `modelFitSteps` yields (for progress). */
export function modelFitStepCount(settings: LearnerSettings): number {
  return settings.model === 'logistic' ? settings.iterations : 0;
}

/** Runs a generator of steps through, returning its result. */
export function runSteps<Result>(steps: Generator<unknown, Result, void>): Result {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export function fitModel(vectors: readonly SparseVector[], labels: readonly number[], dimension: number, settings: LearnerSettings): FittedModel {
  return runSteps(modelFitSteps(vectors, labels, dimension, settings));
}

/**
 * The indices of the `k` vectors most similar to `vector` (cosine: the vectors are L2-normalised), most similar first,
 * ties by index: the neighbourhood a kNN learner votes over.
 */
export function nearestNeighbours(vectors: readonly SparseVector[], vector: SparseVector, k: number): number[] {
  // the query scattered into a dense array: each similarity is then one pass over the candidate's entries (the same
  // products, summed in the same index order, as the sparse merge of `sparseDot`)
  const dense = new Float64Array(vector.indices.length === 0 ? 0 : vector.indices[vector.indices.length - 1]! + 1);
  for (let entry = 0; entry < vector.indices.length; entry++) dense[vector.indices[entry]!] = vector.values[entry]!;
  // the k best so far, most similar first (ties by index): candidates come in index order, so one that only ties the
  // last kept never displaces it — the same neighbours, in the same order, as sorting every candidate
  const keptSimilarity = new Float64Array(Math.min(k, vectors.length));
  const keptIndex = new Int32Array(keptSimilarity.length);
  let kept = 0;
  for (let index = 0; index < vectors.length; index++) {
    const candidate = vectors[index]!;
    let sum = 0;
    for (let entry = 0; entry < candidate.indices.length; entry++) {
      const at = candidate.indices[entry]!;
      if (at < dense.length) sum += candidate.values[entry]! * dense[at]!;
    }
    if (kept === keptSimilarity.length && !(sum > keptSimilarity[kept - 1]!)) continue;
    let position = kept === keptSimilarity.length ? kept - 1 : kept++;
    while (position > 0 && sum > keptSimilarity[position - 1]!) {
      keptSimilarity[position] = keptSimilarity[position - 1]!;
      keptIndex[position] = keptIndex[position - 1]!;
      position--;
    }
    keptSimilarity[position] = sum;
    keptIndex[position] = index;
  }
  return Array.from(keptIndex.subarray(0, kept));
}

/**
 * A neighbourhood's vote: the mean of the neighbours' targets (labels 0/1, or graded scores in [0, 1]) with one
 * pseudo-neighbour at `prior`, which keeps a probability off 0 and 1.
 */
export function neighbourVote(neighbours: readonly number[], targets: ArrayLike<number>, prior: number): number {
  let sum = prior;
  for (const neighbour of neighbours) sum += targets[neighbour]!;
  return sum / (neighbours.length + 1);
}

/** A kNN model's stored vectors as sparse vectors, unpacked once per model (not once per prediction). */
const unpackedVectors = new WeakMap<FittedModel, SparseVector[]>();

/** The predicted probability that the small answer is right. */
export function predict(model: FittedModel, vector: SparseVector): number {
  if (model.model === 'logistic') return sigmoid(dot(vector, model.weights) + model.bias);
  let vectors = unpackedVectors.get(model);
  if (vectors === undefined) {
    vectors = model.vectors.map(([indices, values]) => ({ indices, values }));
    unpackedVectors.set(model, vectors);
  }
  return neighbourVote(nearestNeighbours(vectors, vector, model.k), model.labels, model.prior);
}
