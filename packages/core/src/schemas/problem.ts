import { z } from 'zod';

/** One benchmark problem with its reference answer. `id` is the dataset's own stable id (MATH: `unique_id`). */
export const Problem = z.strictObject({
  id: z.string().min(1),
  problem: z.string(),
  answer: z.string().nullable(),
  solution: z.string().optional(),
  subject: z.string().optional(),
  level: z.number().int().min(1).max(5).optional(),
  /** The task or benchmark the problem belongs to where a source mixes several (lm-eval's task, RouterBench's eval_name). */
  slice: z.string().min(1).optional(),
});
export type Problem = z.infer<typeof Problem>;
