import { pConfident } from '@confide/core';
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { count, percent, usd } from '../format.js';
import type { PageModel } from '../page-model.js';
import type { PageRoute } from '../route.js';
import { formatRoute } from '../route.js';
import type { ViewData } from '../../view-data.js';

/** The runs of the bundle whose manifests mark them a pipeline check, with the reason each gives. */
export function pipelineCheckNotes(data: ViewData): string[] {
  return [data.run, data.large, data.compare].flatMap((run) => (run?.pipelineCheck ? [`${run.id}: ${run.pipelineCheck.reason}`] : []));
}

/** How many of the run's answers carry token probabilities but no P(c) (the tokens hold under the floor), with the first reason. */
export function answersWithoutPConfident(data: ViewData): { count: number; reason: string } | null {
  let count = 0;
  let reason = '';
  for (const problem of data.problems) {
    const probabilities = problem.answer.record.generation.confidenceProbabilities;
    if (probabilities === undefined) continue;
    const result = pConfident(probabilities);
    if (result.value === null) {
      if (count === 0) reason = result.reason;
      count++;
    }
  }
  return count === 0 ? null : { count, reason };
}

/** The run's numbers and the views the bundle has. */
export function RunHeader(props: { model: PageModel; route: PageRoute }): VNode {
  const { model, route } = props;
  const { summary, data } = model;
  const link = (view: 'run' | 'threshold' | 'compare', label: string) =>
    html`<a class=${route.view === view ? 'tab active' : 'tab'} href=${formatRoute({ view, state: route.state, point: route.point })} id=${`tab-${view}`}>${label}</a>`;
  const checks = pipelineCheckNotes(data);
  const noPConfident = answersWithoutPConfident(data);
  return html`<header>
    <h1>${data.title}${checks.length > 0 ? ' (pipeline check)' : ''}</h1>
    ${checks.length > 0 ? html`<p class="pipeline-check" id="pipeline-check"><strong>Pipeline check, not a result.</strong> ${checks.join('; ')}</p>` : ''}
    ${noPConfident ? html`<p class="no-p-confident" id="no-p-confident" data-value=${noPConfident.count}>${noPConfident.count} of ${data.problems.length} answers have no P(c) (${noPConfident.reason}); a P(c) threshold delegates them, as Delegation II delegates a missing token.</p>` : ''}
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
