import { readFileSync } from 'node:fs';

/** Values computed by numpy / scipy / scikit-learn; see fixtures/make-reference-fixtures.py for how. */
export interface ReferenceValues {
  random: Array<{ seed: number; values: number[] }>;
  bootstrap: {
    values: number[];
    resamples: number;
    seed: number;
    firstResample: number[];
    estimate: number;
    lower95: number;
    upper95: number;
    lower90: number;
    upper90: number;
  };
  binomialCdf: Array<{ k: number; n: number; p: number; cdf: number }>;
  chiSquareSurvival: Array<{ x: number; dof: number; sf: number }>;
  mcnemar: Array<{ b: number; c: number; method: string; statistic?: number; pValue: number }>;
  calibration: Record<
    'continuous' | 'tied',
    {
      scores: number[];
      labels: number[];
      brier: number;
      auroc: number;
      eceEqualWidth10: number | null;
      eceEqualWidth15: number | null;
      eceEqualMass10: number;
      eceEqualMass7: number;
      aurc: number;
      excessAurc: number;
    }
  >;
}

export const referenceValues = JSON.parse(
  readFileSync(new URL('../fixtures/reference-values.json', import.meta.url), 'utf8'),
) as ReferenceValues;
