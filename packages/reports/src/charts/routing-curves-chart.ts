import type { TopLevelSpec } from 'vega-lite';

export interface CurvePoint {
  router: string;
  /** `curve` points are joined by lines; `point` and `paper` points stand alone. */
  kind: 'curve' | 'point' | 'paper' | 'hull';
  x: number;
  accuracy: number;
  order: number;
}

/** Accuracy (%) against an x quantity (cost with a log axis, or delegation rate), one line per swept router. */
export function routingCurvesChart(
  points: readonly CurvePoint[],
  options: { title: string; xTitle: string; logX: boolean; yTitle?: string; /** What the shape legend calls standalone and diamond points (default "point", "paper"). */ sourceLabels?: { point: string; paper: string } },
): TopLevelSpec {
  const x = options.logX
    ? ({ field: 'x', type: 'quantitative', title: options.xTitle, scale: { type: 'log' } } as const)
    : ({ field: 'x', type: 'quantitative', title: options.xTitle } as const);
  const y = { field: 'accuracy', type: 'quantitative', title: options.yTitle ?? 'accuracy (%)', scale: { zero: false } } as const;
  const values = points.map((point) => ({ ...point }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 620,
    height: 380,
    data: { values },
    layer: [
      {
        transform: [{ filter: "datum.kind === 'curve'" }],
        mark: { type: 'line', point: { size: 12 }, strokeWidth: 1.5 },
        encoding: { x, y, color: { field: 'router', type: 'nominal', title: 'router', legend: { labelLimit: 520 }, scale: { scheme: 'tableau20' } }, order: { field: 'order', type: 'quantitative' } },
      },
      {
        transform: [{ filter: "datum.kind === 'hull'" }],
        mark: { type: 'line', strokeDash: [5, 3], color: '#444' },
        encoding: { x, y, order: { field: 'order', type: 'quantitative' } },
      },
      {
        transform: [{ filter: "datum.kind === 'point' || datum.kind === 'paper'" }],
        mark: { type: 'point', filled: true, size: 80 },
        encoding: {
          x,
          y,
          color: { field: 'router', type: 'nominal', title: 'router', legend: { labelLimit: 520 }, scale: { scheme: 'tableau20' } },
          shape: {
            field: 'kind',
            type: 'nominal',
            title: 'source',
            scale: { domain: ['point', 'paper'], range: ['circle', 'diamond'] },
            ...(options.sourceLabels ? { legend: { labelExpr: `datum.label === 'paper' ? ${JSON.stringify(options.sourceLabels.paper)} : ${JSON.stringify(options.sourceLabels.point)}` } } : {}),
          },
          tooltip: [
            { field: 'router', type: 'nominal' },
            { field: 'accuracy', type: 'quantitative', format: '.1f' },
            { field: 'x', type: 'quantitative', format: '.4f' },
          ],
        },
      },
    ],
  };
}

export interface ReliabilityBin {
  score: string;
  meanScore: number;
  accuracy: number;
  count: number;
}

/** Reliability diagram: accuracy of each score bin against its mean score, with the diagonal. */
export function reliabilityChart(bins: readonly ReliabilityBin[], title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: [{ a: 0, b: 0 }, { a: 1, b: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 3] },
        encoding: { x: { field: 'a', type: 'quantitative', title: 'mean score in bin' }, y: { field: 'b', type: 'quantitative', title: 'accuracy in bin' } },
      },
      {
        data: { values: bins.map((bin) => ({ ...bin })) },
        mark: { type: 'point', filled: true },
        encoding: {
          x: { field: 'meanScore', type: 'quantitative', scale: { domain: [0, 1] } },
          y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] } },
          size: { field: 'count', type: 'quantitative', title: 'answers' },
          color: { field: 'score', type: 'nominal', title: 'score' },
        },
      },
    ],
  };
}
