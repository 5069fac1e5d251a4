import { formatTableState, parseTableState, type TableState } from './filters.js';

/** Where the page is: a view, its table state, the threshold point; all in the URL's hash (`#/run?correct=wrong`). */
export type PageRoute =
  | { view: 'run' | 'threshold' | 'compare'; state: TableState; point: number | null }
  | { view: 'problem'; id: string; state: TableState; point: number | null };

export function parseRoute(hash: string): PageRoute {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(query);
  const state = parseTableState(params);
  const pointValue = params.get('t');
  const point = pointValue !== null && /^\d+$/.test(pointValue) ? Number(pointValue) : null;
  const problem = /^\/problem\/(.+)$/.exec(path);
  if (problem) return { view: 'problem', id: decodeURIComponent(problem[1]!), state, point };
  const view = path === '/threshold' ? 'threshold' : path === '/compare' ? 'compare' : 'run';
  return { view, state, point };
}

export function formatRoute(route: PageRoute): string {
  const params = formatTableState(route.state);
  if (route.point !== null) params.set('t', String(route.point));
  const query = params.toString();
  const path = route.view === 'problem' ? `/problem/${encodeURIComponent(route.id)}` : `/${route.view}`;
  return `#${path}${query ? `?${query}` : ''}`;
}
