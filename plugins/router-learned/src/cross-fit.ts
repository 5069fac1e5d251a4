import {
  assignFolds,
  crossFittedNeighbourVotes,
  featureDimension,
  featureVector,
  fitLogisticRegressionsInWorker,
  fitModel,
  logisticModel,
  packRows,
  predict,
  readsTokenConfidence,
  type FeatureSpec,
  type FittedModel,
  type LearnerSettings,
  type LogisticFitCache,
  type Problem,
  type RunControl,
  type RunRecord,
  type SparseVector,
} from '@confide/core';

/** What cross-fitting produces: one model per fold (fitted without that fold), one on everything, and the assignment. */
export interface CrossFitted {
  folds: number;
  seed: number;
  /** Problem id → its fold: the model of that fold never saw the problem. */
  assignment: Record<string, number>;
  foldModels: FittedModel[];
  /** For problems outside the training data. */
  full: FittedModel;
}

export interface TrainingExample {
  problem: Problem;
  small: RunRecord;
}

/**
 * k-fold cross-fitting: the model of fold f is fitted on the examples of every other fold, so the probability it
 * gives a problem of fold f comes from a model that did not see it; the full model is fitted on all of them.
 * `onFit` sees each fold's training ids (the test checks by construction that a fold never trains on itself).
 */
export function crossFit(
  examples: readonly TrainingExample[],
  spec: FeatureSpec,
  learner: LearnerSettings,
  folds: number,
  seed: number,
  onFit?: (fold: number | 'full', trainingIds: readonly string[]) => void,
  onVectors?: (vectors: readonly SparseVector[]) => void,
): CrossFitted {
  const { assignment, dimension, vectors, labels, trainingSets } = crossFitInputs(examples, spec, folds, seed);
  onVectors?.(vectors);
  const models = trainingSets.map((rows, fit) => {
    onFit?.(fit === folds ? 'full' : fit, Array.from(rows, (row) => examples[row]!.problem.id));
    return fitModel(Array.from(rows, (row) => vectors[row]!), Array.from(rows, (row) => labels[row]!), dimension, learner);
  });
  return { folds, seed, assignment: Object.fromEntries(assignment), foldModels: models.slice(0, folds), full: models[folds]! };
}

/**
 * `crossFit` without holding the main thread: a logistic learner's fits (every fold's and the full one) run one after
 * another in a worker thread (`fitLogisticRegressionsInWorker`: the same arithmetic, so the same models), so the
 * caller's other work goes on meanwhile, with progress as `stage` and a CANCELLED error once `control.signal` is
 * aborted; with a `cache`, fits of the very same inputs kept there are read instead. A kNN learner has nothing to fit
 * (it keeps its examples): `crossFit` here.
 */
export async function crossFitCooperatively(
  examples: readonly TrainingExample[],
  spec: FeatureSpec,
  learner: LearnerSettings,
  folds: number,
  seed: number,
  control: RunControl & { stage: string },
  onVectors?: (vectors: readonly SparseVector[]) => void,
  cache?: LogisticFitCache,
): Promise<CrossFitted> {
  if (learner.model !== 'logistic') return crossFit(examples, spec, learner, folds, seed, undefined, onVectors);
  const { assignment, dimension, vectors, labels, trainingSets } = crossFitInputs(examples, spec, folds, seed);
  onVectors?.(vectors);
  const fitted = await fitLogisticRegressionsInWorker(packRows(vectors), Float64Array.from(labels), trainingSets, dimension, learner, control, cache);
  const models = fitted.map(logisticModel);
  return { folds, seed, assignment: Object.fromEntries(assignment), foldModels: models.slice(0, folds), full: models[folds]! };
}

/** What a learner fits to: 1 when the small answer is right, else 0. */
function exampleLabel(example: TrainingExample): number {
  return example.small.grade.correct ? 1 : 0;
}

/**
 * Feature vectors computed in this process, by problem, then small answer, then feature spec (as JSON): routers that
 * fit on the same pair with the same features (a logistic and a kNN router of one ablation) compute each vector once
 * and share it (a vector is only read, never changed).
 */
const computedVectors = new WeakMap<Problem, WeakMap<RunRecord, Map<string, SparseVector>>>();

/** The examples' feature vectors, in order: each computed once per problem, answer and spec. */
function exampleVectors(examples: readonly TrainingExample[], spec: FeatureSpec): SparseVector[] {
  const specKey = JSON.stringify(spec);
  return examples.map(({ problem, small }) => {
    let byAnswer = computedVectors.get(problem);
    if (byAnswer === undefined) computedVectors.set(problem, (byAnswer = new WeakMap()));
    let bySpec = byAnswer.get(small);
    if (bySpec === undefined) byAnswer.set(small, (bySpec = new Map()));
    let vector = bySpec.get(specKey);
    if (vector === undefined) bySpec.set(specKey, (vector = featureVector(spec, problem, small)));
    return vector;
  });
}

/**
 * What every fit of a cross-fitting shares: the folds by problem id, the feature dimension, each example's vector and
 * label, and the training rows of each fit — fold f's model on every example outside fold f, then the full model on all.
 */
function crossFitInputs(examples: readonly TrainingExample[], spec: FeatureSpec, folds: number, seed: number) {
  const assignment = assignFolds(examples.map((example) => example.problem.id), folds, seed);
  const dimension = featureDimension(spec, readsTokenConfidence(spec, examples.map((example) => example.small)));
  const vectors = exampleVectors(examples, spec);
  const labels = examples.map(exampleLabel);
  const everyRow = Int32Array.from(examples.keys());
  const outsideFold = (fold: number) => everyRow.filter((row) => assignment.get(examples[row]!.problem.id) !== fold);
  const trainingSets = [...Array.from({ length: folds }, (_, fold) => outsideFold(fold)), everyRow];
  return { assignment, dimension, vectors, labels, trainingSets };
}

/** The probability for one problem: from its fold's model when it was in the training data, else from the full model. */
export function crossFittedProbability(fitted: CrossFitted, spec: FeatureSpec, problem: Problem, small: RunRecord | undefined, vector?: SparseVector): number {
  const fold = fitted.assignment[problem.id];
  const model = fold === undefined ? fitted.full : fitted.foldModels[fold]!;
  return predict(model, vector ?? featureVector(spec, problem, small));
}

/**
 * Every training example's cross-fitted probability (its fold's model), from the fit's own vectors, in the examples'
 * order: a kNN learner's all at once (`crossFittedNeighbourVotes`: the same votes as predicting one by one), a logistic
 * one's one by one.
 */
export function crossFittedProbabilities(fitted: CrossFitted, spec: FeatureSpec, examples: readonly TrainingExample[], vectors: readonly SparseVector[]): Float64Array {
  const models = fitted.foldModels;
  if (models.every((model) => model.model === 'knn')) {
    const foldOf = Int32Array.from(examples, (example) => fitted.assignment[example.problem.id]!);
    const priors = models.map((model) => (model.model === 'knn' ? model.prior : 0));
    return crossFittedNeighbourVotes(vectors, examples.map(exampleLabel), foldOf, priors, models[0]!.k);
  }
  return Float64Array.from(examples, (example, index) => crossFittedProbability(fitted, spec, example.problem, example.small, vectors[index]));
}
