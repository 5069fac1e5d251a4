import { compareRuns, type RunComparison } from '@confide/routing';
import type { ViewData } from '../view-data.js';

/** The compare view's statistics: `compareRuns`, the function `confide compare` prints. */
export function comparisonOf(data: ViewData): RunComparison | null {
  if (data.compare === undefined || data.problems.some((problem) => problem.compare === undefined)) return null;
  return compareRuns(
    data.problems.map((problem) => problem.id),
    { label: data.run.id, records: data.problems.map((problem) => problem.answer.record) },
    { label: data.compare.grades === 'math' ? `${data.compare.id} (core/math)` : data.compare.id, records: data.problems.map((problem) => problem.compare!.record) },
    data.prices,
    data.bootstrap,
  );
}
