import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { selectProblems, SORT_KEYS, type TableState } from '../filters.js';
import { milliseconds, usd } from '../format.js';
import type { PageModel, PageView } from '../page-model.js';
import { formatRoute, type PageRoute } from '../route.js';
import type { ProblemRow } from '../view-model.js';
import { VirtualList } from './virtual-list.js';

const ROW_HEIGHT = 30;
const TOKEN_LABEL: Record<ProblemRow['token'], string> = { confident: '<|c_math|>', uncertain: '<|u_math|>', none: 'none' };
const SORT_LABEL: Record<(typeof SORT_KEYS)[number], string> = { index: 'dataset order', p: 'P(c)', cost: 'cost', length: 'output length', latency: 'latency' };

/**
 * Whether a row goes to the large model (a models bundle: escalates from the keep model): its recorded route, else the
 * threshold's decision at the current point. A models bundle's rows follow the threshold only in its view.
 */
export function delegatedFor(model: PageModel, view: PageView, route: PageRoute, point: number): (index: number) => boolean {
  const threshold = model.models && route.view !== 'threshold' ? null : view.threshold;
  const routed = model.columnsOf(view.focus).routedLarge;
  return (index) => (routed[index] !== -1 ? routed[index] === 1 : threshold !== null ? threshold.delegated(index, point) : false);
}

/** Whether the compared runs' verdicts differ on a problem (false without a comparison). */
export function flippedFor(model: PageModel, view: PageView): (index: number) => boolean {
  const comparison = view.comparison;
  if (comparison === null) return () => false;
  const [left, right] = [model.columnsOf(comparison.left).correct, model.columnsOf(comparison.right).correct];
  return (index) => left[index] !== right[index];
}

