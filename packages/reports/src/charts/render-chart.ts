import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Fonts Debian ships with fonts-dejavu-core; resvg gets them as files, so no system font lookup happens. */
const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface RenderedChart {
  svg: string;
  png: Uint8Array;
  width: number;
  height: number;
}

/**
 * Renders a Vega-Lite spec headlessly: Vega-Lite → Vega → `View.toSVG()` (no canvas), then resvg turns the SVG into
 * PNG with the DejaVu Sans font. Output is deterministic for a given spec.
 */
export async function renderChart(spec: TopLevelSpec): Promise<RenderedChart> {
  const vegaSpec = compile({ ...spec, config: { font: 'DejaVu Sans', ...spec.config } }).spec;
  const view = new View(parseVega(vegaSpec), { renderer: 'none' });
  try {
    await view.runAsync();
    const svg = await view.toSVG();
    const resvg = new Resvg(svg, {
      font: {
        loadSystemFonts: false,
        fontFiles: existsSync(DEJAVU_SANS) ? [DEJAVU_SANS] : [],
        defaultFontFamily: 'DejaVu Sans',
      },
      fitTo: { mode: 'zoom', value: 2 },
      background: 'white',
    });
    const rendered = resvg.render();
    return { svg, png: rendered.asPng(), width: view.width(), height: view.height() };
  } finally {
    view.finalize();
  }
}
