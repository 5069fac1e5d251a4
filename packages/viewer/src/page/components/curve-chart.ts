import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { ThresholdPoint } from '../threshold.js';

const WIDTH = 520;
const HEIGHT = 300;
const PAD = { left: 56, right: 16, top: 14, bottom: 40 };

/** The score–cost curve of a threshold sweep (mean graded score; with binary grades, the accuracy), with the selected point marked. */
export function CurveChart(props: { points: readonly ThresholdPoint[]; selected: number }): VNode {
  const { points } = props;
  const costs = points.map((point) => point.costUsd);
  const accuracies = points.map((point) => point.meanScore);
  const [minCost, maxCost] = [Math.min(...costs), Math.max(...costs)];
  const [minAccuracy, maxAccuracy] = [Math.min(...accuracies), Math.max(...accuracies)];
  const x = (cost: number) => PAD.left + ((cost - minCost) / (maxCost - minCost || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (accuracy: number) => HEIGHT - PAD.bottom - ((accuracy - minAccuracy) / (maxAccuracy - minAccuracy || 1)) * (HEIGHT - PAD.top - PAD.bottom);
  const path = points.map((point, k) => `${k === 0 ? 'M' : 'L'}${x(point.costUsd).toFixed(1)},${y(point.meanScore).toFixed(1)}`).join('');
  const point = points[props.selected]!;
  return html`<svg class="curve" viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} width=${WIDTH} height=${HEIGHT} role="img" aria-label="mean score against cost">
    <line x1=${PAD.left} y1=${HEIGHT - PAD.bottom} x2=${WIDTH - PAD.right} y2=${HEIGHT - PAD.bottom} class="axis" />
    <line x1=${PAD.left} y1=${PAD.top} x2=${PAD.left} y2=${HEIGHT - PAD.bottom} class="axis" />
    <text x=${PAD.left} y=${HEIGHT - 12} class="tick">$${minCost.toFixed(3)}</text>
    <text x=${WIDTH - PAD.right} y=${HEIGHT - 12} class="tick" text-anchor="end">$${maxCost.toFixed(3)}</text>
    <text x=${(WIDTH + PAD.left) / 2} y=${HEIGHT - 2} class="label" text-anchor="middle">cost (USD)</text>
    <text x=${PAD.left - 6} y=${HEIGHT - PAD.bottom} class="tick" text-anchor="end">${(minAccuracy * 100).toFixed(1)}%</text>
    <text x=${PAD.left - 6} y=${PAD.top + 8} class="tick" text-anchor="end">${(maxAccuracy * 100).toFixed(1)}%</text>
    <path d=${path} class="line" />
    <circle cx=${x(point.costUsd)} cy=${y(point.meanScore)} r="6" class="point" />
  </svg>`;
}
