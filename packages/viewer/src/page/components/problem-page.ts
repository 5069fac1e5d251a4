import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { ViewAnswer } from '../../view-data.js';
import { milliseconds, percent, usd } from '../format.js';
import { renderAnswer, renderMathText } from '../math-text.js';
import type { PageModel } from '../page-model.js';
import { formatRoute, type PageRoute } from '../route.js';
import { pConfidentOf } from '../view-model.js';

function MathAnswer(props: { tex: string | null; id?: string }): VNode {
  if (props.tex === null) return html`<em>none</em>`;
  return html`<span class="math" id=${props.id} dangerouslySetInnerHTML=${{ __html: renderAnswer(props.tex) }}></span>`;
}

function Answer(props: { title: string; answer: ViewAnswer; id: string }): VNode {
  const { record, math, calls } = props.answer;
  const generation = record.generation;
  const p = pConfidentOf(record);
  return html`<section class="answer" id=${props.id}>
    <h3>${props.title} <code>${record.runId}</code> · ${generation.model} <span class=${record.grade.correct ? 'verdict right' : 'verdict wrong'}>${record.grade.correct ? 'correct' : 'incorrect'}</span></h3>
    <dl class="facts">
      <div><dt>recorded grade</dt><dd>${record.grade.evaluator}${record.grade.reason ? `: ${record.grade.reason}` : ''}</dd></div>
      <div><dt>extracted answer (recorded)</dt><dd><${MathAnswer} tex=${generation.answer} /></dd></div>
      <div><dt>core/math</dt><dd class="math-grade"><span class=${math.correct ? 'verdict right' : 'verdict wrong'}>${math.correct ? 'correct' : 'incorrect'}</span> (${math.reason}) · gold ${math.gold ? html`<${MathAnswer} tex=${math.gold.answer} /> <small>[${math.gold.rule}]</small>` : 'none'} · answer ${math.prediction ? html`<${MathAnswer} tex=${math.prediction.answer} /> <small>[${math.prediction.rule}]</small>` : 'none'}</dd></div>
      <div><dt>confidence</dt><dd>${generation.confidenceToken ?? 'no token'}${p === null ? '' : ` · P(c) = ${p.toFixed(4)}`}</dd></div>
      ${record.route ? html`<div><dt>route</dt><dd>${record.route.target} · ${record.route.router}${record.route.reason ? ` · ${record.route.reason}` : ''}</dd></div>` : ''}
      <div><dt>finish</dt><dd>${generation.finishReason ?? 'none'}</dd></div>
    </dl>
    <table class="calls">
      <thead><tr><th>call</th><th>model</th><th>input</th><th>output</th><th>thinking</th><th>cost</th><th>latency</th></tr></thead>
      <tbody>${calls.map((call) => html`<tr><td>${call.role}</td><td>${call.model}</td><td>${call.usage.input}</td><td>${call.usage.output}</td><td>${call.usage.thinking}</td><td>${usd(call.costUsd, 6)}</td><td>${milliseconds(call.latencyMs)}</td></tr>`)}</tbody>
    </table>
    <details open>
      <summary>response (${generation.text.length.toLocaleString('en-US')} characters)</summary>
      <div class="response" dangerouslySetInnerHTML=${{ __html: renderMathText(generation.text) }}></div>
    </details>
  </section>`;
}

/** One problem: the question and every answer, rendered, with grades, the route and the calls. */
export function ProblemPage(props: { model: PageModel; route: Extract<PageRoute, { view: 'problem' }> }): VNode {
  const { model, route } = props;
  const index = model.rows.findIndex((row) => row.id === route.id);
  const back = formatRoute({ view: 'run', state: route.state, point: route.point });
  if (index === -1) return html`<section class="problem"><p><a href=${back}>← problems</a></p><p>No problem ${route.id} in this bundle.</p></section>`;
  const problem = model.data.problems[index]!;
  const row = model.rows[index]!;
  const neighbour = (step: number) => model.rows[index + step] && formatRoute({ view: 'problem', id: model.rows[index + step]!.id, state: route.state, point: route.point });
  return html`<section class="problem" id="problem-page" data-id=${problem.id}>
    <p class="nav"><a href=${back} id="back">← problems</a>${neighbour(-1) ? html` · <a href=${neighbour(-1)}>previous</a>` : ''}${neighbour(1) ? html` · <a href=${neighbour(1)}>next</a>` : ''}</p>
    <h2>${row.label} <small>${problem.id}${row.subject ? ` · ${row.subject}` : ''}${row.level ? ` · level ${row.level}` : ''}</small></h2>
    <div class="question" id="question" dangerouslySetInnerHTML=${{ __html: problem.question === null ? '<em>question not in the bundle (dataset not at hand)</em>' : renderMathText(problem.question) }}></div>
    <p class="gold">gold: <${MathAnswer} tex=${problem.answer.record.gold} id="gold" /></p>
    <${Answer} title="run" answer=${problem.answer} id="answer-run" />
    ${problem.large ? html`<${Answer} title="large" answer=${problem.large} id="answer-large" />` : ''}
    ${problem.compare ? html`<${Answer} title=${model.data.compare?.grades === 'math' ? 'the same record, graded by core/math' : model.data.compare?.grades === 'regrade' ? 'the same record, regraded' : 'compared run'} answer=${problem.compare} id="answer-compare" />` : ''}
    <p class="muted">cost of the run's calls: ${usd(row.costUsd, 6)} · accuracy of the run: ${percent(model.summary.accuracy)}</p>
  </section>`;
}
