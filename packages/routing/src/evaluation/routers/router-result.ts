import { InvalidInputError } from '@confide/core';
import { COST_UNITS_PER_USD, type ModelOutcomeTable } from '../outcome-table.js';

/** Per-problem model indices: a byte each for up to 256 models, two bytes beyond. */
export type ModelChoices = Uint8Array | Uint16Array;

/**
 * A router evaluated on the outcome table's columns: whose answer it took on each problem, and what that scored and
 * cost on average. Scores are the table's graded scores; costs count every call the router paid for.
 */
export interface ColumnRouterResult {
  name: string;
  /** The model indices the router may use (its subset of the table's models), ascending. */
  models: readonly number[];
  /** The model whose answer was taken, per problem. */
  choices: ModelChoices;
  meanScore: number;
  meanCostUsd: number;
  totalCostUsd: number;
  /** Per model (table order): the share of problems whose answer was that model's. */
  shares: Float64Array;
  /** Per model (table order): the share of problems the model was called on (a cascade calls more than it keeps). */
  callShares: Float64Array;
}

/** An empty choices array for `n` problems of a table with `modelCount` models. */
export function modelChoices(modelCount: number, n: number): ModelChoices {
  return modelCount <= 256 ? new Uint8Array(n) : new Uint16Array(n);
}

/** A mean over the table's problems that is 0 on an empty table. */
export function meanOver(table: ModelOutcomeTable, sum: number): number {
  return table.problemCount === 0 ? 0 : sum / table.problemCount;
}

/** Checks that each model index names one of the table's models; returns them ascending without repeats. */
export function checkModelIndices(table: ModelOutcomeTable, models: readonly number[], field: string): number[] {
  for (const model of models) {
    if (!Number.isInteger(model) || model < 0 || model >= table.labels.length) {
      throw new InvalidInputError({ field, problem: `model index ${model} is not one of the table's ${table.labels.length} models` });
    }
  }
  return [...new Set(models)].sort((left, right) => left - right);
}

/**
 * The result of a router that calls only the model it chooses (it decides before generation): scores and costs of
 * the chosen model, summed in one pass.
 */
export function chosenModelResult(table: ModelOutcomeTable, name: string, models: readonly number[], choices: ModelChoices): ColumnRouterResult {
  const n = table.problemCount;
  const counts = new Float64Array(table.labels.length);
  let scoreSum = 0;
  let costSum = 0;
  for (let problem = 0; problem < n; problem++) {
    const model = choices[problem]!;
    const columns = table.models[model]!;
    scoreSum += columns.score[problem]!;
    costSum += columns.costHundredMillionths[problem]!;
    counts[model]!++;
  }
  const shares = counts.map((count) => (n === 0 ? 0 : count / n));
  return {
    name,
    models,
    choices,
    meanScore: meanOver(table, scoreSum),
    meanCostUsd: meanOver(table, costSum) / COST_UNITS_PER_USD,
    totalCostUsd: costSum / COST_UNITS_PER_USD,
    shares,
    callShares: shares.slice(),
  };
}
