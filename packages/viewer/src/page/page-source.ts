import type { ViewMeta } from '../served-data.js';
import type { ViewData, ViewProblem } from '../view-data.js';
import { comparisonOf, type PageComparison } from './comparison.js';
import { ascendingOrder, type SortKey } from './filters.js';
import type { ProblemColumns, RowColumns } from './row-columns.js';
import { pairScoreOf, type PairScore } from './threshold.js';
import { searchMatcher, viewMetaOf } from './view-meta.js';
import { viewRowColumns } from './view-model.js';

/**
 * Where the page's numbers come from: the data inlined in a self-contained page (`inlinePageSource`), or a server's
 * columns (`loadServedSource`). Columns are at hand at once; a problem's answers and a search's matches may arrive later.
 */
export interface PageSource {
  meta: ViewMeta;
  problems: ProblemColumns;
  /** Every run's row columns, in `meta.runs` order. */
  columns: readonly RowColumns[];
  /** Run `run`'s problems in ascending order of a sort key (`ascendingOrder`). */
  sortOrder: (run: number, key: Exclude<SortKey, 'index'>) => Uint32Array;
  /** A run bundle's threshold score, per problem; null without a score or a large run. */
  pairScore: PairScore | null;
  /** Problem `index`: its question and every run's answer. */
  problem: (index: number) => ViewProblem | Promise<ViewProblem>;
  /** The problems a search matches (`searchMatcher`), as a mask over the problems. */
  search: (query: string) => Uint8Array | Promise<Uint8Array>;
  /** Two runs compared from their records; null where the page holds no records (a served run: columns only). */
  comparison: ((left: number, right: number) => PageComparison) | null;
}

/** The page's source when the data is inline (a self-contained page, up to the problem limit): everything at hand. */
export function inlinePageSource(data: ViewData): PageSource {
  const columns = data.runs.map((_, run) => viewRowColumns(data, run));
  const orders = new Map<string, Uint32Array>();
  return {
    meta: viewMetaOf(data),
    problems: {
      count: data.problems.length,
      id: (index) => data.problems[index]!.id,
      label: (index) => data.problems[index]!.answers[0]!.record.sourceId ?? data.problems[index]!.id,
    },
    columns,
    sortOrder: (run, key) => {
      const name = `${run} ${key}`;
      if (!orders.has(name)) orders.set(name, ascendingOrder(columns[run]!, key));
      return orders.get(name)!;
    },
    pairScore: pairScoreOf(data),
    problem: (index) => data.problems[index]!,
    search: (query) => {
      const matches = searchMatcher(data, query);
      return Uint8Array.from(data.problems, (_, index) => (matches === null || matches(index) ? 1 : 0));
    },
    comparison: (left, right) => comparisonOf(data, left, right),
  };
}
