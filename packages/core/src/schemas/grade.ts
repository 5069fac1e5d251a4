import { z } from 'zod';

/**
 * A verdict on one answer. `evaluator` is the plugin id, or `recorded` for a verdict carried by a recorded run.
 * `correct` is the source's binary verdict; `score` is graded quality in [0, 1] (partial credit, F1, a judge's
 * fraction) where the source gives one. Where a source gives only a score, `correct` = score ≥ its `binarizeAt`.
 */
export const Grade = z.strictObject({
  correct: z.boolean(),
  score: z.number().min(0).max(1).optional(),
  evaluator: z.string().min(1),
  reason: z.string().optional(),
});
export type Grade = z.infer<typeof Grade>;

/** Where a graded score becomes a binary verdict when a source gives only the score (stated in every report). */
export const DEFAULT_BINARIZE_AT = 0.5;

/** A grade's score: the graded one where there is one, else 1 for a correct answer and 0 for a wrong one. */
export function gradeScore(grade: Pick<Grade, 'correct' | 'score'>): number {
  return grade.score ?? (grade.correct ? 1 : 0);
}
