import {
  assignFolds,
  featureDimension,
  featureVector,
  fitLogisticRegressionsInWorker,
  logisticModel,
  LoopTurns,
  modelFitStepCount,
  modelFitSteps,
  packRows,
  predict,
  readsTokenConfidence,
  runSteps,
  type FeatureSpec,
  type FittedModel,
  type LearnerSettings,
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
  return runSteps(crossFitSteps(examples, spec, learner, folds, seed, onFit, onVectors));
}

/**
 * `crossFit` without holding the main thread: a logistic learner's fits (every fold's and the full one) run one after
 * another in a worker thread (`fitLogisticRegressionsInWorker`: the same arithmetic, so the same models), so the
 * caller's other work goes on meanwhile; other learners fit here with a turn of the event loop between steps. Progress
 * as `stage`; a CANCELLED error once `control.signal` is aborted.
 */
export async function crossFitCooperatively(
  examples: readonly TrainingExample[],
  spec: FeatureSpec,
  learner: LearnerSettings,
  folds: number,
  seed: number,
  control: RunControl & { stage: string },
  onVectors?: (vectors: readonly SparseVector[]) => void,
): Promise<CrossFitted> {
  if (learner.model === 'logistic') {
    const { assignment, dimension, vectors, labels } = crossFitInputs(examples, spec, folds, seed);
    onVectors?.(vectors);
    const inFold = (fold: number) => Int32Array.from(examples.keys()).filter((index) => assignment.get(examples[index]!.problem.id) !== fold);
    const subsets = [...Array.from({ length: folds }, (_, fold) => inFold(fold)), Int32Array.from(examples.keys())];
    const fitted = await fitLogisticRegressionsInWorker(packRows(vectors), Float64Array.from(labels), subsets, dimension, learner, control);
    const models = fitted.map(logisticModel);
    return { folds, seed, assignment: Object.fromEntries(assignment), foldModels: models.slice(0, folds), full: models[folds]! };
  }
  const turns = new LoopTurns(control, control.stage, (folds + 1) * modelFitStepCount(learner), 'fitting steps');
  const steps = crossFitSteps(examples, spec, learner, folds, seed, undefined, onVectors);
  for (;;) {
    const next = steps.next();
    if (next.done) {
      turns.finish();
      return next.value;
    }
    await turns.step(next.value);
  }
}

/** What every fit of a cross-fitting shares: the folds by problem id, the feature dimension, each example's vector and label. */
function crossFitInputs(examples: readonly TrainingExample[], spec: FeatureSpec, folds: number, seed: number) {
  const assignment = assignFolds(examples.map((example) => example.problem.id), folds, seed);
  const dimension = featureDimension(spec, readsTokenConfidence(spec, examples.map((example) => example.small)));
  const vectors = examples.map((example) => featureVector(spec, example.problem, example.small));
  const labels = examples.map((example) => (example.small.grade.correct ? 1 : 0));
  return { assignment, dimension, vectors, labels };
}

/** Cross-fitting as steps: yields the number of fitting steps done so far, returns the fitted models. */
function* crossFitSteps(
  examples: readonly TrainingExample[],
  spec: FeatureSpec,
  learner: LearnerSettings,
  folds: number,
  seed: number,
  onFit?: (fold: number | 'full', trainingIds: readonly string[]) => void,
  onVectors?: (vectors: readonly SparseVector[]) => void,
): Generator<number, CrossFitted, void> {
  const { assignment, dimension, vectors, labels } = crossFitInputs(examples, spec, folds, seed);
  onVectors?.(vectors);
  let done = 0;
  function* fitOn(keep: (index: number) => boolean, fold: number | 'full'): Generator<number, FittedModel, void> {
    const indices = examples.map((_, index) => index).filter(keep);
    onFit?.(fold, indices.map((index) => examples[index]!.problem.id));
    const steps = modelFitSteps(indices.map((index) => vectors[index]!), indices.map((index) => labels[index]!), dimension, learner);
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      yield ++done;
    }
  }
  const foldModels: FittedModel[] = [];
  for (let fold = 0; fold < folds; fold++) foldModels.push(yield* fitOn((index) => assignment.get(examples[index]!.problem.id) !== fold, fold));
  const full = yield* fitOn(() => true, 'full');
  return { folds, seed, assignment: Object.fromEntries(assignment), foldModels, full };
}

/** The probability for one problem: from its fold's model when it was in the training data, else from the full model. */
export function crossFittedProbability(fitted: CrossFitted, spec: FeatureSpec, problem: Problem, small: RunRecord | undefined, vector?: SparseVector): number {
  const fold = fitted.assignment[problem.id];
  const model = fold === undefined ? fitted.full : fitted.foldModels[fold]!;
  return predict(model, vector ?? featureVector(spec, problem, small));
}
