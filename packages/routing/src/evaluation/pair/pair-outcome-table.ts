import { generationCost, generationCostBasis, type PriceTable, type Problem, type RunRecord } from '@confide/core';
import { outcomeTable, type OutcomeTable } from '../../sweep/outcome-table.js';

type PairSide = { label: string; records: readonly RunRecord[] };

/**
 * The pair's outcome table with every call costed as core's `generationCost` costs it: routing's `outcomeTable`
 * prices token counts; where a record of the pair is costed by its recorded cost (an imported log's own: no token
 * counts, or no price for its model), its cost in the table is that recorded cost. A cost-unknown record fails
 * (COST_UNKNOWN): the ablation checks its runs first and says why in the report (`runCosts`).
 */
export function pairOutcomeTable(problems: readonly Problem[], small: PairSide, large: PairSide, prices: PriceTable): OutcomeTable {
  const recorded = (side: PairSide) => side.records.some((record) => generationCostBasis(prices, record.generation) !== 'tokens');
  if (!recorded(small) && !recorded(large)) return outcomeTable(problems, small, large, prices);
  // the records costed otherwise are priced at nothing first (a model without a price would fail), then given their cost
  const models = { ...prices.models };
  for (const record of [...small.records, ...large.records]) models[record.generation.model] ??= { inputPerMillion: 0, outputPerMillion: 0 };
  const table = outcomeTable(problems, small, large, { ...prices, models });
  const costs = (side: PairSide, column: Float64Array) => {
    const byId = new Map(side.records.map((record) => [record.problemId, record]));
    table.problemIds.forEach((id, index) => {
      column[index] = generationCost(prices, byId.get(id)!.generation).hundredMillionths;
    });
  };
  costs(small, table.smallCost);
  costs(large, table.largeCost);
  return table;
}
