import { describe, expect, it } from 'vitest';
import { accuracyCostChart } from './accuracy-cost-chart.js';
import { renderChart } from './render-chart.js';
import { tokenCorrectnessChart } from './token-correctness-chart.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

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
});
