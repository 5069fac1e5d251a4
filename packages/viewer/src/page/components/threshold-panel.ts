import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { percent, usd } from '../format.js';
import type { PageModel } from '../page-model.js';
import { formatRoute, type PageRoute } from '../route.js';
import { CurveChart } from './curve-chart.js';

/** The threshold, live: a slider over the sweep's points, the numbers at the point, and the curve with the point on it. */
export function ThresholdPanel(props: { model: PageModel; route: PageRoute; point: number; navigate: (route: PageRoute) => void }): VNode {
  const { model, route, point, navigate } = props;
  const threshold = model.threshold!;
  const selected = threshold.points[point]!;
  const score = model.data.score!;
  const delegatedLink = formatRoute({ view: 'run', state: { ...route.state, route: 'delegated' }, point });
  return html`<section class="threshold" id="threshold-panel">
    <h2>Threshold on ${score.label} <small>(${score.direction === 'keep-high' ? 'delegate below the threshold' : 'delegate above the threshold'}; large run <code>${model.data.large!.id}</code>)</small></h2>
    <label class="slider">threshold
      <input type="range" id="threshold-slider" min="0" max=${threshold.points.length - 1} step="1" value=${point}
        onInput=${(event: Event) => navigate({ ...route, point: Number((event.currentTarget as HTMLInputElement).value) })} />
    </label>
    <dl class="summary" id="threshold-numbers">
      <div><dt>threshold</dt><dd id="threshold-value" data-value=${selected.parameter ?? ''}>${selected.parameter ?? '—'}</dd></div>
      <div><dt>accuracy</dt><dd id="threshold-accuracy" data-value=${selected.accuracy}>${percent(selected.accuracy)}</dd></div>
      <div><dt>cost</dt><dd id="threshold-cost" data-value=${selected.costUsd}>${usd(selected.costUsd)}</dd></div>
      <div><dt>delegation rate</dt><dd id="threshold-rate" data-value=${selected.delegationRate}>${percent(selected.delegationRate)}</dd></div>
      <div><dt>large calls</dt><dd>${selected.llmCalls}</dd></div>
    </dl>
    <${CurveChart} points=${threshold.points} selected=${point} />
    <p class="muted">${threshold.points.length} thresholds (every distinct score, and one past the last), computed in this page from the records with the sweep <code>confide ablate</code> uses. <a href=${delegatedLink}>The problems delegated at this threshold</a>.</p>
  </section>`;
}
