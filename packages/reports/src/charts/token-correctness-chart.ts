import type { TopLevelSpec } from 'vega-lite';

export interface TokenCorrectnessCell {
  token: string;
  outcome: 'correct' | 'incorrect';
  count: number;
}

/** The fine-tuned SLM's confidence token against correctness, as grouped bars. */
export function tokenCorrectnessChart(cells: readonly TokenCorrectnessCell[], title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 300,
    height: 260,
    data: { values: cells.map((cell) => ({ ...cell })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'token', type: 'nominal', title: 'confidence token', sort: ['<|c_math|>', '<|u_math|>', 'none'] },
      xOffset: { field: 'outcome', type: 'nominal' },
      y: { field: 'count', type: 'quantitative', title: 'problems' },
      color: {
        field: 'outcome',
        type: 'nominal',
        scale: { domain: ['correct', 'incorrect'], range: ['#4c9a5f', '#c8553d'] },
      },
      tooltip: [
        { field: 'token', type: 'nominal' },
        { field: 'outcome', type: 'nominal' },
        { field: 'count', type: 'quantitative' },
      ],
    },
  };
}
