import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as ResvgModule from '@resvg/resvg-js';
import type * as VegaModule from 'vega';
import type * as VegaLiteModule from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** Fonts Debian ships with fonts-dejavu-core; resvg gets them as files, so no system font lookup happens. */
const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface RenderedChart {
  svg: string;
  png: Uint8Array;
  width: number;
  height: number;
}

/** The three packages a chart is rendered with, as their loaded modules. */
export interface ChartModules {
  vega: typeof VegaModule;
  vegaLite: typeof VegaLiteModule;
  resvg: typeof ResvgModule;
}

/**
 * Where rendering finds its packages and fonts: file URLs of vega, vega-lite and @resvg/resvg-js as this package
 * resolves them (a worker thread imports them from these URLs: it cannot resolve from this package's source), and the
 * font files resvg is given (DejaVu Sans where it is installed, else none).
 */
export interface ChartRenderingSetup {
  moduleUrls: { vega: string; vegaLite: string; resvg: string };
  fontFiles: string[];
}

/** This install's rendering setup (resolved in the thread that starts the workers). */
export function chartRenderingSetup(): ChartRenderingSetup {
  const require = createRequire(import.meta.url);
  const url = (name: string) => pathToFileURL(require.resolve(name)).href;
  return {
    moduleUrls: { vega: url('vega'), vegaLite: url('vega-lite'), resvg: url('@resvg/resvg-js') },
    fontFiles: existsSync(DEJAVU_SANS) ? [DEJAVU_SANS] : [],
  };
}

/**
 * Renders a Vega-Lite spec headlessly with the given modules: Vega-Lite → Vega → `View.toSVG()` (no canvas), then
 * resvg turns the SVG into PNG (twice the size) with `fontFiles`. Output is deterministic for a given spec.
 *
 * Self-contained on purpose — no reference outside its own body, no inner function — because the chart worker runs
 * this very function from its source text (chart-worker-pool.ts), so a chart is rendered by the same code in this
 * thread and in a worker.
 */
export async function renderChartWithModules(modules: ChartModules, spec: TopLevelSpec, fontFiles: readonly string[]): Promise<RenderedChart> {
  const vegaSpec = modules.vegaLite.compile({ ...spec, config: { font: 'DejaVu Sans', ...spec.config } }).spec;
  const view = new modules.vega.View(modules.vega.parse(vegaSpec), { renderer: 'none' });
  try {
    await view.runAsync();
    const svg = await view.toSVG();
    const resvg = new modules.resvg.Resvg(svg, {
      font: { loadSystemFonts: false, fontFiles: [...fontFiles], defaultFontFamily: 'DejaVu Sans' },
      fitTo: { mode: 'zoom', value: 2 },
      background: 'white',
    });
    return { svg, png: resvg.render().asPng(), width: view.width(), height: view.height() };
  } finally {
    view.finalize();
  }
}

/**
 * Renders a chart in this thread, importing vega, vega-lite and resvg here (the first time): the reference the chart
 * worker is tested against. Commands render with `renderChart`, which keeps these packages out of the main thread.
 */
export async function renderChartInProcess(spec: TopLevelSpec): Promise<RenderedChart> {
  const [vega, vegaLite, resvg] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  return renderChartWithModules({ vega, vegaLite, resvg }, spec, chartRenderingSetup().fontFiles);
}
