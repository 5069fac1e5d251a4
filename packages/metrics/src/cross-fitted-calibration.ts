import { assignFolds, InvalidInputError } from '@confide/core';
import { fitScoreCalibrator, predictCalibrated, type CalibrationMethod, type CalibratorSettings, type ScoreCalibrator } from './score-calibrator.js';
import { ascendingOrder, readScoresAndLabels, type CorrectnessLabels } from './score-inputs.js';

/** Cross-fitting's defaults: five folds by problem id, seed 0 (reports state both). */
export const DEFAULT_CROSS_FIT = { folds: 5, seed: 0 } as const;

export interface CrossFitOptions extends CalibratorSettings {
  method: CalibrationMethod;
  /** Folds, ≥ 2 (default 5). */
  folds?: number;
  /** Seed of the fold assignment (default 0). */
  seed?: number;
}

export interface CrossFittedCalibration {
  method: CalibrationMethod;
  folds: number;
  seed: number;
  /** Problem i's calibrated probability, from the calibrator fitted on every fold but its own (NaN: that had no weight). */
  probabilities: Float64Array;
  /** `calibrators[f]`: fitted on every fold but f (null when those folds had no weight), scoring fold f. */
  calibrators: Array<ScoreCalibrator | null>;
}

/**
 * Cross-fitted calibration, set up once and fitted as often as asked: problems are dealt into k folds by id
 * (`assignFolds`: a seeded shuffle of the sorted ids, so the input order does not matter), and each problem's
 * calibrated probability comes from a calibrator fitted on the other folds only — never on the problem it scores.
 * `fit(weights)` refits every fold's calibrator with per-problem weights (a bootstrap resample's counts: the copies of
 * a drawn problem share its fold, so none is scored by a calibrator that saw it); the scores are sorted once.
 */
export class CrossFitCalibration {
  readonly n: number;
  readonly folds: number;
  readonly seed: number;
  /** Problem i's fold, 0…k−1. */
  readonly foldOf: Uint32Array;
  readonly #scores: ArrayLike<number>;
  readonly #labels: Uint8Array;
  readonly #order: Uint32Array;
  readonly #options: CrossFitOptions;
  readonly #trainingWeights: Float64Array;

  constructor(ids: readonly string[], scores: ArrayLike<number>, labels: CorrectnessLabels, options: CrossFitOptions) {
    this.#labels = readScoresAndLabels(scores, labels, false);
    this.n = scores.length;
    this.folds = options.folds ?? DEFAULT_CROSS_FIT.folds;
    this.seed = options.seed ?? DEFAULT_CROSS_FIT.seed;
    if (ids.length !== this.n) throw new InvalidInputError({ field: 'ids', problem: `has ${ids.length} entries but scores has ${this.n}` });
    if (!Number.isInteger(this.folds) || this.folds < 2) throw new InvalidInputError({ field: 'folds', problem: `must be a whole number ≥ 2, got ${this.folds}` });
    if (!Number.isInteger(this.seed)) throw new InvalidInputError({ field: 'seed', problem: `must be a whole number, got ${this.seed}` });
    if (this.n < this.folds) throw new InvalidInputError({ field: 'folds', problem: `${this.folds} folds need at least ${this.folds} problems, got ${this.n}` });
    const folds = assignFolds(ids, this.folds, this.seed);
    if (folds.size !== this.n) throw new InvalidInputError({ field: 'ids', problem: `must be unique: ${this.n - folds.size} repeat` });
    this.foldOf = Uint32Array.from(ids, (id) => folds.get(id)!);
    this.#scores = scores;
    this.#order = ascendingOrder(scores);
    this.#options = options;
    this.#trainingWeights = new Float64Array(this.n);
  }

  /** Every fold's calibrator and every problem's cross-fitted probability, with per-problem weights (default 1). */
  fit(weights?: ArrayLike<number>): CrossFittedCalibration {
    const probabilities = new Float64Array(this.n);
    const calibrators: Array<ScoreCalibrator | null> = [];
    for (let fold = 0; fold < this.folds; fold++) {
      let total = 0;
      for (let index = 0; index < this.n; index++) {
        const weight = this.foldOf[index] === fold ? 0 : (weights?.[index] ?? 1);
        this.#trainingWeights[index] = weight;
        total += weight;
      }
      const calibrator = total === 0 ? null : fitScoreCalibrator(this.#options.method, this.#scores, this.#labels, { ...this.#options, weights: this.#trainingWeights, order: this.#order });
      calibrators.push(calibrator);
      for (let index = 0; index < this.n; index++) {
        if (this.foldOf[index] !== fold) continue;
        probabilities[index] = calibrator === null ? Number.NaN : predictCalibrated(calibrator, this.#scores[index]!);
      }
    }
    return { method: this.#options.method, folds: this.folds, seed: this.seed, probabilities, calibrators };
  }

  /** The calibrator fitted on every problem: what a policy would carry to score new problems (no reported figure uses it). */
  fitAll(): ScoreCalibrator {
    return fitScoreCalibrator(this.#options.method, this.#scores, this.#labels, { ...this.#options, order: this.#order });
  }
}

/**
 * Each problem's calibrated probability from a calibrator fitted on the other folds (k folds by problem id, default 5,
 * seed 0). Scores are on the keep-high scale (negate a length first).
 */
export function crossFitCalibration(ids: readonly string[], scores: ArrayLike<number>, labels: CorrectnessLabels, options: CrossFitOptions): CrossFittedCalibration {
  return new CrossFitCalibration(ids, scores, labels, options).fit();
}
