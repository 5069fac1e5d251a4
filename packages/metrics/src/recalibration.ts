import { InvalidInputError } from '@confide/core';
import { auroc, brierScore, expectedCalibrationError, type CalibrationBin } from './calibration.js';
import { CrossFitCalibration, DEFAULT_CROSS_FIT, type CrossFittedCalibration } from './cross-fitted-calibration.js';
import { bootstrapCountStream, percentileInterval } from './paired-bootstrap.js';
import type { CalibrationMethod, CalibratorSettings, ScoreCalibrator } from './score-calibrator.js';
import { readScoresAndLabels, type CorrectnessLabels } from './score-inputs.js';
import { WeightedCalibrationFigures } from './weighted-calibration-figures.js';

/** The before/after tables' defaults: 15 bins; 1,000 resamples, seed 0, 95 % (reports state them). */
export const DEFAULT_RECALIBRATION = { bins: 15, resamples: 1000, bootstrapSeed: 0, confidence: 0.95 } as const;

export interface RecalibrationOptions extends CalibratorSettings {
  method: CalibrationMethod;
  /** Cross-fitting folds (default 5) and the seed of their assignment by problem id (default 0). */
  folds?: number;
  seed?: number;
  /** Bins of both ECEs and the reliability bins (default 15). */
  bins?: number;
  /** The paired bootstrap: resamples (default 1,000), seed of `bootstrapCountStream` (default 0), confidence (0.95). */
  resamples?: number;
  bootstrapSeed?: number;
  confidence?: number;
  /**
   * Fit every fold's calibrator again on each resample (default true: the interval includes the fit's own
   * variability; O(resamples · folds · n)). false holds the cross-fitted probabilities fixed and resamples the problems
   * only (cheaper at field scale; the interval then leaves the fit's variability out).
   */
  refit?: boolean;
}

/** A figure on the problems, and its percentile interval over the bootstrap resamples. */
export interface IntervalEstimate {
  estimate: number;
  lower: number;
  upper: number;
}

export interface CalibrationFigures {
  /** ECE (equal-width and equal-mass bins) and Brier: only for a probability (a score in [0, 1]), else null. */
  eceEqualWidth: IntervalEstimate | null;
  eceEqualMass: IntervalEstimate | null;
  brier: IntervalEstimate | null;
  /** AUROC of the score for telling right answers from wrong ones. */
  auroc: IntervalEstimate;
  /** The reliability diagram's bins on the problems (non-empty bins only), or null for a score that is no probability. */
  reliability: { equalWidth: CalibrationBin[]; equalMass: CalibrationBin[] } | null;
}

export interface Recalibration {
  /** Every setting the figures depend on, resolved (the method's own included). */
  settings: {
    method: CalibrationMethod;
    folds: number;
    seed: number;
    bins: number;
    resamples: number;
    bootstrapSeed: number;
    confidence: number;
    refit: boolean;
    interpolation: CalibratorSettings['interpolation'] | null;
    targets: CalibratorSettings['targets'] | null;
    input: CalibratorSettings['input'] | null;
  };
  problems: number;
  /** Share of right answers. */
  accuracy: number;
  /** The score as given, and its cross-fitted calibration. */
  before: CalibrationFigures;
  after: CalibrationFigures;
  /** after − before on the same resamples (paired); null where the score before is no probability. */
  change: { eceEqualWidth: IntervalEstimate | null; eceEqualMass: IntervalEstimate | null; brier: IntervalEstimate | null; auroc: IntervalEstimate };
  /** Problem i's cross-fitted calibrated probability. */
  calibrated: Float64Array;
  /** The fold calibrators that produced `calibrated` (calibrators[f] scores fold f). */
  calibrators: Array<ScoreCalibrator | null>;
  /** Fitted on every problem, for scoring new ones; no figure here uses it. */
  calibratorOnAll: ScoreCalibrator;
}

const FIGURES = ['eceEqualWidth', 'eceEqualMass', 'brier', 'auroc'] as const;
type Figure = (typeof FIGURES)[number];

