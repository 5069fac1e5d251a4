import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { gradeScore } from '@confide/core';
import type { ViewAnswer, ViewRun } from '../../view-data.js';
import { milliseconds, percent, usd } from '../format.js';
import { renderAnswer, renderMathText } from '../math-text.js';
import type { PageModel, PageView } from '../page-model.js';
import { formatRoute, type PageRoute } from '../route.js';
import { pConfidentOf } from '../view-model.js';

function MathAnswer(props: { tex: string | null; id?: string }): VNode {
  if (props.tex === null) return html`<em>none</em>`;
  return html`<span class="math" id=${props.id} dangerouslySetInnerHTML=${{ __html: renderAnswer(props.tex) }}></span>`;
}

/** What an answer paid: every call its record holds. */
function answerCost(answer: ViewAnswer): number {
  return answer.calls.reduce((sum, call) => sum + call.costUsd, 0);
}

function Answer(props: { title: string; answer: ViewAnswer; id: string; label?: string }): VNode {
  const { record, math, calls } = props.answer;
  const generation = record.generation;
  const p = pConfidentOf(record);
  const score = gradeScore(record.grade);
  return html`<section class="answer" id=${props.id} data-label=${props.label} data-score=${score} data-cost=${answerCost(props.answer)}>
    <h3>${props.title} <code>${record.runId}</code> · ${generation.model} <span class=${record.grade.correct ? 'verdict right' : 'verdict wrong'}>${record.grade.correct ? 'correct' : 'incorrect'}</span>${record.grade.score !== undefined ? html` <span class="score">score ${score.toFixed(3)}</span>` : ''} <small>${usd(answerCost(props.answer), 6)}</small></h3>
    <dl class="facts">
      <div><dt>recorded grade</dt><dd>${record.grade.evaluator}${record.grade.reason ? `: ${record.grade.reason}` : ''}</dd></div>
      <div><dt>extracted answer (recorded)</dt><dd><${MathAnswer} tex=${generation.answer} /></dd></div>
      ${math.explanation
        ? html`<div><dt>why</dt><dd class="math-why">gold read as <code>${math.explanation.gold ?? 'nothing'}</code> · answer read as <code>${math.explanation.prediction ?? 'nothing'}</code>${math.explanation.reading ? html` · equal when read as ${math.explanation.reading}` : ''} · decided by <code>${math.explanation.decision}</code></dd></div>`
        : ''}
      <div><dt>core/math</dt><dd class="math-grade"><span class=${math.correct ? 'verdict right' : 'verdict wrong'}>${math.correct ? 'correct' : 'incorrect'}</span> (${math.reason}) · gold ${math.gold ? html`<${MathAnswer} tex=${math.gold.answer} /> <small>[${math.gold.rule}]</small>` : 'none'} · answer ${math.prediction ? html`<${MathAnswer} tex=${math.prediction.answer} /> <small>[${math.prediction.rule}]</small>` : 'none'}</dd></div>
      <div><dt>confidence</dt><dd>${generation.confidenceToken ?? 'no token'}${p === null ? '' : ` · P(c) = ${p.toFixed(4)}`}</dd></div>
      ${record.route ? html`<div><dt>route</dt><dd>${record.route.model ?? record.route.target} · ${record.route.router}${record.route.reason ? ` · ${record.route.reason}` : ''}</dd></div>` : ''}
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

/** The heading and element id of a run's answer on the problem page. */
function answerPlace(model: PageModel, run: ViewRun, index: number): { title: string; id: string } {
  switch (run.role) {
    case 'run':
      return { title: 'run', id: 'answer-run' };
    case 'large':
      return { title: 'large', id: 'answer-large' };
    case 'compare':
      return { title: run.grades === 'math' ? 'the same record, graded by core/math' : run.grades === 'regrade' ? 'the same record, regraded' : 'compared run', id: 'answer-compare' };
    case 'model':
      return { title: model.names[index]!, id: `answer-model-${index}` };
  }
}

/** A models bundle's problem at a glance: each model's score and what its answer cost. */
function ModelsAtGlance(props: { model: PageModel; answers: readonly ViewAnswer[] }): VNode {
  return html`<table class="runs" id="problem-models">
    <thead><tr><th>model</th><th>score</th><th>verdict</th><th>cost</th><th>output</th></tr></thead>
    <tbody>${props.answers.map((answer, run) => {
      const score = gradeScore(answer.record.grade);
      return html`<tr data-run=${props.model.names[run]} data-score=${score} data-cost=${answerCost(answer)}>
        <td><a href=${`#answer-model-${run}`} onClick=${(event: Event) => {
          event.preventDefault();
          document.getElementById(`answer-model-${run}`)?.scrollIntoView();
        }}>${props.model.names[run]}</a></td><td>${score.toFixed(3)}</td><td class=${answer.record.grade.correct ? 'verdict right' : 'verdict wrong'}>${answer.record.grade.correct ? '✓' : '✗'}</td><td>${usd(answerCost(answer), 6)}</td><td>${answer.record.generation.usage.output}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

/** One problem: the question and every run's answer, rendered, with grades, scores, the route and the calls. */
export function ProblemPage(props: { model: PageModel; view: PageView; route: Extract<PageRoute, { view: 'problem' }> }): VNode {
  const { model, view, route } = props;
  const index = model.indexOf(route.id);
  const back = formatRoute({ view: 'run', state: route.state, point: route.point, picks: route.picks });
  if (index === -1) return html`<section class="problem"><p><a href=${back}>← problems</a></p><p>No problem ${route.id} in this bundle.</p></section>`;
  const asked = model.problem(index);
  if (asked.state !== 'ready') {
    const status = asked.state === 'loading' ? html`<p id="problem-loading">Loading problem ${route.id}…</p>` : html`<p class="error" id="problem-error">Problem ${route.id} could not be read: ${asked.message}</p>`;
    return html`<section class="problem"><p><a href=${back}>← problems</a></p>${status}</section>`;
  }
  const problem = asked.value;
  const row = model.rowAt(view.focus, index);
  const neighbour = (step: number) => {
    const next = index + step;
    return next >= 0 && next < model.count ? formatRoute({ view: 'problem', id: model.rowAt(view.focus, next).id, state: route.state, point: route.point, picks: route.picks }) : undefined;
  };
  return html`<section class="problem" id="problem-page" data-id=${problem.id}>
    <p class="nav"><a href=${back} id="back">← problems</a>${neighbour(-1) ? html` · <a href=${neighbour(-1)}>previous</a>` : ''}${neighbour(1) ? html` · <a href=${neighbour(1)}>next</a>` : ''}</p>
    <h2>${row.label} <small>${problem.id}${row.subject ? ` · ${row.subject}` : ''}${row.level ? ` · level ${row.level}` : ''}</small></h2>
    <div class="question" id="question" dangerouslySetInnerHTML=${{ __html: problem.question === null ? '<em>question not in the bundle (dataset not at hand)</em>' : renderMathText(problem.question) }}></div>
    <p class="gold">gold: <${MathAnswer} tex=${problem.answers[0]!.record.gold} id="gold" /></p>
    ${model.models ? html`<${ModelsAtGlance} model=${model} answers=${problem.answers} />` : ''}
    ${problem.answers.map((answer, run) => {
      const place = answerPlace(model, model.meta.runs[run]!, run);
      return html`<${Answer} title=${place.title} answer=${answer} id=${place.id} label=${model.names[run]} />`;
    })}
    ${model.models ? '' : html`<p class="muted">cost of the run's calls: ${usd(row.costUsd, 6)} · accuracy of the run: ${percent(model.summary.accuracy)}</p>`}
  </section>`;
}
