import { formatTableState, parseTableState, type TableState } from './filters.js';
import { MODEL_SCORES, type ModelScore } from './threshold.js';

/**
 * Which runs the views use, by name (`runName`): the model the table describes (`m`, a models bundle), the threshold's
 * keep and escalate-to models and the score it reads (`keep`, `to`, `by`), and the compared pair (`a`, `b`). A name
 * the bundle lacks falls back to the default.
 */
export interface RunPicks {
  model?: string;
  keep?: string;
  to?: string;
  by?: ModelScore;
  left?: string;
  right?: string;
}

const PICK_PARAMETERS = { model: 'm', keep: 'keep', to: 'to', by: 'by', left: 'a', right: 'b' } as const satisfies Record<keyof RunPicks, string>;

/** Where the page is: a view, its table state, the threshold point, the runs picked; all in the URL's hash (`#/run?correct=wrong`). */
export type PageRoute =
  | { view: 'run' | 'threshold' | 'compare'; state: TableState; point: number | null; picks: RunPicks }
  | { view: 'problem'; id: string; state: TableState; point: number | null; picks: RunPicks };

function parsePicks(params: URLSearchParams): RunPicks {
  const picks: RunPicks = {};
  for (const [key, parameter] of Object.entries(PICK_PARAMETERS) as [keyof RunPicks, string][]) {
    const value = params.get(parameter);
    if (value === null || value === '') continue;
    if (key === 'by') {
      if ((MODEL_SCORES as readonly string[]).includes(value)) picks.by = value as ModelScore;
    } else picks[key] = value;
  }
  return picks;
}

export function parseRoute(hash: string): PageRoute {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(query);
  const state = parseTableState(params);
  const pointValue = params.get('t');
  const point = pointValue !== null && /^\d+$/.test(pointValue) ? Number(pointValue) : null;
  const picks = parsePicks(params);
  const problem = /^\/problem\/(.+)$/.exec(path);
  if (problem) return { view: 'problem', id: decodeURIComponent(problem[1]!), state, point, picks };
  const view = path === '/threshold' ? 'threshold' : path === '/compare' ? 'compare' : 'run';
  return { view, state, point, picks };
}

export function formatRoute(route: PageRoute): string {
  const params = formatTableState(route.state);
  if (route.point !== null) params.set('t', String(route.point));
  for (const [key, parameter] of Object.entries(PICK_PARAMETERS) as [keyof RunPicks, string][]) {
    const value = route.picks[key];
    if (value !== undefined) params.set(parameter, value);
  }
  const query = params.toString();
  const path = route.view === 'problem' ? `/problem/${encodeURIComponent(route.id)}` : `/${route.view}`;
  return `#${path}${query ? `?${query}` : ''}`;
}