/** ECEs, Brier (null for a score that is no probability) and AUROC of scores against verdicts. */
function figuresOf(scores: ArrayLike<number>, labels: Uint8Array, bins: number, probability: boolean): Record<Figure, number> {
  if (!probability) return { eceEqualWidth: Number.NaN, eceEqualMass: Number.NaN, brier: Number.NaN, auroc: auroc(scores, labels) };
  return {
    eceEqualWidth: expectedCalibrationError(scores, labels, { bins, binning: 'equal-width' }).ece,
    eceEqualMass: expectedCalibrationError(scores, labels, { bins, binning: 'equal-mass' }).ece,
    brier: brierScore(scores, labels),
    auroc: auroc(scores, labels),
  };
}

/** The figures on the problems themselves, and the reliability bins (null for a score that is no probability). */
interface Estimates {
  values: Record<Figure, number>;
  reliability: CalibrationFigures['reliability'];
}

/** `Estimates` of a score: each ECE's binning done once, for its figure and its reliability bins. */
function estimatesOf(scores: ArrayLike<number>, labels: Uint8Array, bins: number, probability: boolean): Estimates {
  if (!probability) return { values: figuresOf(scores, labels, bins, false), reliability: null };
  const equalWidth = expectedCalibrationError(scores, labels, { bins, binning: 'equal-width' });
  const equalMass = expectedCalibrationError(scores, labels, { bins, binning: 'equal-mass' });
  return {
    values: { eceEqualWidth: equalWidth.ece, eceEqualMass: equalMass.ece, brier: brierScore(scores, labels), auroc: auroc(scores, labels) },
    reliability: { equalWidth: equalWidth.bins, equalMass: equalMass.bins },
  };
}

function isProbability(scores: ArrayLike<number>): boolean {
  for (let index = 0; index < scores.length; index++) if (!(scores[index]! >= 0 && scores[index]! <= 1)) return false;
  return true;
}

/**
 * Recalibrates a score and measures it before and after: each problem's calibrated probability is cross-fitted (k
 * folds by problem id; never from a calibrator that saw the problem), and ECE (equal-width and equal-mass, `bins`
 * bins, default 15), Brier and AUROC are computed for the score as given and for the calibrated one.
 *
 * Intervals: a paired bootstrap over problems through `bootstrapCountStream(n, resamples, bootstrapSeed)`, one
 * resample at a time. On each resample the fold calibrators are fitted again on the drawn problems (their counts as
 * weights; folds stay those of the problem ids), the drawn problems are scored by them, and every figure — before,
 * after, and after − before — is computed on the drawn problems; percentile intervals. So the interval of "after"
 * includes the variability of the fit itself (`refit: false` holds the fitted probabilities fixed instead). A resample on which some fold has nothing to fit on gives NaN, which the
 * percentile interval leaves out.
 *
 * Scores are on the keep-high scale (negate a length first). ECE and Brier before are given only when every score is in
 * [0, 1]. Temperature scaling reads probabilities through their logit, other scores as logits, unless `input` says.
 */
export function recalibrate(ids: readonly string[], scores: ArrayLike<number>, labels: CorrectnessLabels, options: RecalibrationOptions): Recalibration {
  const { method, ...shared } = options;
  return recalibrateByMethods(ids, scores, labels, { ...shared, methods: [method] })[0]!;
}

export interface MethodsRecalibrationOptions extends Omit<RecalibrationOptions, 'method'> {
  /** The methods, each recalibrated with the same settings (those of another method are ignored, as by `recalibrate`). */
  methods: readonly CalibrationMethod[];
  /**
   * The resamples, drawn once for several scores of the same number of problems: `bootstrapCounts(n, resamples,
   * bootstrapSeed)` (n × resamples counts). Absent: drawn here, one resample at a time (`bootstrapCountStream`).
   */
  resampleCounts?: Uint32Array;
}

/** What one method's recalibration carries through the resamples. */
interface MethodRun {
  settings: Recalibration['settings'];
  crossFit: CrossFitCalibration;
  fitted: CrossFittedCalibration;
  after: Estimates;
  /** Held fixed (refit: false): the figures of the calibrated probabilities, and the problems that have none (NaN). */
  fixedAfter: WeightedCalibrationFigures | null;
  uncalibrated: Uint32Array;
  samples: { after: Record<Figure, Float64Array>; change: Record<Figure, Float64Array> };
}

