import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { selectRows, SORT_KEYS, type TableState } from '../filters.js';
import { milliseconds, usd } from '../format.js';
import type { PageModel } from '../page-model.js';
import { formatRoute, type PageRoute } from '../route.js';
import type { ProblemRow } from '../view-model.js';
import { VirtualList } from './virtual-list.js';

const ROW_HEIGHT = 30;
const TOKEN_LABEL: Record<ProblemRow['token'], string> = { confident: '<|c_math|>', uncertain: '<|u_math|>', none: 'none' };
const SORT_LABEL: Record<(typeof SORT_KEYS)[number], string> = { index: 'dataset order', p: 'P(c)', cost: 'cost', length: 'output length', latency: 'latency' };

/** Whether a row goes to the large model: its recorded route, else the threshold's decision at the current point. */
export function delegatedFor(model: PageModel, point: number): (row: ProblemRow) => boolean {
  const threshold = model.threshold;
  return (row) => row.routedLarge ?? (threshold !== null ? threshold.delegated(row.index, point) : false);
}

function Select(props: { label: string; name: keyof TableState; value: string | undefined; options: [string, string][]; onChange: (name: keyof TableState, value: string) => void }): VNode {
  return html`<label>${props.label}
    <select name=${props.name} id=${`filter-${props.name}`} value=${props.value ?? ''} onChange=${(event: Event) => props.onChange(props.name, (event.currentTarget as HTMLSelectElement).value)}>
      <option value="">all</option>
      ${props.options.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select>
  </label>`;
}

/** Filters, search, sort and the virtualised table of problems; the state is the URL's. */
export function ProblemTable(props: { model: PageModel; route: PageRoute; point: number; navigate: (route: PageRoute) => void }): VNode {
  const { model, route, point, navigate } = props;
  const state = route.state;
  const started = performance.now();
  const rows = selectRows(model.rows, state, delegatedFor(model, point), model.searchText);
  const filterMs = performance.now() - started;
  const set = (name: keyof TableState, value: string) => {
    const next: Record<string, unknown> = { ...state };
    if (value === '') delete next[name];
    else next[name] = name === 'level' ? Number(value) : name === 'disagree' || name === 'flips' ? value === '1' : value;
    navigate({ ...route, state: next as TableState });
  };
  const routeAvailable = model.rows.some((row) => row.routedLarge !== null) || model.threshold !== null;
  return html`<section class="problems">
    <form class="filters" onSubmit=${(event: Event) => event.preventDefault()}>
      ${routeAvailable ? html`<${Select} label="route" name="route" value=${state.route} options=${[['kept', 'kept (small)'], ['delegated', 'delegated (large)']]} onChange=${set} />` : ''}
      <${Select} label="verdict" name="correct" value=${state.correct} options=${[['right', 'correct'], ['wrong', 'incorrect']]} onChange=${set} />
      <${Select} label="token" name="token" value=${state.token} options=${[['confident', '<|c_math|>'], ['uncertain', '<|u_math|>'], ['none', 'none']]} onChange=${set} />
      <${Select} label="subject" name="subject" value=${state.subject} options=${model.subjects.map((subject) => [subject, subject])} onChange=${set} />
      <${Select} label="level" name="level" value=${state.level?.toString()} options=${[1, 2, 3, 4, 5].map((level) => [String(level), String(level)])} onChange=${set} />
      <${Select} label="graders" name="disagree" value=${state.disagree ? '1' : undefined} options=${[['1', 'recorded ≠ core/math']]} onChange=${set} />
      <${Select} label="finish" name="finish" value=${state.finish} options=${model.finishes.map((finish) => [finish, finish])} onChange=${set} />
      ${model.comparison ? html`<${Select} label="compare" name="flips" value=${state.flips ? '1' : undefined} options=${[['1', 'flips only']]} onChange=${set} />` : ''}
      <label>search <input type="search" id="filter-q" value=${state.q ?? ''} placeholder="question, answer, id" onInput=${(event: Event) => set('q', (event.currentTarget as HTMLInputElement).value)} /></label>
      <label>sort
        <select id="filter-sort" value=${state.sort ?? 'index'} onChange=${(event: Event) => set('sort', (event.currentTarget as HTMLSelectElement).value === 'index' ? '' : (event.currentTarget as HTMLSelectElement).value)}>
          ${SORT_KEYS.map((key) => html`<option value=${key}>${SORT_LABEL[key]}</option>`)}
        </select>
      </label>
      <label>order
        <select id="filter-order" value=${state.order ?? ''} onChange=${(event: Event) => set('order', (event.currentTarget as HTMLSelectElement).value)}>
          <option value="">default</option><option value="asc">ascending</option><option value="desc">descending</option>
        </select>
      </label>
    </form>
    <p class="count" id="problem-count" data-count=${rows.length} data-filter-ms=${filterMs.toFixed(2)}>${rows.length} of ${model.rows.length} problems · filtered in ${filterMs.toFixed(1)} ms</p>
    <div class="table-head row">
      <span>problem</span><span>subject</span><span>lvl</span><span>token</span><span>P(c)</span><span>recorded</span><span>core/math</span>${model.comparison ? html`<span>compared</span>` : ''}<span>route</span><span>cost</span><span>output</span><span>latency</span><span>finish</span>
    </div>
    <${VirtualList}
      id="problem-list"
      items=${rows}
      rowHeight=${ROW_HEIGHT}
      height=${Math.min(600, Math.max(ROW_HEIGHT, rows.length * ROW_HEIGHT))}
      row=${(row: ProblemRow) => html`<a class=${`row ${row.correct ? 'right' : 'wrong'}`} href=${formatRoute({ view: 'problem', id: row.id, state, point: route.point })} data-id=${row.id}>
        <span>${row.label}</span><span>${row.subject}</span><span>${row.level ?? ''}</span><span class=${`token ${row.token}`}>${TOKEN_LABEL[row.token]}</span>
        <span>${row.pConfident === null ? '—' : row.pConfident.toFixed(3)}</span><span>${row.correct ? '✓' : '✗'}</span><span>${row.mathCorrect ? '✓' : '✗'}</span>
        ${model.comparison ? html`<span>${row.compareCorrect ? '✓' : '✗'}</span>` : ''}
        <span>${delegatedFor(model, point)(row) ? 'large' : 'small'}</span><span>${usd(row.costUsd, 5)}</span><span>${row.outputTokens}</span><span>${milliseconds(row.latencyMs)}</span><span>${row.finish}</span>
      </a>`}
    />
  </section>`;
}
