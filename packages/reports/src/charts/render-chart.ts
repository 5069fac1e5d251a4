import type { TopLevelSpec } from 'vega-lite';
import { ChartWorkerPool } from './chart-worker-pool.js';
import { chartRenderingSetup, type RenderedChart } from './render-chart-in-process.js';

export type { RenderedChart } from './render-chart-in-process.js';

/**
 * The most charts rendered at once. One: an ablation starts its big curve charts as soon as its curves are known
 * (`prerenderChart`), so they render on the second core while the main thread computes the sections after them; a
 * second worker would load vega again on that same core (measured on 2 cores: one worker 3-9 % faster end to end).
 */
const MOST_CHART_WORKERS = 1;

/** The process's chart workers, made on first use. */
let pool: ChartWorkerPool | null = null;

function chartWorkers(): ChartWorkerPool {
  pool ??= new ChartWorkerPool(MOST_CHART_WORKERS, chartRenderingSetup());
  return pool;
}

/**
 * Starts the chart workers now, so that they load vega, vega-lite and resvg (about a third of a second) while the
 * command computes what it will chart. A command that writes charts calls it at launch; without it, the first
 * `renderChart` starts them. The workers do not keep the process alive while idle.
 */
export function startChartRenderer(): void {
  chartWorkers().start();
}

/** Stops the chart workers (a later `renderChart` starts fresh ones); charts still rendering reject. */
export async function stopChartRenderer(): Promise<void> {
  const stopping = pool;
  pool = null;
  prerendered.clear();
  await stopping?.stop();
}

/**
 * Renders a Vega-Lite spec headlessly in a worker thread: Vega-Lite → Vega → `View.toSVG()` (no canvas), then resvg
 * turns the SVG into PNG with the DejaVu Sans font — byte for byte what `renderChartInProcess` gives, without loading
 * those packages in this thread (one after another, in the order asked). Output is deterministic for a given
 * spec. `name` names the chart in an error (default: its title).
 */
export function renderChart(spec: TopLevelSpec, name: string = chartName(spec)): Promise<RenderedChart> {
  const key = specKey(spec);
  const started = prerendered.get(key);
  if (started !== undefined) {
    prerendered.delete(key);
    return started;
  }
  return chartWorkers().render(spec, name);
}

/** Charts started ahead of the report that shows them, by `specKey` (what `renderChart` of that spec returns). */
const prerendered = new Map<string, Promise<RenderedChart>>();

/** A spec as a key: its JSON, with NaN and ±Infinity kept apart from null (JSON writes all three as null). */
function specKey(spec: TopLevelSpec): string {
  return JSON.stringify(spec, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? `${value} (number)` : value));
}

/** Drops the charts started ahead and not taken (a command that failed after starting them). */
export function forgetPrerenderedCharts(): void {
  prerendered.clear();
}

/**
 * Starts rendering a chart now, while the command computes the rest of its report (an ablation's curves are known
 * before its bootstrap, calibration and guarantees): a later `renderChart` of an identical spec gets this render
 * (the output is a function of the spec). A failure surfaces there; a render nobody asks for is dropped.
 */
export function prerenderChart(spec: TopLevelSpec, name: string = chartName(spec)): Promise<RenderedChart> {
  const rendering = chartWorkers().render(spec, name);
  rendering.catch(() => undefined); // rejected to the renderChart that takes it (none: dropped)
  prerendered.set(specKey(spec), rendering);
  return rendering;
}

function chartName(spec: TopLevelSpec): string {
  return typeof spec.title === 'string' ? spec.title : 'chart';
}
