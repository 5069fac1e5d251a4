import { z } from 'zod';
import { dot, type SparseVector } from './features.js';
import { runSteps } from '../loop-turns.js';
import { logisticRegressionSteps, packRows, type LogisticCoefficients } from './logistic-regression.js';

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

/** A fitted logistic regression as a model (what a policy file holds). */
export function logisticModel(coefficients: LogisticCoefficients): FittedModel {
  return { model: 'logistic', bias: coefficients.bias, weights: Array.from(coefficients.weights) };
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

export function fitModel(vectors: readonly SparseVector[], labels: readonly number[], dimension: number, settings: LearnerSettings): FittedModel {
  if (settings.model === 'knn') return fitKnn(vectors, labels, settings);
  return logisticModel(runSteps(logisticRegressionSteps(packRows(vectors), Float64Array.from(labels), Int32Array.from(vectors.keys()), dimension, settings)));
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
    kept = keepAmongBest(keptSimilarity, keptIndex, kept, keptSimilarity.length, sum, index);
  }
  return Array.from(keptIndex.subarray(0, kept));
}

/**
 * Offers a candidate (its similarity and index) to the best `kept` so far, most similar first, holding at most
 * `capacity`: it goes in after every one at least as similar (candidates come in index order, so ties stay by index)
 * or is left out; returns how many are kept now. The rule both neighbour searches share.
 */
function keepAmongBest(keptSimilarity: Float64Array, keptIndex: Int32Array, kept: number, capacity: number, similarity: number, index: number): number {
  if (kept === capacity && !(similarity > keptSimilarity[kept - 1]!)) return kept;
  const count = kept === capacity ? kept : kept + 1;
  let position = count - 1;
  while (position > 0 && similarity > keptSimilarity[position - 1]!) {
    keptSimilarity[position] = keptSimilarity[position - 1]!;
    keptIndex[position] = keptIndex[position - 1]!;
    position--;
  }
  keptSimilarity[position] = similarity;
  keptIndex[position] = index;
  return count;
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

/**
 * Every example's kNN probability from the model of its own fold — the k nearest among the examples of the other folds
 * (`foldOf[row]`: each example's fold; `priors[fold]`: that fold's model prior) — all at once, bit for bit what
 * `predict` gives with each fold's model: a similarity is the same products summed in the same (ascending feature)
 * order, here gathered through an index of the examples holding each feature, so a query touches only the entries it
 * shares with a candidate instead of every candidate's entries; the same neighbours in the same order, the same vote.
 * The vectors' indices must be ascending and unique, as `featureVector` writes them (with a repeated index `predict`
 * keeps one value where the postings would add both).
 */
export function crossFittedNeighbourVotes(vectors: readonly SparseVector[], targets: ArrayLike<number>, foldOf: Int32Array, priors: ArrayLike<number>, k: number): Float64Array {
  const n = vectors.length;
  // the postings: for each feature, the examples holding it (ascending) and their values
  let width = 0;
  for (const vector of vectors) if (vector.indices.length > 0) width = Math.max(width, vector.indices[vector.indices.length - 1]! + 1);
  const starts = new Int32Array(width + 1);
  for (const vector of vectors) for (const index of vector.indices) starts[index + 1]!++;
  for (let feature = 0; feature < width; feature++) starts[feature + 1]! += starts[feature]!;
  const filled = starts.slice(0, width);
  const postingRows = new Int32Array(starts[width]!);
  const postingValues = new Float64Array(starts[width]!);
  vectors.forEach((vector, row) => {
    for (let entry = 0; entry < vector.indices.length; entry++) {
      const at = filled[vector.indices[entry]!]!++;
      postingRows[at] = row;
      postingValues[at] = vector.values[entry]!;
    }
  });
  const foldSizes = new Int32Array(priors.length);
  for (let row = 0; row < n; row++) foldSizes[foldOf[row]!]!++;
  const similarity = new Float64Array(n);
  const keptSimilarity = new Float64Array(k);
  const keptIndex = new Int32Array(k);
  const votes = new Float64Array(n);
  for (let query = 0; query < n; query++) {
    const vector = vectors[query]!;
    const fold = foldOf[query]!;
    similarity.fill(0);
    for (let entry = 0; entry < vector.indices.length; entry++) {
      const feature = vector.indices[entry]!;
      const value = vector.values[entry]!;
      // unrolled by four (each posting is another row: the same additions in the same order), about half the time
      let at = starts[feature]!;
      const end = starts[feature + 1]!;
      for (; at + 3 < end; at += 4) {
        similarity[postingRows[at]!]! += postingValues[at]! * value;
        similarity[postingRows[at + 1]!]! += postingValues[at + 1]! * value;
        similarity[postingRows[at + 2]!]! += postingValues[at + 2]! * value;
        similarity[postingRows[at + 3]!]! += postingValues[at + 3]! * value;
      }
      for (; at < end; at++) similarity[postingRows[at]!]! += postingValues[at]! * value;
    }
    // the fold model's candidates are the other folds' examples in row order, offered as nearestNeighbours offers its own
    const capacity = Math.min(k, n - foldSizes[fold]!);
    let kept = 0;
    for (let row = 0; row < n; row++) {
      if (foldOf[row] === fold) continue;
      kept = keepAmongBest(keptSimilarity, keptIndex, kept, capacity, similarity[row]!, row);
    }
    votes[query] = neighbourVote(Array.from(keptIndex.subarray(0, kept)), targets, priors[fold]!);
  }
  return votes;
}
