import { assignFolds, featureDimension, featureVector, fitModel, predict, readsTokenConfidence, type FeatureSpec, type FittedModel, type LearnerSettings, type Problem, type RunRecord, type SparseVector } from '@confide/core';

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
  const assignment = assignFolds(examples.map((example) => example.problem.id), folds, seed);
  const dimension = featureDimension(spec, readsTokenConfidence(spec, examples.map((example) => example.small)));
  const vectors = examples.map((example) => featureVector(spec, example.problem, example.small));
  onVectors?.(vectors);
  const labels = examples.map((example) => (example.small.grade.correct ? 1 : 0));
  const fitOn = (keep: (index: number) => boolean, fold: number | 'full'): FittedModel => {
    const indices = examples.map((_, index) => index).filter(keep);
    onFit?.(fold, indices.map((index) => examples[index]!.problem.id));
    return fitModel(indices.map((index) => vectors[index]!), indices.map((index) => labels[index]!), dimension, learner);
  };
  const foldModels = Array.from({ length: folds }, (_, fold) => fitOn((index) => assignment.get(examples[index]!.problem.id) !== fold, fold));
  return { folds, seed, assignment: Object.fromEntries(assignment), foldModels, full: fitOn(() => true, 'full') };
}

/** The probability for one problem: from its fold's model when it was in the training data, else from the full model. */
export function crossFittedProbability(fitted: CrossFitted, spec: FeatureSpec, problem: Problem, small: RunRecord | undefined, vector?: SparseVector): number {
  const fold = fitted.assignment[problem.id];
  const model = fold === undefined ? fitted.full : fitted.foldModels[fold]!;
  return predict(model, vector ?? featureVector(spec, problem, small));
}
