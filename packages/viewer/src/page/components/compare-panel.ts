import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { percent, usd } from '../format.js';
import type { PageModel, PageView } from '../page-model.js';
import { formatRoute, type PageRoute } from '../route.js';
import { RunPick } from './run-pick.js';

/** Two runs (or two graders) on the same problems: flips, McNemar's test, the paired-bootstrap intervals and cost. */
export function ComparePanel(props: { model: PageModel; view: PageView; route: PageRoute; navigate: (route: PageRoute) => void }): VNode {
  const { model, view, route, navigate } = props;
  const comparison = view.comparison!;
  const stats = comparison.runs;
  const flipsLink = formatRoute({ view: 'run', state: { ...route.state, flips: true }, point: route.point, picks: route.picks });
  const confidence = model.meta.bootstrap.confidence;
  const names = model.names;
  const pick = (side: 'left' | 'right') => (name: string) =>
    navigate({ ...route, picks: { ...route.picks, left: names[comparison.left], right: names[comparison.right], [side]: name } });
  const options = names.map((name) => [name, name] as [string, string]);
  const scores = comparison.scores;
  return html`<section class="compare" id="compare-panel" data-left=${names[comparison.left]} data-right=${names[comparison.right]}>
    <h2><code>${stats.left}</code> against <code>${stats.right}</code> <small>(${stats.problems} problems, paired)</small></h2>
    <form class="filters pair-pick" onSubmit=${(event: Event) => event.preventDefault()}>
      <${RunPick} label="left" id="compare-left" value=${names[comparison.left]!} options=${options} onChange=${pick('left')} />
      <${RunPick} label="right" id="compare-right" value=${names[comparison.right]!} options=${options} onChange=${pick('right')} />
    </form>
    <dl class="summary" id="compare-numbers">
      ${scores ? html`<div><dt>mean score</dt><dd id="compare-score" data-left=${scores.means[0]} data-right=${scores.means[1]} data-value=${scores.difference}>${scores.means[0].toFixed(3)} → ${scores.means[1].toFixed(3)}</dd></div>
      <div><dt>score ${Math.round(confidence * 100)}% interval</dt><dd id="compare-score-interval" data-lower=${scores.interval.lower} data-upper=${scores.interval.upper}>${(scores.difference * 100).toFixed(1)} points [${(scores.interval.lower * 100).toFixed(1)}, ${(scores.interval.upper * 100).toFixed(1)}]</dd></div>` : ''}
      <div><dt>accuracy</dt><dd>${percent(stats.accuracies[0])} → ${percent(stats.accuracies[1])}</dd></div>
      <div><dt>right → wrong</dt><dd id="compare-right-to-wrong" data-value=${stats.flips.rightToWrong}>${stats.flips.rightToWrong}</dd></div>
      <div><dt>wrong → right</dt><dd id="compare-wrong-to-right" data-value=${stats.flips.wrongToRight}>${stats.flips.wrongToRight}</dd></div>
      <div><dt>difference</dt><dd id="compare-difference" data-value=${stats.difference}>${(stats.difference * 100).toFixed(1)} points</dd></div>
      <div><dt>${Math.round(confidence * 100)}% interval</dt><dd id="compare-interval" data-lower=${stats.differenceInterval.lower} data-upper=${stats.differenceInterval.upper}>[${(stats.differenceInterval.lower * 100).toFixed(1)}, ${(stats.differenceInterval.upper * 100).toFixed(1)}]</dd></div>
      <div><dt>McNemar p</dt><dd id="compare-p" data-value=${stats.mcnemar.pValue}>${stats.mcnemar.pValue.toPrecision(3)} <small>(${stats.mcnemar.method})</small></dd></div>
      <div><dt>cost</dt><dd id="compare-cost" data-value=${stats.costDifferenceUsd}>${usd(stats.costUsd[0])} → ${usd(stats.costUsd[1])} (${stats.costDifferenceUsd >= 0 ? '+' : ''}${usd(stats.costDifferenceUsd)})</dd></div>
    </dl>
    <p class="muted">Paired bootstrap: ${model.meta.bootstrap.resamples} resamples, seed ${model.meta.bootstrap.seed}; the same functions as the ablation report and <code>confide compare</code>${scores ? '; flips, accuracy and McNemar read the binary verdicts, the mean score the graded ones' : ''}. <a href=${flipsLink} id="show-flips">Show the ${stats.flips.rightToWrong + stats.flips.wrongToRight} flips</a>.</p>
  </section>`;
}
