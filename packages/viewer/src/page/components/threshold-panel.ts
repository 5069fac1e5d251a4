import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { percent, usd } from '../format.js';
import type { PageModel, PageView } from '../page-model.js';
import { formatRoute, type PageRoute, type RunPicks } from '../route.js';
import type { ModelScore } from '../threshold.js';
import { CurveChart } from './curve-chart.js';
import { RunPick } from './run-pick.js';

const SCORE_LABEL: Record<ModelScore, string> = { 'p-confident': 'P(c)', 'confidence-token': 'confidence token' };

/** A models bundle's pick of the pair: the model kept, the model escalated to, and the keep model's score. */
function PairPick(props: { model: PageModel; view: PageView; route: PageRoute; navigate: (route: PageRoute) => void }): VNode {
  const { model, view, route, navigate } = props;
  const pick = view.thresholdPick!;
  const names = model.names;
  const set = (change: RunPicks) => navigate({ ...route, point: null, picks: { ...route.picks, keep: names[pick.keep], to: names[pick.to], by: pick.by, ...change } });
  return html`<form class="filters pair-pick" onSubmit=${(event: Event) => event.preventDefault()}>
    <${RunPick} label="keep" id="threshold-keep" value=${names[pick.keep]!} options=${names.map((name) => [name, name])} onChange=${(keep: string) => set({ keep, ...(keep === names[pick.to] ? { to: names[pick.keep] } : {}), by: undefined })} />
    <${RunPick} label="escalate to" id="threshold-to" value=${names[pick.to]!} options=${names.filter((_, run) => run !== pick.keep).map((name) => [name, name])} onChange=${(to: string) => set({ to })} />
    <${RunPick} label="reading" id="threshold-by" value=${pick.by} options=${model.scores[pick.keep]!.map((score) => [score, SCORE_LABEL[score]])} onChange=${(by: string) => set({ by: by as ModelScore })} />
  </form>`;
}

/** The threshold, live: a slider over the sweep's points, the numbers at the point, and the curve with the point on it. */
export function ThresholdPanel(props: { model: PageModel; view: PageView; route: PageRoute; point: number; navigate: (route: PageRoute) => void }): VNode {
  const { model, view, route, point, navigate } = props;
  const threshold = view.threshold;
  const pick = view.thresholdPick ? html`<${PairPick} model=${model} view=${view} route=${route} navigate=${navigate} />` : '';
  if (threshold === null) {
    const keep = model.names[view.thresholdPick?.keep ?? 0];
    return html`<section class="threshold" id="threshold-panel">
      <h2>Threshold</h2>
      ${pick}
      <p id="threshold-none">${keep} carries neither P(c) nor a confidence token: nothing decides whether to keep its answer. Pick a model that does.</p>
    </section>`;
  }
  const selected = threshold.points[point]!;
  const n = model.count;
  const escalated = model.names[threshold.to]!;
  const delegatedLink = formatRoute({ view: 'run', state: { ...route.state, route: 'delegated' }, point, picks: route.picks });
  const heading = model.models
    ? html`Keep <code>${model.names[threshold.keep]}</code>, escalate to <code>${escalated}</code> on ${threshold.label} <small>(escalate below the threshold)</small>`
    : html`Threshold on ${threshold.label} <small>(${threshold.direction === 'keep-high' ? 'delegate below the threshold' : 'delegate above the threshold'}; large run <code>${escalated}</code>)</small>`;
  return html`<section class="threshold" id="threshold-panel" data-keep=${model.names[threshold.keep]} data-to=${escalated}>
    <h2>${heading}</h2>
    ${pick}
    <label class="slider">threshold
      <input type="range" id="threshold-slider" min="0" max=${threshold.points.length - 1} step="1" value=${point}
        onInput=${(event: Event) => navigate({ ...route, point: Number((event.currentTarget as HTMLInputElement).value) })} />
    </label>
    <dl class="summary" id="threshold-numbers">
      <div><dt>threshold</dt><dd id="threshold-value" data-value=${selected.parameter ?? ''}>${selected.parameter ?? '—'}</dd></div>
      <div><dt>mean score</dt><dd id="threshold-score" data-value=${selected.meanScore}>${selected.meanScore.toFixed(3)}</dd></div>
      <div><dt>accuracy</dt><dd id="threshold-accuracy" data-value=${selected.accuracy}>${percent(selected.accuracy)}</dd></div>
      <div><dt>cost</dt><dd id="threshold-cost" data-value=${selected.costUsd}>${usd(selected.costUsd)}</dd></div>
      <div><dt>mean cost</dt><dd id="threshold-mean-cost" data-value=${n === 0 ? 0 : selected.costUsd / n}>${usd(n === 0 ? 0 : selected.costUsd / n, 6)}</dd></div>
      <div><dt>${model.models ? 'escalation rate' : 'delegation rate'}</dt><dd id="threshold-rate" data-value=${selected.delegationRate}>${percent(selected.delegationRate)}</dd></div>
      <div><dt>${model.models ? `${escalated} calls` : 'large calls'}</dt><dd>${selected.llmCalls}</dd></div>
    </dl>
    <${CurveChart} points=${threshold.points} selected=${point} />
    <p class="muted">${threshold.points.length} thresholds (every distinct score, and one past the last), computed in this page from the records with the sweep <code>confide ablate</code> uses; the kept model is paid on every problem. <a href=${delegatedLink}>The problems ${model.models ? 'escalated' : 'delegated'} at this threshold</a>.</p>
  </section>`;
}
