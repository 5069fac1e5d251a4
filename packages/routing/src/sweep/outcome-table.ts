import { costInHundredMillionths, gradeScore, NotFoundError, type PriceTable, type Problem, type RunRecord } from '@confide/core';

/**
 * Per-problem outcomes of a small and a large model, as typed arrays: what every sweep point and every bootstrap
 * resample is computed from. Scores are the graded scores in [0, 1] (a binary grade: 1 right, 0 wrong) that means,
 * hulls and costs use; `correct` is the binary verdict that binary metrics (McNemar, AUROC, ECE, agreement zones,
 * Learn then Test's binomial test) use. Costs are in integer units of 1e-8 dollars.
 */
export interface OutcomeTable {
  problemIds: readonly string[];
  smallCorrect: Uint8Array;
  largeCorrect: Uint8Array;
  smallScore: Float64Array;
  largeScore: Float64Array;
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
    smallScore: new Float64Array(n),
    largeScore: new Float64Array(n),
    smallCost: new Float64Array(n),
    largeCost: new Float64Array(n),
  };
  for (let index = 0; index < n; index++) {
    const s = smallRecords[index]!;
    const l = largeRecords[index]!;
    table.smallCorrect[index] = s.grade.correct ? 1 : 0;
    table.largeCorrect[index] = l.grade.correct ? 1 : 0;
    table.smallScore[index] = gradeScore(s.grade);
    table.largeScore[index] = gradeScore(l.grade);
    table.smallCost[index] = costInHundredMillionths(prices, s.generation.model, s.generation.usage);
    table.largeCost[index] = costInHundredMillionths(prices, l.generation.model, l.generation.usage);
  }
  return table;
}
