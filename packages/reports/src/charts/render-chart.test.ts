import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspaceRoot } from '@confide/data';
import type { TopLevelSpec } from 'vega-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { accuracyCostChart } from './accuracy-cost-chart.js';
import { ChartWorkerPool } from './chart-worker-pool.js';
import { prerenderChart, renderChart, startChartRenderer, stopChartRenderer } from './render-chart.js';
import { chartFonts, chartRenderingSetup, renderChartInProcess, type RenderedChart } from './render-chart-in-process.js';
import { reliabilityChart, routingCurvesChart, type CurvePoint } from './routing-curves-chart.js';
import { tokenCorrectnessChart } from './token-correctness-chart.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

afterAll(() => stopChartRenderer());

/** A chart as bytes, so that two renderings compare with one `toEqual` (a PNG from a worker is a plain Uint8Array). */
const bytes = (chart: RenderedChart) => ({ ...chart, png: Buffer.from(chart.png).toString('base64') });

/** Routing curves with enough points (two routers, 200 thresholds each) to take the workers a while. */
function curvesSpec(seed: number, logX: boolean): TopLevelSpec {
  const points: CurvePoint[] = ['router A', 'router B'].flatMap((router, offset) =>
    Array.from({ length: 200 }, (_, order) => ({ router, kind: 'curve' as const, x: 0.01 + order * (seed + offset + 1) * 0.001, accuracy: 60 + 30 * Math.sqrt(order / 199) - offset * 2, order })),
  );
  return routingCurvesChart(points, { title: `curves ${seed}`, xTitle: 'x', logX });
}

