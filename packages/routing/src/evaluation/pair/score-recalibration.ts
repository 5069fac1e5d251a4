import { orientedScore, SeededDraws, type ScoreDirection } from '@confide/core';
import { bootstrapCounts, DEFAULT_CROSS_FIT, DEFAULT_RECALIBRATION, recalibrateByMethods, type CalibrationMethod, type Recalibration, type RecalibrationOptions } from '@confide/metrics';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import type { PairRouterCurves } from './router-curves.js';

/** The methods an ablation's recalibration section shows by default. */
export const REPORTED_RECALIBRATION_METHODS: readonly CalibrationMethod[] = ['isotonic', 'platt'];

/** One swept score recalibrated by one method: the figures before and after, as summary.json carries them. */
export interface ScoreRecalibration extends Omit<Recalibration, 'calibrated'> {
  router: string;
  score: string;
  direction: ScoreDirection;
  /** Recalibrated on a seeded sample of the scored problems (field scale), or null when on every one of them. */
  sample: { size: number; of: number; seed: number } | null;
  /** The calibrators read the score on the keep-high scale: a keep-low score (a length) is negated first. */
  calibratedOn: 'the score' | 'the negated score';
}

/**
 * Every swept score of the pair (but a calibrated one) recalibrated against the small model's verdicts (`correct`), on the problems that have
 * the score, by each method (default isotonic and Platt): cross-fitted by problem id (default 5 folds, seed 0), ECE
 * (equal-width and equal-mass, 15 bins unless `bins` says), Brier and AUROC before and after with paired-bootstrap
 * intervals (`recalibrateByMethods`: `recalibrate` by each method, sharing what depends on the score alone). Pass the experiment's resamples and seed; at field scale `refit: false` keeps the cost at
 * one pass over the problems per resample instead of `folds` refits.
 */
export function sweptScoreRecalibration(
  table: OutcomeTable,
  routers: PairRouterCurves,
  options: Omit<RecalibrationOptions, 'method'> & {
    methods?: readonly CalibrationMethod[];
    sample?: number;
    /** The resamples drawn so far by number of problems, shared by calls with the same settings (one router's score at a time). */
    resamplesByProblems?: Map<number, Uint32Array>;
  } = {},
): ScoreRecalibration[] {
  const { methods = REPORTED_RECALIBRATION_METHODS, sample, resamplesByProblems = new Map<number, Uint32Array>(), ...settings } = options;
  // the resamples of n problems, drawn once for every score held by n problems (most scores are held by all of them)
  const resamplesOf = (n: number): Uint32Array => {
    let counts = resamplesByProblems.get(n);
    if (counts === undefined) {
      counts = bootstrapCounts(n, settings.resamples ?? DEFAULT_RECALIBRATION.resamples, settings.bootstrapSeed ?? DEFAULT_RECALIBRATION.bootstrapSeed);
      resamplesByProblems.set(n, counts);
    }
    return counts;
  };
  return [...routers.sweeps.entries()].flatMap(([id, { scores, score, direction, calibration }]) => {
    // a calibrated score is calibrated already (cross-fitted): the calibration section shows its ECE and Brier
    if (calibration !== undefined) return [];
    const allScored = Array.from(scores.keys()).filter((index) => Number.isFinite(scores[index]!));
    // each resample sorts its problems (AUROC, equal-mass bins): beyond `sample` problems, a seeded sample of them
    const sampleSeed = settings.bootstrapSeed ?? 0;
    const scored = sample !== undefined && allScored.length > sample ? seededSample(allScored, sample, sampleSeed) : allScored;
    const sampled = scored.length < allScored.length ? { size: scored.length, of: allScored.length, seed: sampleSeed } : null;
    // a score held by fewer problems than folds cannot be cross-fitted: left out
    if (scored.length < (settings.folds ?? DEFAULT_CROSS_FIT.folds)) return [];
    const label = routers.curves.find((curve) => curve.id === id)!.label;
    const ids = scored.map((index) => table.problemIds[index]!);
    const oriented = Float64Array.from(scored, (index) => orientedScore(scores[index]!, direction));
    const correct = Uint8Array.from(scored, (index) => table.smallCorrect[index]!);
    // every method at once: the figures before are the score's, shared by the methods, and the resamples the problems'
    return recalibrateByMethods(ids, oriented, correct, { ...settings, methods, resampleCounts: resamplesOf(scored.length) }).map(({ calibrated: _calibrated, ...figures }) => ({
      router: label,
      score,
      direction,
      sample: sampled,
      calibratedOn: direction === 'keep-high' ? ('the score' as const) : ('the negated score' as const),
      ...figures,
    }));
  });
}

/** `size` of `indices`, a seeded uniform sample (partial Fisher–Yates on core's stream), kept in their order. */
function seededSample(indices: readonly number[], size: number, seed: number): number[] {
  const pool = Uint32Array.from(indices.keys());
  const chosen = new Uint8Array(indices.length);
  new SeededDraws(seed).markSubset(pool, size, chosen);
  return indices.filter((_, position) => chosen[position] === 1);
}
