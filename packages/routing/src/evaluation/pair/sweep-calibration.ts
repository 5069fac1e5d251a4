import { handTurn, type RunControl } from '@confide/core';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import { scoreCalibration, type ScoreCalibration } from '../router-statistics.js';
import type { PairRouterCurves } from './router-curves.js';

/**
 * How well each swept score ranks and predicts the small model's verdicts (AUROC, AURC, and for probabilities ECE,
 * Brier and reliability bins: metrics of binary labels, so they read `correct`), on the problems that have the score
 * (P(c) under its token-mass floor has none). Each score is a few sorts of the problems: a turn of the event loop
 * between scores (Ctrl-C through `control`).
 */
export async function sweptScoreCalibration(table: OutcomeTable, routers: PairRouterCurves, binCount: number, control?: RunControl): Promise<ScoreCalibration[]> {
  const calibrations: ScoreCalibration[] = [];
  for (const [id, { scores, score, direction }] of routers.sweeps) {
    const scored = Array.from(scores.keys()).filter((index) => Number.isFinite(scores[index]!));
    if (scored.length === 0) continue;
    const label = routers.curves.find((curve) => curve.id === id)!.label;
    await handTurn(control, `pair: calibration of ${label}`);
    calibrations.push(scoreCalibration(label, score, direction, Float64Array.from(scored, (index) => scores[index]!), Uint8Array.from(scored, (index) => table.smallCorrect[index]!), binCount));
  }
  return calibrations;
}
