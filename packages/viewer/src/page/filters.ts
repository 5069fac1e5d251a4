import { TOKENS, type RowColumns } from './row-columns.js';
import type { ProblemRow } from './view-model.js';

/** The table's state: filters, search and sort. It lives in the URL's hash, so a link opens the same view. */
export interface TableState {
  route?: 'kept' | 'delegated';
  correct?: 'right' | 'wrong';
  token?: ProblemRow['token'];
  subject?: string;
  level?: number;
  disagree?: boolean;
  finish?: string;
  /** Problems whose verdict differs between the two compared runs. */
  flips?: boolean;
  q?: string;
  sort?: SortKey;
  order?: 'asc' | 'desc';
}

export const SORT_KEYS = ['index', 'p', 'cost', 'length', 'latency'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Reads a state from URL search parameters; unknown or malformed values are ignored. */
export function parseTableState(params: URLSearchParams): TableState {
  const state: TableState = {};
  const route = params.get('route');
  if (route === 'kept' || route === 'delegated') state.route = route;
  const correct = params.get('correct');
  if (correct === 'right' || correct === 'wrong') state.correct = correct;
  const token = params.get('token');
  if (token === 'confident' || token === 'uncertain' || token === 'none') state.token = token;
  const subject = params.get('subject');
  if (subject) state.subject = subject;
  const level = Number(params.get('level'));
  if (Number.isInteger(level) && level >= 1 && level <= 5) state.level = level;
  if (params.get('disagree') === '1') state.disagree = true;
  if (params.get('flips') === '1') state.flips = true;
  const finish = params.get('finish');
  if (finish) state.finish = finish;
  const q = params.get('q');
  if (q) state.q = q;
  const sort = params.get('sort');
  if ((SORT_KEYS as readonly string[]).includes(sort ?? '')) state.sort = sort as SortKey;
  const order = params.get('order');
  if (order === 'asc' || order === 'desc') state.order = order;
  return state;
}

export function formatTableState(state: TableState): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined || value === '' || value === false) continue;
    params.set(key, value === true ? '1' : String(value));
  }
  return params;
}

/** What the table's filters ask of a problem beyond its columns (each by the problem's index). */
export interface RowTests {
  /** It goes to the large model: the recorded route, or the threshold's decision when the view has a threshold. */
  delegated: (index: number) => boolean;
  /** The two compared runs' verdicts differ on it (false without a comparison). */
  flipped: (index: number) => boolean;
  /** It matches the search; null when there is no search. */
  matches: ((index: number) => boolean) | null;
}

/** The value a sort key orders by: a missing P(c) or latency is -1, below any real one. */
export function sortValue(columns: RowColumns, key: Exclude<SortKey, 'index'>): (index: number) => number {
  switch (key) {
    case 'p':
      return (index) => (Number.isNaN(columns.pConfident[index]!) ? -1 : columns.pConfident[index]!);
    case 'cost':
      return (index) => columns.costUsd[index]!;
    case 'length':
      return (index) => columns.outputTokens[index]!;
    case 'latency':
      return (index) => (Number.isNaN(columns.latencyMs[index]!) ? -1 : columns.latencyMs[index]!);
  }
}

/** The problems in ascending order of a sort key, dataset order breaking ties: sorted once, then every filter walks it. */
export function ascendingOrder(columns: RowColumns, key: Exclude<SortKey, 'index'>): Uint32Array {
  const value = sortValue(columns, key);
  const n = columns.score.length;
  const values = new Float64Array(n);
  const order = new Uint32Array(n);
  for (let index = 0; index < n; index++) {
    values[index] = value(index);
    order[index] = index;
  }
  return order.sort((left, right) => values[left]! - values[right]! || left - right);
}

/**
 * The problems in descending order of a sort key, dataset order breaking ties, from `ascendingOrder`: its groups of
 * equal values taken from the end, each group kept in dataset order. One pass; a page derives it once per key.
 */
export function descendingOrder(columns: RowColumns, key: Exclude<SortKey, 'index'>, ascending: Uint32Array): Uint32Array {
  const value = sortValue(columns, key);
  const n = ascending.length;
  const values = new Float64Array(n);
  for (let position = 0; position < n; position++) values[position] = value(ascending[position]!);
  const descending = new Uint32Array(n);
  let size = 0;
  let end = n - 1;
  while (end >= 0) {
    let start = end;
    while (start > 0 && values[start - 1] === values[end]) start--;
    for (let position = start; position <= end; position++) descending[size++] = ascending[position]!;
    end = start - 1;
  }
  return descending;
}

/**
 * The problems a state keeps, in its sort order, as indices. `orderOf(key, direction)` gives `ascendingOrder` or
 * `descendingOrder` of a sort key (computed once per run, key and direction); selecting walks it once.
 */
export function selectProblems(columns: RowColumns, state: TableState, tests: RowTests, orderOf: (key: Exclude<SortKey, 'index'>, direction: 'asc' | 'desc') => Uint32Array): Uint32Array {
  const n = columns.score.length;
  const token = state.token === undefined ? -1 : TOKENS.indexOf(state.token);
  const correct = state.correct === undefined ? -1 : state.correct === 'right' ? 1 : 0;
  const keeps = (index: number): boolean => {
    if (state.route !== undefined && tests.delegated(index) !== (state.route === 'delegated')) return false;
    if (correct !== -1 && columns.correct[index] !== correct) return false;
    if (token !== -1 && columns.token[index] !== token) return false;
    if (state.subject !== undefined && columns.subject[index] !== state.subject) return false;
    if (state.level !== undefined && columns.level[index] !== state.level) return false;
    if (state.disagree && columns.correct[index] === columns.mathCorrect[index]) return false;
    if (state.finish !== undefined && columns.finish[index] !== state.finish) return false;
    if (state.flips && !tests.flipped(index)) return false;
    if (tests.matches !== null && !tests.matches(index)) return false;
    return true;
  };
  const kept = new Uint32Array(n);
  let size = 0;
  const key = state.sort ?? 'index';
  const direction = state.order ?? (key === 'index' ? 'asc' : 'desc');
  if (key === 'index') {
    for (let step = 0; step < n; step++) {
      const index = direction === 'asc' ? step : n - 1 - step;
      if (keeps(index)) kept[size++] = index;
    }
  } else {
    for (const index of orderOf(key, direction)) if (keeps(index)) kept[size++] = index;
  }
  return kept.subarray(0, size);
}
