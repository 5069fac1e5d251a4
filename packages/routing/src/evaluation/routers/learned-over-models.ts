import {
  assignFolds,
  FeatureSpec,
  featureDimension,
  featureVector,
  fitModel,
  InvalidInputError,
  LearnerSettings,
  nearestNeighbours,
  neighbourVote,
  predict,
  type Problem,
  type SparseVector,
} from '@confide/core';
import { COST_UNITS_PER_USD, type ModelOutcomeTable } from '../outcome-table.js';
import { chosenModelResult, modelChoices, type ColumnRouterResult, type ModelChoices } from './router-result.js';

/**
 * The learned router over K models (issue 23): it decides before generation, from the problem alone (the question's
 * hashed words and character n-grams, its subject and level: core's `featureVector` without answer features), so only
 * the chosen model is called and paid. Per model, a predicted score comes from cross-fitting: the problems are dealt
 * into folds (core's `assignFolds`), and a problem's prediction comes from a learner fitted on the other folds only.
 * The router takes the model with the best predicted score minus λ × the model's mean cost per problem on the
 * training folds; λ is swept on a log grid from 0 (the best predicted score) up to where the cheapest model is always
 * chosen.
 */
export interface LearnedOverModelsOptions {
  /** Problem features (answer features are never read: the router decides before any answer exists). */
  features?: Omit<Partial<FeatureSpec>, 'answer'>;
  /** Default kNN (k = 25): its neighbourhoods are found once per problem and read for every model. */
  learner?: LearnerSettings;
  folds?: number;
  seed?: number;
  /** Positive λ values on the log grid (0 comes first, beside them). Default 24. */
  lambdaSteps?: number;
}

export const LEARNED_OVER_MODELS_DEFAULTS = { folds: 5, seed: 0, lambdaSteps: 24, learner: { model: 'knn', k: 25 } as LearnerSettings };

/** The cross-fitted predictions: what the router's choices at every λ are made of. */
export interface CrossFittedModelScores {
  folds: number;
  seed: number;
  learner: LearnerSettings;
  features: FeatureSpec;
  /** Per problem (table order), its fold. */
  foldOf: Uint8Array;
  /** `predicted[model][problem]`: the problem's predicted score, from a learner fitted without the problem's fold. */
  predicted: Float64Array[];
  /** `trainingCostUsd[fold][model]`: the model's mean cost per problem over the problems outside `fold`. */
  trainingCostUsd: Float64Array[];
}

/** The problems of the table's rows, by id; fails naming a row whose problem is missing. */
function problemsOfRows(table: ModelOutcomeTable, problems: readonly Problem[]): Problem[] {
  const byId = new Map(problems.map((problem) => [problem.id, problem]));
  return table.problemIds.map((id) => {
    const problem = byId.get(id);
    if (problem === undefined) throw new InvalidInputError({ field: 'problems', problem: `the learned router reads each problem's question; problem "${id}" is not among the ${problems.length} given` });
    return problem;
  });
}

/**
 * Per model, each problem's predicted score from a learner fitted on the other folds (`onFit` sees each fold's
 * training rows: a fold never trains on itself), and each fold's training mean costs. kNN votes the neighbours' graded
 * scores with one pseudo-neighbour at the model's training mean; logistic regression fits the graded scores as soft
 * labels (one fit per model and fold).
 */
export function crossFitModelScores(
  table: ModelOutcomeTable,
  problems: readonly Problem[],
  options: LearnedOverModelsOptions = {},
  onFit?: (fold: number, trainingRows: readonly number[]) => void,
): CrossFittedModelScores {
  const n = table.problemCount;
  const k = table.labels.length;
  const folds = options.folds ?? LEARNED_OVER_MODELS_DEFAULTS.folds;
  const seed = options.seed ?? LEARNED_OVER_MODELS_DEFAULTS.seed;
  const learner = LearnerSettings.parse(options.learner ?? LEARNED_OVER_MODELS_DEFAULTS.learner);
  const features = FeatureSpec.parse({ ...options.features, answer: false });
  if (!Number.isInteger(folds) || folds < 2 || folds > 255) throw new InvalidInputError({ field: 'learned.folds', problem: `must be an integer in [2, 255], got ${folds}` });
  if (n < folds) throw new InvalidInputError({ field: 'learned.folds', problem: `${n} problems are too few for ${folds} folds (every fold needs a problem)` });
  const rows = problemsOfRows(table, problems);
  const vectors: SparseVector[] = rows.map((problem) => featureVector(features, problem, undefined));
  const assignment = assignFolds(table.problemIds, folds, seed);
  const foldOf = Uint8Array.from(table.problemIds, (id) => assignment.get(id)!);
  const predicted = table.labels.map(() => new Float64Array(n));
  const trainingCostUsd: Float64Array[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const training: number[] = [];
    const held: number[] = [];
    for (let row = 0; row < n; row++) (foldOf[row] === fold ? held : training).push(row);
    onFit?.(fold, training);
    const cost = new Float64Array(k);
    const meanScore = new Float64Array(k);
    for (let model = 0; model < k; model++) {
      const columns = table.models[model]!;
      for (const row of training) {
        cost[model]! += columns.costHundredMillionths[row]!;
        meanScore[model]! += columns.score[row]!;
      }
      cost[model]! /= training.length * COST_UNITS_PER_USD;
      meanScore[model]! /= training.length;
    }
    trainingCostUsd.push(cost);
    const trainingVectors = training.map((row) => vectors[row]!);
    if (learner.model === 'knn') {
      for (const row of held) {
        // neighbours as training rows: one neighbourhood, read for every model's scores
        const neighbours = nearestNeighbours(trainingVectors, vectors[row]!, learner.k).map((index) => training[index]!);
        for (let model = 0; model < k; model++) predicted[model]![row] = neighbourVote(neighbours, table.models[model]!.score, meanScore[model]!);
      }
    } else {
      for (let model = 0; model < k; model++) {
        const score = table.models[model]!.score;
        const fitted = fitModel(trainingVectors, training.map((row) => score[row]!), featureDimension(features), learner);
        for (const row of held) predicted[model]![row] = predict(fitted, vectors[row]!);
      }
    }
  }
  return { folds, seed, learner, features, foldOf, predicted, trainingCostUsd };
}