/**
 * `recalibrate` of one score by each of `methods`, the same results as a call per method, in their order. What depends
 * on the score alone is computed once and shared: the figures before (estimates, resamples and intervals: the
 * results' `before` is one object), the bootstrap's resamples (one pass over them for every method; `resampleCounts`
 * shares them between scores too), and on each resample the drawn problems and their figures before.
 */
export function recalibrateByMethods(ids: readonly string[], scores: ArrayLike<number>, labels: CorrectnessLabels, options: MethodsRecalibrationOptions): Recalibration[] {
  const correct = readScoresAndLabels(scores, labels, false);
  const n = correct.length;
  const bins = options.bins ?? DEFAULT_RECALIBRATION.bins;
  const resamples = options.resamples ?? DEFAULT_RECALIBRATION.resamples;
  const bootstrapSeed = options.bootstrapSeed ?? DEFAULT_RECALIBRATION.bootstrapSeed;
  const confidence = options.confidence ?? DEFAULT_RECALIBRATION.confidence;
  if (!Number.isInteger(bins) || bins < 1) throw new InvalidInputError({ field: 'bins', problem: `must be a whole number ≥ 1, got ${bins}` });
  const probabilityBefore = isProbability(scores);
  const refit = options.refit ?? true;
  const runs = options.methods.map((method): MethodRun => {
    const settings: Recalibration['settings'] = {
      method,
      folds: options.folds ?? DEFAULT_CROSS_FIT.folds,
      seed: options.seed ?? DEFAULT_CROSS_FIT.seed,
      bins,
      resamples,
      bootstrapSeed,
      confidence,
      refit,
      interpolation: method === 'isotonic' ? (options.interpolation ?? 'step') : null,
      targets: method === 'platt' ? (options.targets ?? 'platt') : null,
      input: method === 'temperature' ? (options.input ?? (probabilityBefore ? 'probability' : 'logit')) : null,
    };
    const crossFit = new CrossFitCalibration(ids, scores, correct, {
      method,
      folds: settings.folds,
      seed: settings.seed,
      ...(settings.interpolation ? { interpolation: settings.interpolation } : {}),
      ...(settings.targets ? { targets: settings.targets } : {}),
      ...(settings.input ? { input: settings.input } : {}),
    });
    const fitted = crossFit.fit();
    const calibrated = fitted.probabilities;
    return {
      settings,
      crossFit,
      fitted,
      after: estimatesOf(calibrated, correct, bins, true),
      // held fixed (refit: false), the figures of a resample come from the problems sorted once: O(n + bins) each
      fixedAfter: refit ? null : new WeightedCalibrationFigures(calibrated, correct, { bins, probability: true }),
      uncalibrated: Uint32Array.from(Array.from(calibrated.keys()).filter((index) => Number.isNaN(calibrated[index]!))),
      samples: { after: sampleArrays(resamples), change: sampleArrays(resamples) },
    };
  });
  if (runs.length === 0) return [];
  const before = estimatesOf(scores, correct, bins, probabilityBefore);

  const samplesBefore = sampleArrays(resamples);
  const drawnScores = new Float64Array(n);
  const drawnCalibrated = new Float64Array(n);
  const drawnLabels = new Uint8Array(n);
  const fixedBefore = refit ? null : new WeightedCalibrationFigures(scores, correct, { bins, probability: probabilityBefore });
  let resample = 0;
  const resampleCounts = options.resampleCounts;
  if (resampleCounts !== undefined && resampleCounts.length !== n * resamples) {
    throw new InvalidInputError({ field: 'resampleCounts', problem: `must hold ${resamples} resamples of ${n} problems, got ${resampleCounts.length} counts` });
  }
  for (const counts of resampleCounts === undefined ? bootstrapCountStream(n, resamples, bootstrapSeed) : resamplesOf(resampleCounts, n)) {
    let resampledBefore: Record<Figure, number>;
    if (fixedBefore !== null) {
      resampledBefore = fixedBefore.figures(counts);
    } else {
      // the drawn problems written out, each problem counts[i] times in problem order
      let position = 0;
      for (let index = 0; index < n; index++) {
        for (let copy = 0; copy < counts[index]!; copy++) {
          drawnScores[position] = scores[index]!;
          drawnLabels[position] = correct[index]!;
          position++;
        }
      }
      resampledBefore = figuresOf(drawnScores, drawnLabels, bins, probabilityBefore);
    }
    writeFigures(samplesBefore, resample, resampledBefore);
    for (const run of runs) {
      let resampledAfter: Record<Figure, number> | null;
      if (run.fixedAfter !== null) {
        resampledAfter = noneDrawn(run.uncalibrated, counts) ? run.fixedAfter.figures(counts) : null;
      } else {
        const probabilities = run.crossFit.fit(counts).probabilities;
        let position = 0;
        let complete = true;
        for (let index = 0; index < n; index++) {
          for (let copy = 0; copy < counts[index]!; copy++) drawnCalibrated[position++] = probabilities[index]!;
          if (counts[index]! > 0 && Number.isNaN(probabilities[index]!)) complete = false;
        }
        resampledAfter = complete ? figuresOf(drawnCalibrated, drawnLabels, bins, true) : null;
      }
      const after = resampledAfter ?? UNDEFINED_FIGURES;
      writeFigures(run.samples.after, resample, after);
      for (const figure of FIGURES) run.samples.change[figure][resample] = after[figure] - resampledBefore[figure];
    }
    resample++;
  }
  const estimate = (value: number, draws: Float64Array): IntervalEstimate => ({ estimate: value, ...percentileInterval(draws, confidence) });
  const figures = ({ values, reliability }: Estimates, draws: Record<Figure, Float64Array>, probability: boolean): CalibrationFigures => ({
    eceEqualWidth: probability ? estimate(values.eceEqualWidth, draws.eceEqualWidth) : null,
    eceEqualMass: probability ? estimate(values.eceEqualMass, draws.eceEqualMass) : null,
    brier: probability ? estimate(values.brier, draws.brier) : null,
    auroc: estimate(values.auroc, draws.auroc),
    reliability,
  });
  const figuresBefore = figures(before, samplesBefore, probabilityBefore);
  const accuracy = correct.reduce((sum, value) => sum + value, 0) / n;
  return runs.map(({ settings, crossFit, fitted, after, samples }) => {
    const change = (figure: Figure) => (probabilityBefore || figure === 'auroc' ? estimate(after.values[figure] - before.values[figure], samples.change[figure]) : null);
    return {
      settings,
      problems: n,
      accuracy,
      before: figuresBefore,
      after: figures(after, samples.after, true),
      change: { eceEqualWidth: change('eceEqualWidth'), eceEqualMass: change('eceEqualMass'), brier: change('brier'), auroc: change('auroc')! },
      calibrated: fitted.probabilities,
      calibrators: fitted.calibrators,
      calibratorOnAll: crossFit.fitAll(),
    };
  });
}

