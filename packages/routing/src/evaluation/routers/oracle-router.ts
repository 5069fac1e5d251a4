import type { ModelOutcomeTable } from '../outcome-table.js';
import { checkModelIndices, chosenModelResult, modelChoices, type ColumnRouterResult } from './router-result.js';

/**
 * The oracle over a set of models (default all K): on each problem the model with the highest score, of equal scores
 * the one that cost least on that problem (then the first in table order). Where every model scores 0 this is the
 * cheapest model, RouterBench's convention. It pays only the chosen model's call. O(n·K).
 */
export function oracleRouter(table: ModelOutcomeTable, models: readonly number[] = table.labels.map((_, index) => index)): ColumnRouterResult {
  const subset = checkModelIndices(table, models, 'models');
  if (subset.length === 0) throw new RangeError('oracleRouter needs at least one model');
  const choices = modelChoices(table.labels.length, table.problemCount);
  const scores = subset.map((model) => table.models[model]!.score);
  const costs = subset.map((model) => table.models[model]!.costHundredMillionths);
  for (let problem = 0; problem < table.problemCount; problem++) {
    let best = 0;
    let bestScore = scores[0]![problem]!;
    let bestCost = costs[0]![problem]!;
    for (let candidate = 1; candidate < subset.length; candidate++) {
      const score = scores[candidate]![problem]!;
      const cost = costs[candidate]![problem]!;
      if (score > bestScore || (score === bestScore && cost < bestCost)) {
        best = candidate;
        bestScore = score;
        bestCost = cost;
      }
    }
    choices[problem] = subset[best]!;
  }
  const name = subset.length === table.labels.length ? 'oracle' : `oracle (${subset.map((model) => table.labels[model]).join(', ')})`;
  return chosenModelResult(table, name, subset, choices);
}
