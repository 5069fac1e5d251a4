import type { RunRecord } from '@confide/core';
import { gradePairs, type FoundSides, type MathGrader } from './math-grader.js';

/** One record of a run, graded again. */
export interface RegradedRecord {
  problemId: string;
  sourceId: string | null;
  gold: string | null;
  /** The answer graded: the one found in the recorded extracted answer, or in the full response text. */
  answer: string | null;
  /** The rule that found the answer on each side. */
  found: FoundSides;
  recorded: boolean;
  regraded: boolean;
  reason: string;
  ms: number;
}

export interface RegradeOptions {
  /** Grade the full response text instead of the recorded extracted answer (the grader finds the answer in it). */
  extract?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Grades a run's records again with the math grader, keeping the recorded verdicts for comparison. */
export async function regradeRecords(records: readonly RunRecord[], grader: MathGrader, options: RegradeOptions = {}): Promise<RegradedRecord[]> {
  const verdicts = await gradePairs(
    records.map((record) => ({ gold: record.gold ?? '', pred: options.extract ? record.generation.text : record.generation.answer })),
    grader,
    options.onProgress,
  );
  return records.map((record, index) => {
    const verdict = verdicts[index]!;
    return {
      problemId: record.problemId,
      sourceId: record.sourceId ?? null,
      gold: record.gold,
      answer: verdict.found.prediction?.answer ?? null,
      found: verdict.found,
      recorded: record.grade.correct,
      regraded: verdict.equivalent,
      reason: verdict.reason,
      ms: verdict.ms,
    };
  });
}

/**
 * The records with core/math's verdicts on their full responses (the answer found on both sides, mode auto): the
 * records of "the same run under another grader", as `confide compare --grades math` and `confide view` pair them.
 */
export async function withMathGrades(records: readonly RunRecord[], grader: MathGrader): Promise<RunRecord[]> {
  const regraded = await regradeRecords(records, grader, { extract: true });
  return records.map((record, index) => ({ ...record, grade: { correct: regraded[index]!.regraded, evaluator: 'core/math', reason: regraded[index]!.reason } }));
}