describe('renderChart', () => {
  it('renders the accuracy–cost chart to SVG and PNG, identically twice', async () => {
    const spec = accuracyCostChart(
      [
        { label: 'SLM', kind: 'small model', costUsd: 0.03, accuracy: 67.8, onFrontier: true },
        { label: 'LLM', kind: 'large model', costUsd: 2.79, accuracy: 88.6, onFrontier: true },
      ],
      'test',
      'MATH-500',
    );
    const first = await renderChart(spec);
    expect(first.svg.startsWith('<svg')).toBe(true);
    expect(first.svg).toContain('SLM');
    expect([...first.png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
    expect(first.width).toBe(560);
    const second = await renderChart(spec);
    expect(second.svg).toBe(first.svg);
    expect(Buffer.from(second.png).equals(Buffer.from(first.png))).toBe(true);
  });

  it('uses a log cost axis and draws the frontier as a line', () => {
    const spec = accuracyCostChart([{ label: 'a', kind: 'k', costUsd: 1, accuracy: 1, onFrontier: true }], 't', 'MATH-500') as unknown as {
      layer: Array<{ mark: { type: string }; encoding: { x: { scale?: { type: string } } } }>;
    };
    expect(spec.layer[0]!.mark.type).toBe('line');
    expect(spec.layer[1]!.encoding.x.scale?.type).toBe('log');
  });

  it('renders the token × correctness bars', async () => {
    const chart = await renderChart(
      tokenCorrectnessChart(
        [
          { token: '<|c_math|>', outcome: 'correct', count: 298 },
          { token: '<|c_math|>', outcome: 'incorrect', count: 47 },
        ],
        'tokens',
      ),
    );
    expect(chart.svg).toContain('confidence token');
    expect(chart.height).toBeGreaterThan(0);
  });

  it('renders in the worker byte for byte what this thread renders, several charts at once, each its own', async () => {
    startChartRenderer();
    const specs = [curvesSpec(1, true), curvesSpec(2, false), reliabilityChart([{ score: 'p', meanScore: 0.3, accuracy: 0.4, count: 12 }], 'reliability'), curvesSpec(3, true)];
    const inWorkers = await Promise.all(specs.map((spec, at) => renderChart(spec, `chart ${at}`)));
    const inThisThread: RenderedChart[] = [];
    for (const spec of specs) inThisThread.push(await renderChartInProcess(spec));
    expect(inWorkers.map(bytes)).toEqual(inThisThread.map(bytes));
    expect(new Set(inWorkers.map((chart) => chart.svg)).size).toBe(specs.length);
  });

  it('renders a committed report\'s chart byte for byte as it was committed', async () => {
    const folder = join(workspaceRoot(), 'reports', 'ablation-math500');
    const chart = await renderChart(JSON.parse(readFileSync(join(folder, 'reliability.vl.json'), 'utf8')) as TopLevelSpec, 'reliability');
    expect(chart.svg).toBe(readFileSync(join(folder, 'reliability.svg'), 'utf8'));
    expect(Buffer.from(chart.png).equals(readFileSync(join(folder, 'reliability.png')))).toBe(true);
  });

  it("rejects a chart that fails with the chart's name, and goes on rendering the others", async () => {
    const broken = renderChart({ layer: 5 } as unknown as TopLevelSpec, 'broken-chart');
    const fine = renderChart(curvesSpec(4, false), 'fine-chart');
    await expect(broken).rejects.toThrow(/^chart "broken-chart": .*layer/);
    expect((await fine).svg.startsWith('<svg')).toBe(true);
  });

  it('hands a chart started ahead (prerenderChart) to the renderChart of an identical spec, once; another spec renders afresh', async () => {
    const spec = curvesSpec(7, true);
    const ahead = prerenderChart(spec, 'ahead');
    const taken = renderChart(JSON.parse(JSON.stringify(spec)) as TopLevelSpec);
    expect(taken).toBe(ahead);
    const direct = await renderChartInProcess(spec);
    expect(bytes(await taken)).toEqual(bytes(direct));
    // taken once: a second request for the same spec renders again (the same bytes)
    const again = renderChart(spec);
    expect(again).not.toBe(ahead);
    expect(bytes(await again)).toEqual(bytes(direct));
    prerenderChart(curvesSpec(8, false), 'never asked for');
    expect(bytes(await renderChart(curvesSpec(9, false)))).toEqual(bytes(await renderChartInProcess(curvesSpec(9, false))));
  });

  it('rejects the charts still rendering when the renderer is stopped, and starts afresh on the next chart', async () => {
    const stopped = expect(renderChart(curvesSpec(5, true), 'stopped-chart')).rejects.toMatchObject({ code: 'CANCELLED', message: 'chart "stopped-chart": the chart renderer was stopped' });
    await stopChartRenderer();
    await stopped;
    expect((await renderChart(curvesSpec(5, true))).svg).toContain('curves 5');
  });

  it('does not keep a process alive: one that started the renderer, rendered and returned exits by itself', () => {
    const script = [
      `const { renderChart, startChartRenderer } = await import(${JSON.stringify(fileURLToPath(new URL('./render-chart.ts', import.meta.url)))});`,
      'startChartRenderer();',
      "const chart = await renderChart({ mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } });",
      'console.log(chart.svg.slice(0, 4));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull(); // not killed at the timeout
    expect(child.stdout).toBe('<svg\n');
  });

  it("keeps vega, vega-lite and resvg out of the importing thread: @confide/reports loads none of them", () => {
    const list = join(mkdtempSync(join(tmpdir(), 'confide-chart-imports-')), 'loaded.txt');
    const recordLoads = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(${JSON.stringify(list)}, url + '\\n'); return next(url, context); }`;
    const registerHook = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(recordLoads)}`)});`;
    const script = `await import(${JSON.stringify(new URL('../index.ts', import.meta.url).href)});`;
    const child = spawnSync(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(registerHook)}`, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const loaded = readFileSync(list, 'utf8').trim().split('\n');
    // the hook saw the package (so an empty list below means something)
    expect(loaded.some((url) => url.endsWith('/packages/reports/src/charts/render-chart.ts'))).toBe(true);
    expect(loaded.filter((url) => /\/node_modules\/(vega|vega-lite|@resvg)\//.test(url))).toEqual([]);
  }, 60_000);
});

describe('the one-file bundle of vega and vega-lite (scripts/bundle-chart-modules.mjs, the reports bundle target)', () => {
  const made = join(workspaceRoot(), 'packages', 'reports', 'dist-chart-modules');

  it('is what the setup names where it was made from the installed versions; not where absent, or made from others', () => {
    if (!existsSync(join(made, 'versions.json'))) throw new Error('no bundle of vega: run "npm run build" (the reports test target depends on its bundle target)');
    expect(chartRenderingSetup().moduleUrls.vegaBundle).toMatch(/\/packages\/reports\/dist-chart-modules\/vega-and-vega-lite\.js$/);
    expect(chartRenderingSetup(mkdtempSync(join(tmpdir(), 'confide-no-vega-bundle-'))).moduleUrls.vegaBundle).toBeNull();
    const stale = mkdtempSync(join(tmpdir(), 'confide-stale-vega-bundle-'));
    cpSync(made, stale, { recursive: true });
    const versions = JSON.parse(readFileSync(join(stale, 'versions.json'), 'utf8')) as Record<string, string>;
    writeFileSync(join(stale, 'versions.json'), JSON.stringify({ ...versions, 'vega-lite': '0.0.1' }));
    expect(chartRenderingSetup(stale).moduleUrls.vegaBundle).toBeNull();
  });

  it('renders in a worker byte for byte what the packages themselves render', async () => {
    const setup = chartRenderingSetup();
    expect(setup.moduleUrls.vegaBundle).not.toBeNull();
    const bundled = new ChartWorkerPool(1, setup);
    const unbundled = new ChartWorkerPool(1, { ...setup, moduleUrls: { ...setup.moduleUrls, vegaBundle: null } });
    try {
      const specs = [curvesSpec(6, true), reliabilityChart([{ score: 'p', meanScore: 0.6, accuracy: 0.5, count: 30 }], 'reliability'), tokenCorrectnessChart([{ token: '<|c_math|>', outcome: 'correct', count: 40 }, { token: '<|u_math|>', outcome: 'incorrect', count: 9 }], 'tokens')];
      const fromBundle = await Promise.all(specs.map((spec, at) => bundled.render(spec, `bundled ${at}`)));
      const fromPackages = await Promise.all(specs.map((spec, at) => unbundled.render(spec, `unbundled ${at}`)));
      expect(fromBundle.map(bytes)).toEqual(fromPackages.map(bytes));
    } finally {
      await Promise.all([bundled.stop(), unbundled.stop()]);
    }
  }, 60_000);
});

describe('the chart font subset (assets/fonts/, made by scripts/subset-chart-font.sh)', () => {
  const installed = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

  it('is used where it was cut from the installed font (the same sha256); not where that font differs or is missing', () => {
    expect(existsSync(installed)).toBe(true); // Debian's fonts-dejavu-core, which every chart here is drawn with
    const fonts = chartFonts();
    expect(fonts.files).toEqual([installed]);
    expect(fonts.subset?.file).toMatch(/\/packages\/reports\/assets\/fonts\/DejaVuSans-chart-subset\.ttf$/);
    expect(fonts.subset?.codePoints[0]).toEqual([0x20, 0x7e]);
    const folder = mkdtempSync(join(tmpdir(), 'confide-font-'));
    const other = join(folder, 'DejaVuSans.ttf');
    copyFileSync(installed, other);
    const bytes = readFileSync(other);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(other, bytes);
    expect(chartFonts(other)).toEqual({ files: [other], subset: null });
    expect(chartFonts(join(folder, 'missing.ttf'))).toEqual({ files: [], subset: null });
  });

  it('draws a chart whose characters it holds pixel for pixel as the whole font does, and leaves one with a character it lacks to the whole font', async () => {
    const setup = chartRenderingSetup();
    const subset = setup.fonts.subset!;
    const withSubset = new ChartWorkerPool(1, setup);
    const wholeFont = new ChartWorkerPool(1, { ...setup, fonts: { ...setup.fonts, subset: null } });
    const subsetAlone = new ChartWorkerPool(1, { ...setup, fonts: { files: [subset.file], subset: null } });
    const titled = (title: string) => reliabilityChart([{ score: 'P(c) ≤ 0.5 → λ', meanScore: 0.6, accuracy: 0.5, count: 30 }], title);
    try {
      const held = [curvesSpec(3, false), titled('Reliability – “calibrated” scores, λ ≥ 0.5 → ±1 %')];
      const lacking = titled('Reliability ★ of the scores');
      const [fromSubset, fromWhole] = await Promise.all([withSubset, wholeFont].map((pool) => Promise.all([...held, lacking].map((spec, at) => pool.render(spec, `chart ${at}`)))));
      expect(fromSubset!.map(bytes)).toEqual(fromWhole!.map(bytes));
      // the subset has no ★: drawn with it alone, the chart differs (so the one above fell back to the whole font)
      const lackingFromSubset = await subsetAlone.render(lacking, 'lacking');
      expect(bytes(lackingFromSubset).png).not.toEqual(bytes(fromWhole![2]!).png);
      expect(bytes(await subsetAlone.render(held[1]!, 'held'))).toEqual(bytes(fromWhole![1]!));
    } finally {
      await Promise.all([withSubset.stop(), wholeFont.stop(), subsetAlone.stop()]);
    }
  }, 60_000);
});
