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

/**
 * The rows a state keeps, in its sort order. `delegated(row)` says whether a problem goes to the large model: the
 * recorded route, or the threshold's decision when the view has a threshold; `searchText(row)` is the lower-case
 * text a search looks in; `flipped(row)` whether the two compared runs' verdicts differ on it (false without a
 * comparison).
 */
export function selectRows(
  rows: readonly ProblemRow[],
  state: TableState,
  delegated: (row: ProblemRow) => boolean,
  searchText: (row: ProblemRow) => string,
  flipped: (row: ProblemRow) => boolean,
): ProblemRow[] {
  const query = state.q?.trim().toLowerCase() ?? '';
  const kept = rows.filter((row) => {
    if (state.route !== undefined && delegated(row) !== (state.route === 'delegated')) return false;
    if (state.correct !== undefined && row.correct !== (state.correct === 'right')) return false;
    if (state.token !== undefined && row.token !== state.token) return false;
    if (state.subject !== undefined && row.subject !== state.subject) return false;
    if (state.level !== undefined && row.level !== state.level) return false;
    if (state.disagree && !row.disagree) return false;
    if (state.finish !== undefined && row.finish !== state.finish) return false;
    if (state.flips && !flipped(row)) return false;
    if (query !== '' && !searchText(row).includes(query)) return false;
    return true;
  });
  const key = state.sort ?? 'index';
  const value = (row: ProblemRow): number => {
    switch (key) {
      case 'p':
        return row.pConfident ?? -1;
      case 'cost':
        return row.costUsd;
      case 'length':
        return row.outputTokens;
      case 'latency':
        return row.latencyMs ?? -1;
      default:
        return row.index;
    }
  };
  const sign = (state.order ?? (key === 'index' ? 'asc' : 'desc')) === 'asc' ? 1 : -1;
  return kept.sort((left, right) => sign * (value(left) - value(right)) || left.index - right.index);
}
