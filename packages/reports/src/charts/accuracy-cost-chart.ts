import type { TopLevelSpec } from 'vega-lite';

export interface AccuracyCostPoint {
  label: string;
  kind: string;
  costUsd: number;
  accuracy: number;
  onFrontier: boolean;
}

/** Accuracy (%) against cost ($, log axis) for every run, with the Pareto frontier drawn as a step line. */
export function accuracyCostChart(points: readonly AccuracyCostPoint[], title: string, datasetTitle: string): TopLevelSpec {
  const frontier = points.filter((point) => point.onFrontier).sort((left, right) => left.costUsd - right.costUsd);
  const x = { field: 'costUsd', type: 'quantitative', title: `cost on ${datasetTitle} ($, log scale)`, scale: { type: 'log' } } as const;
  const y = { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)', scale: { zero: false } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: 340,
    layer: [
      {
        data: { values: frontier.map((point) => ({ ...point })) },
        mark: { type: 'line', interpolate: 'step-after', strokeDash: [4, 3], color: '#888' },
        encoding: { x, y },
      },
      {
        data: { values: points.map((point) => ({ ...point })) },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x,
          y,
          color: { field: 'kind', type: 'nominal', title: 'kind' },
          shape: { field: 'onFrontier', type: 'nominal', title: 'on Pareto frontier' },
          tooltip: [
            { field: 'label', type: 'nominal' },
            { field: 'accuracy', type: 'quantitative', format: '.1f' },
            { field: 'costUsd', type: 'quantitative', format: '$.6f' },
          ],
        },
      },
      {
        data: { values: points.map((point) => ({ ...point })) },
        mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 10 },
        encoding: { x, y, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}
