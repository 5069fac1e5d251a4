import { ascendingOrder } from '../page/filters.js';
import { pairScoreOf } from '../page/threshold.js';
import { searchMatcher, viewMetaOf } from '../page/view-meta.js';
import { viewRowColumns } from '../page/view-model.js';
import { encodeIndices, encodeProblems, encodeRun, ORDERED_SORT_KEYS, type ServedRun } from '../served-columns.js';
import type { ViewMeta } from '../served-data.js';
import type { ViewData } from '../view-data.js';

/** A bundle's data as the server sends it (`SERVED_DATA_PATHS`): built once, then answered from memory. */
export interface ServedViewData {
  meta: ViewMeta;
  /** The problems table and each run's table, Arrow IPC. */
  problems: Uint8Array;
  runs: Uint8Array[];
  /** Problem `index` as JSON (`ServedProblem`); null past the last. */
  problem: (index: number) => string | null;
  /** The problems a search matches (`searchMatcher`), Arrow IPC. */
  search: (query: string) => Uint8Array;
}

/**
 * Builds what a server sends for a bundle: the rows of every run as columns (the page's own `problemRows`), with each
 * sort key's order computed here once (so a page of a million problems sorts by walking it), and the viewed run's
 * threshold score. `onStep` hears each step done, for the command's progress lines.
 */
export function servedViewDataOf(data: ViewData, onStep?: (step: string) => void): ServedViewData {
  const n = data.problems.length;
  const pairScore = pairScoreOf(data);
  const runs = data.runs.map((_, run) => {
    const columns = viewRowColumns(data, run);
    const orders = Object.fromEntries(ORDERED_SORT_KEYS.map((key) => [key, ascendingOrder(columns, key)])) as ServedRun['orders'];
    const bytes = encodeRun({ columns, orders, thresholdScore: run === 0 ? (pairScore?.values ?? null) : null });
    onStep?.(`columns of run ${run + 1}/${data.runs.length} (${data.runs[run]!.label})`);
    return bytes;
  });
  const problems = encodeProblems(
    data.problems.map((problem) => problem.id),
    data.problems.map((problem) => problem.answers[0]!.record.sourceId ?? problem.id),
  );
  return {
    meta: viewMetaOf(data),
    problems,
    runs,
    problem: (index) => (Number.isInteger(index) && index >= 0 && index < n ? JSON.stringify(data.problems[index]) : null),
    search: (query) => {
      const matches = searchMatcher(data, query);
      const found: number[] = [];
      for (let index = 0; index < n; index++) if (matches === null || matches(index)) found.push(index);
      return encodeIndices(Uint32Array.from(found));
    },
  };
}
