import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { defaultPoint, type PageModel, pageView } from '../page-model.js';
import { formatRoute, parseRoute, type PageRoute } from '../route.js';
import { roleIndex } from '../runs.js';
import { ComparePanel } from './compare-panel.js';
import { ProblemPage } from './problem-page.js';
import { ProblemTable } from './problem-table.js';
import { RunHeader } from './run-header.js';
import { ThresholdPanel } from './threshold-panel.js';

/** The page: the view named by the URL's hash, over a model computed once from the bundle's data or a server's columns. */
export function App(props: { model: PageModel }): VNode {
  const { model } = props;
  const [hash, setHash] = useState(location.hash);
  // a served problem or a search's matches arrived: draw again
  const [, setArrivals] = useState(0);
  useEffect(() => model.subscribe(() => setArrivals((arrivals) => arrivals + 1)), [model]);
  // when the view last changed: the time to the next paint is reported on the count line (data-render-ms)
  const changedAt = useRef(performance.now());
  useEffect(() => {
    const onChange = () => {
      changedAt.current = performance.now();
      setHash(location.hash);
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  useEffect(() => {
    const elapsed = performance.now() - changedAt.current;
    document.getElementById('problem-count')?.setAttribute('data-render-ms', elapsed.toFixed(2));
  }, [hash]);
  const route = parseRoute(hash);
  const view = pageView(model, route);
  const point = Math.min(route.point ?? defaultPoint(view.threshold), Math.max(0, (view.threshold?.points.length ?? 1) - 1));
  const navigate = (next: PageRoute) => {
    const target = formatRoute(next);
    changedAt.current = performance.now();
    // filters and the slider replace the entry (no history step per keystroke); opening a problem adds one
    if (next.view === 'problem' || next.view !== route.view) location.hash = target;
    else history.replaceState(null, '', target);
    setHash(target);
  };
  const table = html`<${ProblemTable} model=${model} view=${view} route=${route} point=${point} navigate=${navigate} />`;
  let body: VNode;
  if (route.view === 'problem') body = html`<${ProblemPage} model=${model} view=${view} route=${route} />`;
  else if (route.view === 'threshold' && view.thresholdOffered) body = html`<${ThresholdPanel} model=${model} view=${view} route=${route} point=${point} navigate=${navigate} />${table}`;
  else if (route.view === 'compare' && view.comparison) body = html`<${ComparePanel} model=${model} view=${view} route=${route} navigate=${navigate} />${table}`;
  else body = table;
  const layout = model.models ? 'app has-models' : roleIndex(model.meta, 'compare') !== null ? 'app has-compare' : 'app';
  return html`<div class=${layout}>
    <${RunHeader} model=${model} view=${view} route=${route} />
    <main>${body}</main>
    <footer>Written by <code>${model.meta.command}</code>. ${model.source.comparison === null ? 'Every number on this page is computed here from the columns the server sends (the rows of the records); a problem\'s answers are read when it is opened.' : 'Every number on this page is computed here from the records.'}</footer>
  </div>`;
}
