import { COST_UNITS_PER_USD, type ModelOutcomeTable } from '../outcome-table.js';
import { checkModelIndices, chosenModelResult, meanOver, modelChoices, type ColumnRouterResult } from './router-result.js';

/** One model's mean score and cost on the table. */
export interface ModelMean {
  model: number;
  label: string;
  meanScore: number;
  meanCostUsd: number;
  totalCostUsd: number;
}

/** Every model's mean score and cost, in table order. O(n·K). */
export function modelMeans(table: ModelOutcomeTable): ModelMean[] {
  return table.models.map((columns, model) => {
    let scoreSum = 0;
    let costSum = 0;
    for (let problem = 0; problem < table.problemCount; problem++) {
      scoreSum += columns.score[problem]!;
      costSum += columns.costHundredMillionths[problem]!;
    }
    return {
      model,
      label: table.labels[model]!,
      meanScore: meanOver(table, scoreSum),
      meanCostUsd: meanOver(table, costSum) / COST_UNITS_PER_USD,
      totalCostUsd: costSum / COST_UNITS_PER_USD,
    };
  });
}

/** always-⟨model⟩: the one model's answer on every problem. */
export function alwaysModelRouter(table: ModelOutcomeTable, model: number): ColumnRouterResult {
  checkModelIndices(table, [model], 'model');
  const choices = modelChoices(table.labels.length, table.problemCount).fill(model);
  return chosenModelResult(table, `always-${table.labels[model]}`, [model], choices);
}

/**
 * The model with the highest mean score (of equal means, the one with the lower mean cost, then the first in table
 * order), among `models` (default all), given the means `modelMeans` computed.
 */
export function bestSingleModel(means: readonly ModelMean[], models: readonly number[] = means.map((mean) => mean.model)): ModelMean {
  let best: ModelMean | undefined;
  for (const model of models) {
    const candidate = means[model]!;
    if (best === undefined || candidate.meanScore > best.meanScore || (candidate.meanScore === best.meanScore && candidate.meanCostUsd < best.meanCostUsd)) {
      best = candidate;
    }
  }
  if (best === undefined) throw new RangeError('bestSingleModel needs at least one model');
  return best;
}

/** The router that always takes the best single model by mean score (see `bestSingleModel`). */
export function bestSingleModelRouter(table: ModelOutcomeTable, means: readonly ModelMean[] = modelMeans(table)): ColumnRouterResult {
  const best = bestSingleModel(means);
  return { ...alwaysModelRouter(table, best.model), name: `best-single (${best.label})` };
}
