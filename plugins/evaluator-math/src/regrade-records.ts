import type { RunRecord } from '@confide/core';
import { extractAnswer } from './extract-answer.js';
import { gradePairs, type MathGrader } from './math-grader.js';

/** One record of a run, graded again. */
export interface RegradedRecord {
  problemId: string;
  sourceId: string | null;
  gold: string | null;
  /** The answer graded: the recorded extracted answer, or the one this evaluator extracts from the text. */
  answer: string | null;
  recorded: boolean;
  regraded: boolean;
  reason: string;
  ms: number;
}

export interface RegradeOptions {
  /** Extract the answer from the full response text instead of using the recorded extracted answer. */
  extract?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Grades a run's records again with the math grader, keeping the recorded verdicts for comparison. */
export async function regradeRecords(records: readonly RunRecord[], grader: MathGrader, options: RegradeOptions = {}): Promise<RegradedRecord[]> {
  const answers = records.map((record) => (options.extract ? (extractAnswer(record.generation.text, { lastNumberFallback: grader.options.lastNumberFallback })?.answer ?? null) : record.generation.answer));
  const verdicts = await gradePairs(
    records.map((record, index) => ({ gold: record.gold ?? '', pred: answers[index] ?? null })),
    grader,
    options.onProgress,
  );
  return records.map((record, index) => {
    const verdict = verdicts[index]!;
    return {
      problemId: record.problemId,
      sourceId: record.sourceId ?? null,
      gold: record.gold,
      answer: answers[index] ?? null,
      recorded: record.grade.correct,
      regraded: verdict.equivalent,
      reason: verdict.reason,
      ms: verdict.ms,
    };
  });
}
