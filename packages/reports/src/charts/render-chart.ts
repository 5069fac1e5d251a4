import { availableParallelism } from 'node:os';
import type { TopLevelSpec } from 'vega-lite';
import { ChartWorkerPool } from './chart-worker-pool.js';
import { chartRenderingSetup, type RenderedChart } from './render-chart-in-process.js';

export type { RenderedChart } from './render-chart-in-process.js';

/**
 * The most charts rendered at once: a report has two or three big ones, and while they render the main thread only
 * waits, so two workers use a two-core machine fully; more would each load vega for little gain.
 */
const MOST_CHART_WORKERS = 2;

/** The process's chart workers, made on first use. */
let pool: ChartWorkerPool | null = null;

function chartWorkers(): ChartWorkerPool {
  pool ??= new ChartWorkerPool(Math.min(MOST_CHART_WORKERS, availableParallelism()), chartRenderingSetup());
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
  await stopping?.stop();
}

/**
 * Renders a Vega-Lite spec headlessly in a worker thread: Vega-Lite → Vega → `View.toSVG()` (no canvas), then resvg
 * turns the SVG into PNG with the DejaVu Sans font — byte for byte what `renderChartInProcess` gives, without loading
 * those packages in this thread. Charts asked for together render side by side. Output is deterministic for a given
 * spec. `name` names the chart in an error (default: its title).
 */
export function renderChart(spec: TopLevelSpec, name: string = chartName(spec)): Promise<RenderedChart> {
  return chartWorkers().render(spec, name);
}

function chartName(spec: TopLevelSpec): string {
  return typeof spec.title === 'string' ? spec.title : 'chart';
}
