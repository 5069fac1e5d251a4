import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { count, percent, usd } from '../format.js';
import type { PageModel } from '../page-model.js';
import type { PageRoute } from '../route.js';
import { formatRoute } from '../route.js';

/** The run's numbers and the views the bundle has. */
export function RunHeader(props: { model: PageModel; route: PageRoute }): VNode {
  const { model, route } = props;
  const { summary, data } = model;
  const link = (view: 'run' | 'threshold' | 'compare', label: string) =>
    html`<a class=${route.view === view ? 'tab active' : 'tab'} href=${formatRoute({ view, state: route.state, point: route.point })} id=${`tab-${view}`}>${label}</a>`;
  return html`<header>
    <h1>${data.title}</h1>
    <p class="subtitle">run <code>${data.run.id}</code>${data.large ? html` · large <code>${data.large.id}</code>` : ''}${data.compare ? html` · compared with <code>${data.compare.id}</code>${data.compare.grades === 'math' ? ' (core/math verdicts)' : ''}` : ''}</p>
    <dl class="summary" id="run-summary">
      <div><dt>problems</dt><dd data-value=${summary.problems}>${count(summary.problems)}</dd></div>
      <div><dt>accuracy</dt><dd id="summary-accuracy" data-value=${summary.accuracy}>${percent(summary.accuracy)}</dd></div>
      <div><dt>cost</dt><dd data-value=${summary.costUsd}>${usd(summary.costUsd)}</dd></div>
      <div><dt>delegation rate</dt><dd data-value=${summary.delegationRate ?? ''}>${percent(summary.delegationRate)}</dd></div>
      <div><dt>calibration accuracy</dt><dd data-value=${summary.calibrationAccuracy ?? ''}>${percent(summary.calibrationAccuracy)}</dd></div>
      <div><dt>tokens</dt><dd><span class="token confident">c ${summary.tokens.confident}</span> <span class="token uncertain">u ${summary.tokens.uncertain}</span> <span class="token none">none ${summary.tokens.none}</span></dd></div>
    </dl>
    <nav>${link('run', 'Problems')}${model.threshold ? link('threshold', 'Threshold') : ''}${model.comparison ? link('compare', 'Compare') : ''}</nav>
  </header>`;
}
