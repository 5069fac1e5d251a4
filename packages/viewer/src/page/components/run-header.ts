import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { count, percent, usd } from '../format.js';
import type { PageModel, PageView } from '../page-model.js';
import type { PageRoute } from '../route.js';
import { formatRoute } from '../route.js';
import { runName } from '../runs.js';
import type { ViewMeta } from '../../served-data.js';

/** The runs of the bundle whose manifests mark them a pipeline check, with the reason each gives. */
export function pipelineCheckNotes(data: Pick<ViewMeta, 'runs'>): string[] {
  return data.runs.flatMap((run) => (run.pipelineCheck ? [`${run.id}: ${run.pipelineCheck.reason}`] : []));
}

/** A models bundle's note on the problems some run did not answer (left out of every view), or null when none was. */
export function lostNote(data: Pick<ViewMeta, 'lost'>): string | null {
  const lost = (data.lost ?? []).filter((entry) => entry.count > 0);
  if (lost.length === 0) return null;
  return `Left out (not answered by every model): ${lost.map((entry) => `${entry.label} ${entry.count} (e.g. ${entry.firstIds.join(', ')})`).join('; ')}.`;
}

/** Each run's mean score and cost, one row per run (a models bundle's K models, or a run with its large and compared runs). */
function RunsTable(props: { model: PageModel }): VNode {
  const { model } = props;
  const role = { run: 'run', large: 'large', compare: 'compared', model: 'model' } as const;
  return html`<table class="runs" id="runs-table">
    <thead><tr><th>${model.models ? 'model' : 'role'}</th><th>run</th><th>mean score</th><th>accuracy</th><th>mean cost</th><th>total cost</th>${model.models ? html`<th>threshold reads</th>` : ''}</tr></thead>
    <tbody>${model.meta.runs.map((run, index) => {
      const means = model.means[index]!;
      return html`<tr data-run=${runName(run)} data-mean-score=${means.meanScore} data-accuracy=${means.accuracy} data-mean-cost=${means.meanCostUsd} data-total-cost=${means.totalCostUsd}>
        <td>${model.models ? html`<strong>${run.label}</strong>` : role[run.role]}</td><td><code>${runName(run)}</code>${!model.models && run.label !== run.id ? html` <small>${run.label}</small>` : ''}${model.models && run.label !== run.id ? html` <small><code>${run.id}</code></small>` : ''}</td>
        <td>${means.meanScore.toFixed(3)}</td><td>${percent(means.accuracy)}</td><td>${usd(means.meanCostUsd, 6)}</td><td>${usd(means.totalCostUsd)}</td>
        ${model.models ? html`<td>${model.scores[index]!.map((score) => (score === 'p-confident' ? 'P(c)' : 'token')).join(', ') || '—'}</td>` : ''}
      </tr>`;
    })}</tbody>
  </table>`;
}

/** The run's numbers (a models bundle: every model's), and the views the bundle has. */
export function RunHeader(props: { model: PageModel; view: PageView; route: PageRoute }): VNode {
  const { model, view, route } = props;
  const { summary, meta: data } = model;
  const link = (target: 'run' | 'threshold' | 'compare', label: string) =>
    html`<a class=${route.view === target ? 'tab active' : 'tab'} href=${formatRoute({ view: target, state: route.state, point: route.point, picks: route.picks })} id=${`tab-${target}`}>${label}</a>`;
  const checks = pipelineCheckNotes(data);
  const noPConfident = model.models ? null : data.noPConfident;
  const lost = lostNote(data);
  const large = data.runs.find((run) => run.role === 'large');
  const compare = data.runs.find((run) => run.role === 'compare');
  const subtitle = model.models
    ? html`<p class="subtitle">${data.runs.length} models on the ${count(data.problemCount)} problems every one answered</p>`
    : html`<p class="subtitle">run <code>${data.runs[0]!.id}</code>${large ? html` · large <code>${large.id}</code>` : ''}${compare ? html` · compared with <code>${compare.id}</code>${compare.grades === 'math' ? ' (core/math verdicts)' : ''}` : ''}</p>`;
  return html`<header>
    <h1>${data.title}${checks.length > 0 ? ' (pipeline check)' : ''}</h1>
    ${checks.length > 0 ? html`<p class="pipeline-check" id="pipeline-check"><strong>Pipeline check, not a result.</strong> ${checks.join('; ')}</p>` : ''}
    ${noPConfident ? html`<p class="no-p-confident" id="no-p-confident" data-value=${noPConfident.count}>${noPConfident.count} of ${data.problemCount} answers have no P(c) (${noPConfident.reason}); a P(c) threshold delegates them, as Delegation II delegates a missing token.</p>` : ''}
    ${lost ? html`<p class="lost" id="lost-problems">${lost}</p>` : ''}
    ${subtitle}
    ${model.models
      ? ''
      : html`<dl class="summary" id="run-summary">
      <div><dt>problems</dt><dd data-value=${summary.problems}>${count(summary.problems)}</dd></div>
      <div><dt>accuracy</dt><dd id="summary-accuracy" data-value=${summary.accuracy}>${percent(summary.accuracy)}</dd></div>
      <div><dt>cost</dt><dd data-value=${summary.costUsd}>${usd(summary.costUsd)}</dd></div>
      <div><dt>delegation rate</dt><dd data-value=${summary.delegationRate ?? ''}>${percent(summary.delegationRate)}</dd></div>
      <div><dt>calibration accuracy</dt><dd data-value=${summary.calibrationAccuracy ?? ''}>${percent(summary.calibrationAccuracy)}</dd></div>
      <div><dt>tokens</dt><dd><span class="token confident">c ${summary.tokens.confident}</span> <span class="token uncertain">u ${summary.tokens.uncertain}</span> <span class="token none">none ${summary.tokens.none}</span></dd></div>
    </dl>`}
    ${data.runs.length > 1 ? html`<${RunsTable} model=${model} />` : ''}
    <nav>${link('run', 'Problems')}${view.thresholdOffered ? link('threshold', 'Threshold') : ''}${view.comparison ? link('compare', 'Compare') : ''}</nav>
  </header>`;
}