/** A resample's figures where the calibrated probabilities are undefined (a drawn problem has none). */
const UNDEFINED_FIGURES: Record<Figure, number> = { eceEqualWidth: Number.NaN, eceEqualMass: Number.NaN, brier: Number.NaN, auroc: Number.NaN };

/** The resamples of `bootstrapCounts` one at a time, as `bootstrapCountStream` gives them. */
function* resamplesOf(counts: Uint32Array, n: number): Generator<Uint32Array, void, void> {
  for (let start = 0; start < counts.length; start += n) yield counts.subarray(start, start + n);
}

/** Whether none of `indices` is drawn in the resample `counts`. */
function noneDrawn(indices: Uint32Array, counts: ArrayLike<number>): boolean {
  for (let position = 0; position < indices.length; position++) if (counts[indices[position]!]! > 0) return false;
  return true;
}

function writeFigures(samples: Record<Figure, Float64Array>, resample: number, values: Record<Figure, number>): void {
  samples.eceEqualWidth[resample] = values.eceEqualWidth;
  samples.eceEqualMass[resample] = values.eceEqualMass;
  samples.brier[resample] = values.brier;
  samples.auroc[resample] = values.auroc;
}

function sampleArrays(resamples: number): Record<Figure, Float64Array> {
  return Object.fromEntries(FIGURES.map((figure) => [figure, new Float64Array(resamples)])) as Record<Figure, Float64Array>;
}