/**
 * The router's choice on each problem at `lambda`: the model of the highest predicted score − λ × its training mean
 * cost (the problem's fold's); of equal values, the cheaper on the training folds, then the first in table order.
 */
export function learnedChoices(scores: CrossFittedModelScores, lambda: number): ModelChoices {
  const k = scores.predicted.length;
  const n = scores.foldOf.length;
  const choices = modelChoices(k, n);
  for (let problem = 0; problem < n; problem++) {
    const cost = scores.trainingCostUsd[scores.foldOf[problem]!]!;
    let best = 0;
    let bestValue = scores.predicted[0]![problem]! - lambda * cost[0]!;
    for (let model = 1; model < k; model++) {
      const value = scores.predicted[model]![problem]! - lambda * cost[model]!;
      if (value > bestValue || (value === bestValue && cost[model]! < cost[best]!)) {
        best = model;
        bestValue = value;
      }
    }
    choices[problem] = best;
  }
  return choices;
}

/**
 * The λ grid: 0, then `steps` values evenly spaced in log λ from the first λ at which some problem's choice moves off
 * its best predicted score (at least 1e-6 of the last) to the last: the least λ at which every problem takes its
 * fold's cheapest model (of models equally cheapest, the best predicted), so a larger λ changes nothing.
 * Just [0] where λ = 0 already takes the cheapest everywhere.
 */
export function lambdaGrid(scores: CrossFittedModelScores, steps: number): number[] {
  const k = scores.predicted.length;
  let last = 0;
  let first = Infinity;
  for (let problem = 0; problem < scores.foldOf.length; problem++) {
    const cost = scores.trainingCostUsd[scores.foldOf[problem]!]!;
    const cheapestCost = Math.min(...cost);
    let cheapestPredicted = -Infinity;
    for (let model = 0; model < k; model++) if (cost[model] === cheapestCost) cheapestPredicted = Math.max(cheapestPredicted, scores.predicted[model]![problem]!);
    let atZero = 0;
    for (let model = 0; model < k; model++) {
      const predicted = scores.predicted[model]![problem]!;
      if (cost[model]! > cheapestCost) last = Math.max(last, (predicted - cheapestPredicted) / (cost[model]! - cheapestCost));
      const best = scores.predicted[atZero]![problem]!;
      if (predicted > best || (predicted === best && cost[model]! < cost[atZero]!)) atZero = model;
    }
    // the first crossing: a cheaper model whose line meets the λ = 0 choice's
    for (let model = 0; model < k; model++) {
      if (cost[model]! >= cost[atZero]!) continue;
      first = Math.min(first, (scores.predicted[atZero]![problem]! - scores.predicted[model]![problem]!) / (cost[atZero]! - cost[model]!));
    }
  }
  if (!(last > 0)) return [0];
  // nudged up so that rounding cannot undo the ties the cheapest model wins at the last λ
  last *= 1 + 1e-9;
  const low = Math.max(Math.min(first, last), last * 1e-6);
  if (steps <= 1 || low === last) return [0, last];
  return [0, ...Array.from({ length: steps }, (_, step) => (step === steps - 1 ? last : low * (last / low) ** (step / (steps - 1))))];
}

export interface LearnedOverModels {
  name: string;
  scores: CrossFittedModelScores;
  /** One router per λ of the grid, in grid order (λ ascending). */
  points: Array<{ lambda: number; result: ColumnRouterResult }>;
}

/** The learned router over every model of the table, evaluated at every λ of its grid (see the file's comment). */
export function learnedOverModels(table: ModelOutcomeTable, problems: readonly Problem[], options: LearnedOverModelsOptions = {}): LearnedOverModels {
  const scores = crossFitModelScores(table, problems, options);
  const name = `learned over ${table.labels.length}`;
  const models = table.labels.map((_, model) => model);
  const points = lambdaGrid(scores, options.lambdaSteps ?? LEARNED_OVER_MODELS_DEFAULTS.lambdaSteps).map((lambda) => ({
    lambda,
    result: chosenModelResult(table, `${name} (λ = ${lambda.toPrecision(3)})`, models, learnedChoices(scores, lambda)),
  }));
  return { name, scores, points };
}
