import { z } from 'zod';

/** A verdict on one answer. `evaluator` is the plugin id, or `recorded` for a verdict carried by a recorded run. */
export const Grade = z.strictObject({
  correct: z.boolean(),
  evaluator: z.string().min(1),
  reason: z.string().optional(),
});
export type Grade = z.infer<typeof Grade>;
