import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as ResvgModule from '@resvg/resvg-js';
import type * as VegaModule from 'vega';
import type * as VegaLiteModule from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** Fonts Debian ships with fonts-dejavu-core; resvg gets them as files, so no system font lookup happens. */
const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/**
 * DejaVu Sans cut down to the characters charts use (Latin, Greek, punctuation, arrows, mathematical operators), with
 * every layout table kept for them: `assets/fonts/`, made by scripts/subset-chart-font.sh, with the code points it
 * draws and the sha256 of the font it was cut from. resvg reads its font file again for each glyph it draws, so a chart
 * drawn with this 124 KB file instead of the 760 KB one renders in about 0.7 of the time, pixel for pixel the same.
 */
const CHART_FONT_SUBSET = fileURLToPath(new URL('../../assets/fonts/DejaVuSans-chart-subset', import.meta.url));

/** The fonts a chart is drawn with: `files`, or `subset.file` alone for a chart whose every character is in `subset.codePoints` (inclusive spans). */
export interface ChartFonts {
  files: string[];
  subset: { file: string; codePoints: Array<[number, number]> } | null;
}

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
 * resolves them (a worker thread imports them from these URLs: it cannot resolve from this package's source); the URL
 * of the one-file bundle of vega and vega-lite (`vegaBundle`, exporting `vega` and `vegaLite`: a worker loads it in a
 * third of the time) where one was made from the installed versions, else null; and the fonts resvg is given
 * (DejaVu Sans where it is installed, else none; its subset where it was cut from that very file).
 */
export interface ChartRenderingSetup {
  moduleUrls: { vega: string; vegaLite: string; resvg: string; vegaBundle: string | null };
  fonts: ChartFonts;
}

/** The bundle of vega and vega-lite that scripts/bundle-chart-modules.mjs writes (reports' `bundle` target). */
const VEGA_BUNDLE_FOLDER = fileURLToPath(new URL('../../dist-chart-modules/', import.meta.url));

/** The version in the package.json of the package whose entry `entry` is (the nearest one above it of that name). */
function installedVersion(name: string, entry: string): string | null {
  for (let folder = dirname(entry); folder !== dirname(folder); folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name: found, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (found === name) return version ?? null;
  }
  return null;
}

/** Where this package resolves vega and vega-lite (their entry files). */
function vegaEntries(): { vega: string; vegaLite: string } {
  const require = createRequire(import.meta.url);
  return { vega: require.resolve('vega'), vegaLite: require.resolve('vega-lite') };
}

/**
 * The installed versions of vega and vega-lite, as this package resolves them: what the bundle records when it is made
 * (scripts/bundle-chart-modules.mjs) and what it must match to be used.
 */
export function installedVegaVersions(entries: { vega: string; vegaLite: string } = vegaEntries()): { vega: string | null; 'vega-lite': string | null } {
  return { vega: installedVersion('vega', entries.vega), 'vega-lite': installedVersion('vega-lite', entries.vegaLite) };
}

/** The bundle's URL when it was made from these installed versions of vega and vega-lite; null when absent or stale. */
function vegaBundleUrl(entries: { vega: string; vegaLite: string }, folder: string): string | null {
  const file = join(folder, 'vega-and-vega-lite.js');
  const versionsFile = join(folder, 'versions.json');
  if (!existsSync(file) || !existsSync(versionsFile)) return null;
  const made = JSON.parse(readFileSync(versionsFile, 'utf8')) as Record<string, unknown>;
  const installed = installedVegaVersions(entries);
  return made['vega'] === installed.vega && made['vega-lite'] === installed['vega-lite'] ? pathToFileURL(file).href : null;
}

/**
 * The fonts charts are drawn with: DejaVu Sans where it is installed (else none), and its subset (`fontSubset`: the
 * path without `.ttf`/`.json`, for tests) where it was cut from the installed file (same sha256), else none.
 */
export function chartFonts(installed: string = DEJAVU_SANS, fontSubset: string = CHART_FONT_SUBSET): ChartFonts {
  if (!existsSync(installed)) return { files: [], subset: null };
  const files = [installed];
  if (!existsSync(`${fontSubset}.ttf`) || !existsSync(`${fontSubset}.json`)) return { files, subset: null };
  const made = JSON.parse(readFileSync(`${fontSubset}.json`, 'utf8')) as { madeFrom?: { sha256?: string }; codePoints?: Array<[number, number]> };
  const sha256 = createHash('sha256').update(readFileSync(installed)).digest('hex');
  if (made.madeFrom?.sha256 !== sha256 || !Array.isArray(made.codePoints)) return { files, subset: null };
  return { files, subset: { file: `${fontSubset}.ttf`, codePoints: made.codePoints } };
}

/** This install's rendering setup (resolved in the thread that starts the workers); `vegaBundleFolder` for tests. */
export function chartRenderingSetup(vegaBundleFolder: string = VEGA_BUNDLE_FOLDER): ChartRenderingSetup {
  const entries = { ...vegaEntries(), resvg: createRequire(import.meta.url).resolve('@resvg/resvg-js') };
  return {
    moduleUrls: {
      vega: pathToFileURL(entries.vega).href,
      vegaLite: pathToFileURL(entries.vegaLite).href,
      resvg: pathToFileURL(entries.resvg).href,
      vegaBundle: vegaBundleUrl(entries, vegaBundleFolder),
    },
    fonts: chartFonts(),
  };
}

/**
 * Renders a Vega-Lite spec headlessly with the given modules: Vega-Lite → Vega → `View.toSVG()` (no canvas), then
 * resvg turns the SVG into PNG (twice the size) with `fonts` (the subset alone where it holds every character of the
 * SVG: its text and any numeric character reference). Output is deterministic for a given spec.
 *
 * Self-contained on purpose — no reference outside its own body, no inner function — because the chart worker runs
 * this very function from its source text (chart-worker-pool.ts), so a chart is rendered by the same code in this
 * thread and in a worker.
 */
export async function renderChartWithModules(modules: ChartModules, spec: TopLevelSpec, fonts: ChartFonts): Promise<RenderedChart> {
  const vegaSpec = modules.vegaLite.compile({ ...spec, config: { font: 'DejaVu Sans', ...spec.config } }).spec;
  const view = new modules.vega.View(modules.vega.parse(vegaSpec), { renderer: 'none' });
  try {
    await view.runAsync();
    const svg = await view.toSVG();
    let fontFiles = fonts.files;
    if (fonts.subset !== null) {
      // every character the SVG can show, beyond printable ASCII (which the subset holds): those written out, then
      // those written as numeric character references
      const codes: number[] = [];
      for (let index = 0; index < svg.length; index++) {
        const code = svg.codePointAt(index)!;
        if (code > 0xffff) index++;
        if ((code < 0x20 || code > 0x7e) && code !== 9 && code !== 10 && code !== 13) codes.push(code);
      }
      for (const [, reference] of svg.matchAll(/&#(x[0-9a-f]+|[0-9]+);/gi)) codes.push(/^x/i.test(reference!) ? Number.parseInt(reference!.slice(1), 16) : Number(reference));
      let covered = true;
      for (let at = 0; at < codes.length && covered; at++) {
        covered = false;
        for (const [from, to] of fonts.subset.codePoints) if (codes[at]! >= from && codes[at]! <= to) covered = true;
      }
      if (covered) fontFiles = [fonts.subset.file];
    }
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
  return renderChartWithModules({ vega, vegaLite, resvg }, spec, chartRenderingSetup().fonts);
}
