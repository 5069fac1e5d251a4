import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { percent, usd } from '../format.js';
import type { PageModel } from '../page-model.js';
import { formatRoute, type PageRoute } from '../route.js';

/** Two runs (or two graders) on the same problems: flips, McNemar's test, the paired-bootstrap interval and cost. */
export function ComparePanel(props: { model: PageModel; route: PageRoute }): VNode {
  const { model, route } = props;
  const comparison = model.comparison!;
  const flipsLink = formatRoute({ view: 'run', state: { ...route.state, flips: true }, point: route.point });
  const confidence = model.data.bootstrap.confidence;
  return html`<section class="compare" id="compare-panel">
    <h2><code>${comparison.left}</code> against <code>${comparison.right}</code> <small>(${comparison.problems} problems, paired)</small></h2>
    <dl class="summary" id="compare-numbers">
      <div><dt>accuracy</dt><dd>${percent(comparison.accuracies[0])} → ${percent(comparison.accuracies[1])}</dd></div>
      <div><dt>right → wrong</dt><dd id="compare-right-to-wrong" data-value=${comparison.flips.rightToWrong}>${comparison.flips.rightToWrong}</dd></div>
      <div><dt>wrong → right</dt><dd id="compare-wrong-to-right" data-value=${comparison.flips.wrongToRight}>${comparison.flips.wrongToRight}</dd></div>
      <div><dt>difference</dt><dd id="compare-difference" data-value=${comparison.difference}>${(comparison.difference * 100).toFixed(1)} points</dd></div>
      <div><dt>${Math.round(confidence * 100)}% interval</dt><dd id="compare-interval" data-lower=${comparison.differenceInterval.lower} data-upper=${comparison.differenceInterval.upper}>[${(comparison.differenceInterval.lower * 100).toFixed(1)}, ${(comparison.differenceInterval.upper * 100).toFixed(1)}]</dd></div>
      <div><dt>McNemar p</dt><dd id="compare-p" data-value=${comparison.mcnemar.pValue}>${comparison.mcnemar.pValue.toPrecision(3)} <small>(${comparison.mcnemar.method})</small></dd></div>
      <div><dt>cost</dt><dd id="compare-cost" data-value=${comparison.costDifferenceUsd}>${usd(comparison.costUsd[0])} → ${usd(comparison.costUsd[1])} (${comparison.costDifferenceUsd >= 0 ? '+' : ''}${usd(comparison.costDifferenceUsd)})</dd></div>
    </dl>
    <p class="muted">Paired bootstrap: ${model.data.bootstrap.resamples} resamples, seed ${model.data.bootstrap.seed}; the same functions as the ablation report and <code>confide compare</code>. <a href=${flipsLink} id="show-flips">Show the ${comparison.flips.rightToWrong + comparison.flips.wrongToRight} flips</a>.</p>
  </section>`;
}
