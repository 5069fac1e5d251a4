import type { RunComparison } from '@confide/routing';
import type { ViewData } from '../view-data.js';
import { comparisonOf } from './comparison.js';
import { thresholdModel, type ThresholdModel } from './threshold.js';
import { problemRows, runSummary, type ProblemRow, type RunSummary } from './view-model.js';

/** Everything the page computes once from the data. */
export interface PageModel {
  data: ViewData;
  rows: ProblemRow[];
  summary: RunSummary;
  threshold: ThresholdModel | null;
  comparison: RunComparison | null;
  subjects: string[];
  finishes: string[];
  /** The lower-case text a search looks in: question, gold, and every answer's response. */
  searchText: (row: ProblemRow) => string;
}

export function pageModel(data: ViewData): PageModel {
  const rows = problemRows(data);
  const texts: (string | undefined)[] = new Array(rows.length);
  return {
    data,
    rows,
    summary: runSummary(data, rows),
    threshold: thresholdModel(data),
    comparison: comparisonOf(data),
    subjects: [...new Set(rows.map((row) => row.subject).filter((subject) => subject !== ''))].sort(),
    finishes: [...new Set(rows.map((row) => row.finish))].sort(),
    searchText: (row) => {
      let text = texts[row.index];
      if (text === undefined) {
        const problem = data.problems[row.index]!;
        text = [row.label, problem.id, problem.question ?? '', problem.answer.record.gold ?? '', problem.answer.record.generation.text, problem.large?.record.generation.text ?? '', problem.compare?.record.generation.text ?? '', problem.compare ? `${problem.compare.record.grade.evaluator} ${problem.compare.record.grade.reason ?? ''}` : '']
          .join('\n')
          .toLowerCase();
        texts[row.index] = text;
      }
      return text;
    },
  };
}

/** The point the threshold view starts at: the one nearest the middle of the curve. */
export function defaultPoint(model: PageModel): number {
  return model.threshold === null ? 0 : Math.floor((model.threshold.points.length - 1) / 2);
}
