import { CONFIDENT_TOKEN, UNCERTAIN_TOKEN, type RunRecord } from '@confide/core';
import type { AccuracySummary } from './accuracy.js';

export interface TokenDistribution {
  confident: number;
  uncertain: number;
  none: number;
}

/** How many answers end with <|c_math|>, with <|u_math|>, and with neither. */
export function tokenDistribution(records: readonly RunRecord[]): TokenDistribution {
  const distribution: TokenDistribution = { confident: 0, uncertain: 0, none: 0 };
  for (const record of records) {
    const token = record.generation.confidenceToken;
    if (token === CONFIDENT_TOKEN) distribution.confident++;
    else if (token === UNCERTAIN_TOKEN) distribution.uncertain++;
    else distribution.none++;
  }
  return distribution;
}

/** The 2×3 table of correctness × token. */
export interface TokenCorrectnessTable {
  correct: TokenDistribution;
  incorrect: TokenDistribution;
}

export function tokenCorrectnessTable(records: readonly RunRecord[]): TokenCorrectnessTable {
  return {
    correct: tokenDistribution(records.filter((record) => record.grade.correct)),
    incorrect: tokenDistribution(records.filter((record) => !record.grade.correct)),
  };
}

/**
 * How a missing token counts in calibration accuracy: `miscalibrated` (the seed's rule: no token is never calibrated)
 * or `excluded` (left out of numerator and denominator).
 */
export type MissingTokenPolicy = 'miscalibrated' | 'excluded';

/**
 * Confidence calibration accuracy: the share of answers where <|c_math|> goes with a correct answer or <|u_math|> with
 * a wrong one.
 */
export function calibrationAccuracy(
  records: readonly RunRecord[],
  missingToken: MissingTokenPolicy = 'miscalibrated',
): AccuracySummary {
  const table = tokenCorrectnessTable(records);
  const calibrated = table.correct.confident + table.incorrect.uncertain;
  const total = missingToken === 'excluded' ? records.length - table.correct.none - table.incorrect.none : records.length;
  return { correct: calibrated, total, percent: total === 0 ? 0 : (calibrated * 100) / total };
}