/** A score in a few characters: 1, 0, or .25 (graded). */
function shortScore(score: number): string {
  return score === 1 ? '1' : score === 0 ? '0' : score.toFixed(2).replace(/^0/, '');
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
export function ProblemTable(props: { model: PageModel; view: PageView; route: PageRoute; point: number; navigate: (route: PageRoute) => void }): VNode {
  const { model, view, route, point, navigate } = props;
  const state = route.state;
  const started = performance.now();
  const columns = model.columnsOf(view.focus);
  const delegated = delegatedFor(model, view, route, point);
  const search = state.q?.trim() ? model.search(state.q) : null;
  const mask = search?.state === 'ready' ? search.value : null;
  const selected =
    search !== null && mask === null
      ? new Uint32Array(0)
      : selectProblems(columns, state, { delegated, flipped: flippedFor(model, view), matches: mask === null ? null : (index) => mask[index] === 1 }, (key, direction) => model.orderOf(view.focus, key, direction));
  const filterMs = performance.now() - started;
  const set = (name: keyof TableState, value: string) => {
    const next: Record<string, unknown> = { ...state };
    if (value === '') delete next[name];
    else next[name] = name === 'level' ? Number(value) : name === 'disagree' || name === 'flips' ? value === '1' : value;
    navigate({ ...route, state: next as TableState });
  };
  const threshold = model.models && route.view !== 'threshold' ? null : view.threshold;
  const routeAvailable = columns.routedLarge.some((routed) => routed !== -1) || threshold !== null;
  const routeNames = model.models && threshold ? [model.names[threshold.keep]!, model.names[threshold.to]!] : ['small', 'large'];
  const compare = model.meta.runs.findIndex((run) => run.role === 'compare');
  const compareCorrect = compare === -1 ? null : model.columnsOf(compare).correct;
  const focusName = model.names[view.focus]!;
  return html`<section class="problems" data-model=${model.models ? focusName : undefined}>
    <form class="filters" onSubmit=${(event: Event) => event.preventDefault()}>
      ${model.models && route.view !== 'threshold'
        ? html`<label>model <select id="filter-model" value=${focusName} onChange=${(event: Event) => navigate({ ...route, picks: { ...route.picks, model: (event.currentTarget as HTMLSelectElement).value } })}>
            ${model.names.map((name) => html`<option value=${name} selected=${name === focusName}>${name}</option>`)}
          </select></label>`
        : ''}
      ${routeAvailable ? html`<${Select} label="route" name="route" value=${state.route} options=${[['kept', `kept (${routeNames[0]})`], ['delegated', `${model.models ? 'escalated' : 'delegated'} (${routeNames[1]})`]]} onChange=${set} />` : ''}
      <${Select} label="verdict" name="correct" value=${state.correct} options=${[['right', 'correct'], ['wrong', 'incorrect']]} onChange=${set} />
      <${Select} label="token" name="token" value=${state.token} options=${[['confident', '<|c_math|>'], ['uncertain', '<|u_math|>'], ['none', 'none']]} onChange=${set} />
      <${Select} label="subject" name="subject" value=${state.subject} options=${model.subjects.map((subject) => [subject, subject])} onChange=${set} />
      <${Select} label="level" name="level" value=${state.level?.toString()} options=${[1, 2, 3, 4, 5].map((level) => [String(level), String(level)])} onChange=${set} />
      <${Select} label="graders" name="disagree" value=${state.disagree ? '1' : undefined} options=${[['1', 'recorded ≠ core/math']]} onChange=${set} />
      <${Select} label="finish" name="finish" value=${state.finish} options=${model.finishes.map((finish) => [finish, finish])} onChange=${set} />
      ${view.comparison ? html`<${Select} label="compare" name="flips" value=${state.flips ? '1' : undefined} options=${[['1', `flips only (${model.names[view.comparison.left]} vs ${model.names[view.comparison.right]})`]]} onChange=${set} />` : ''}
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
    ${search?.state === 'failed' ? html`<p class="error" id="search-error">The search failed: ${search.message}</p>` : ''}
    <p class="count" id="problem-count" data-count=${search?.state === 'loading' ? undefined : selected.length} data-filter-ms=${filterMs.toFixed(2)}>${search?.state === 'loading' ? 'searching…' : html`${selected.length.toLocaleString('en-US')} of ${model.count.toLocaleString('en-US')} problems${model.models ? ` · columns of ${focusName}` : ''} · filtered in ${filterMs.toFixed(1)} ms`}</p>
    <div class="table-head row">
      <span>problem</span><span>subject</span><span>lvl</span><span>token</span><span>P(c)</span><span>recorded</span><span>core/math</span>${compareCorrect ? html`<span>compared</span>` : ''}${model.models ? html`<span title=${model.names.join(' · ')}>scores (${model.names.length} models)</span>` : ''}<span>route</span><span>cost</span><span>output</span><span>latency</span><span>finish</span>
    </div>
    <${VirtualList}
      id="problem-list"
      items=${selected}
      rowHeight=${ROW_HEIGHT}
      height=${Math.min(600, Math.max(ROW_HEIGHT, selected.length * ROW_HEIGHT))}
      row=${(index: number) => {
        const row = model.rowAt(view.focus, index);
        return html`<a class=${`row ${row.correct ? 'right' : 'wrong'}`} href=${formatRoute({ view: 'problem', id: row.id, state, point: route.point, picks: route.picks })} data-id=${row.id}>
        <span>${row.label}</span><span>${row.subject}</span><span>${row.level ?? ''}</span><span class=${`token ${row.token}`}>${TOKEN_LABEL[row.token]}</span>
        <span>${row.pConfident === null ? '—' : row.pConfident.toFixed(3)}</span><span>${row.correct ? '✓' : '✗'}</span><span>${row.mathCorrect ? '✓' : '✗'}</span>
        ${compareCorrect ? html`<span>${compareCorrect[index] === 1 ? '✓' : '✗'}</span>` : ''}
        ${model.models ? html`<span class="scores">${model.names.map((_, run) => shortScore(model.columnsOf(run).score[index]!)).join(' · ')}</span>` : ''}
        <span>${model.models && !threshold && row.routedLarge === null ? '—' : delegated(index) ? routeNames[1] : routeNames[0]}</span><span>${usd(row.costUsd, 5)}</span><span>${row.outputTokens}</span><span>${milliseconds(row.latencyMs)}</span><span>${row.finish}</span>
      </a>`;
      }}
    />
  </section>`;
}
