import type { RunRecord } from '@confide/core';

export interface AccuracySummary {
  correct: number;
  total: number;
  /** correct / total as a percentage (computed as correct * 100 / total so 339 of 500 is exactly 67.8). */
  percent: number;
}

/** Response accuracy: the share of records whose grade is correct. */
export function accuracy(records: readonly RunRecord[]): AccuracySummary {
  const correct = records.filter((record) => record.grade.correct).length;
  return { correct, total: records.length, percent: records.length === 0 ? 0 : (correct * 100) / records.length };
}
