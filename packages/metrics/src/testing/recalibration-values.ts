import { readFileSync } from 'node:fs';

type Figures = Record<'eceEqualWidth' | 'eceEqualMass' | 'brier' | 'auroc', number>;

/** Values computed by numpy / scipy / scikit-learn; see fixtures/make-recalibration-fixtures.py for how. */
export interface RecalibrationValues {
  isotonic: {
    scores: number[];
    targets: number[];
    weights: number[];
    fittedAtScores: number[];
    queries: number[];
    linear: number[];
    step: number[];
    thresholds: number[];
    values: number[];
  };
  platt: Array<{
    name: string;
    scores: number[];
    labels: number[];
    weights: number[] | null;
    plattTargets: { slope: number; intercept: number };
    sklearnSigmoidCalibration: { slope: number; intercept: number };
    plainLabels: { slope: number; intercept: number };
  }>;
  temperature: Array<{ input: 'logit' | 'probability'; scores: number[]; labels: number[]; temperature: number }>;
  crossFit: {
    ids: string[];
    scores: number[];
    labels: number[];
    folds: number;
    seed: number;
    bins: number;
    foldOf: number[];
    calibrated: number[];
    before: Figures;
    after: Figures;
    resamples: number;
    bootstrapSeed: number;
    intervals: Record<'before' | 'after' | 'change', Record<keyof Figures, { lower: number; upper: number }>>;
  };
}

export const recalibrationValues = JSON.parse(
  readFileSync(new URL('../fixtures/recalibration-values.json', import.meta.url), 'utf8'),
) as RecalibrationValues;
