import { costInHundredMillionths, NotFoundError, type PriceTable, type Problem, type RunRecord } from '@confide/core';

/**
 * Per-problem outcomes of a small and a large model, as typed arrays: what every sweep point and every bootstrap
 * resample is computed from. Costs are in integer units of 1e-8 dollars.
 */
export interface OutcomeTable {
  problemIds: readonly string[];
  smallCorrect: Uint8Array;
  largeCorrect: Uint8Array;
  smallCost: Float64Array;
  largeCost: Float64Array;
}

function byProblem(records: readonly RunRecord[], label: string, problems: readonly Problem[]): RunRecord[] {
  const map = new Map(records.map((record) => [record.problemId, record]));
  return problems.map((problem) => {
    const record = map.get(problem.id);
    if (record === undefined) throw new NotFoundError(`${label} has no record for ${problem.id}`);
    return record;
  });
}

export function outcomeTable(
  problems: readonly Problem[],
  small: { label: string; records: readonly RunRecord[] },
  large: { label: string; records: readonly RunRecord[] },
  prices: PriceTable,
): OutcomeTable {
  const smallRecords = byProblem(small.records, small.label, problems);
  const largeRecords = byProblem(large.records, large.label, problems);
  const n = problems.length;
  const table: OutcomeTable = {
    problemIds: problems.map((problem) => problem.id),
    smallCorrect: new Uint8Array(n),
    largeCorrect: new Uint8Array(n),
    smallCost: new Float64Array(n),
    largeCost: new Float64Array(n),
  };
  for (let index = 0; index < n; index++) {
    const s = smallRecords[index]!;
    const l = largeRecords[index]!;
    table.smallCorrect[index] = s.grade.correct ? 1 : 0;
    table.largeCorrect[index] = l.grade.correct ? 1 : 0;
    table.smallCost[index] = costInHundredMillionths(prices, s.generation.model, s.generation.usage);
    table.largeCost[index] = costInHundredMillionths(prices, l.generation.model, l.generation.usage);
  }
  return table;
}
