import type { Evaluator, EvaluatorVerdict, Grade, RunRecord } from '@confide/core';
import { runWorkerPool } from '../run-folder/worker-pool.js';

/**
 * What an evaluator reads of each record: `answer`, the answer the run extracted (as recorded; core/math then grades
 * the pair the recorded grader graded), or `response`, the full response (the evaluator finds the answer itself).
 */
export type GradedText = 'answer' | 'response';

export interface GradeRecordsOptions {
  reads: GradedText;
  /** Each problem's question by id, for evaluators that read it (a model verifier). */
  questions?: ReadonlyMap<string, string>;
  /** Records graded at once (default 1: in order, one at a time). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The evaluator's verdict on each record, in the records' order. */
export async function gradeRecords(records: readonly RunRecord[], evaluator: Evaluator, options: GradeRecordsOptions): Promise<EvaluatorVerdict[]> {
  let done = 0;
  return runWorkerPool(records, options.concurrency ?? 1, async (record) => {
    const question = options.questions?.get(record.problemId);
    const verdict = await evaluator.grade({
      gold: record.gold ?? '',
      ...(options.reads === 'answer' ? { response: record.generation.answer ?? '', extracted: true } : { response: record.generation.text }),
      problemId: record.problemId,
      ...(question !== undefined ? { question } : {}),
    });
    options.onProgress?.(++done, records.length);
    return verdict;
  });
}

/** A verdict as a record's grade (the verdict's own extras, such as what it found, stay out of the record). */
export function gradeOfVerdict(verdict: EvaluatorVerdict): Grade {
  return {
    correct: verdict.correct,
    ...(verdict.score !== undefined ? { score: verdict.score } : {}),
    evaluator: verdict.evaluator,
    ...(verdict.reason ? { reason: verdict.reason } : {}),
  };
}

/** The records graded again by the evaluator: "the same run under another grader". */
export async function withEvaluatorGrades(records: readonly RunRecord[], evaluator: Evaluator, options: GradeRecordsOptions): Promise<RunRecord[]> {
  const verdicts = await gradeRecords(records, evaluator, options);
  return records.map((record, index) => ({ ...record, grade: gradeOfVerdict(verdicts[index]!) }));
}
