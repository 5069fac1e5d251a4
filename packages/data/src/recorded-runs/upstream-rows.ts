import { z } from 'zod';

/** Turns a numeric string into a number and leaves anything else for the number schema to reject. */
function numericString(pattern: RegExp) {
  return (value: unknown) => (typeof value === 'string' && pattern.test(value) ? Number(value) : value);
}

/** A count upstream stores as a number or as a numeric string; becomes a non-negative integer. */
const tokenCount = z.preprocess(
  numericString(/^\s*\d+\s*$/),
  z
    .number({ error: 'expected a non-negative integer token count' })
    .int('expected a non-negative integer token count')
    .nonnegative('expected a non-negative integer token count'),
);

const seconds = z.preprocess(
  numericString(/^\s*\d+(\.\d+)?([eE][-+]?\d+)?\s*$/),
  z.number({ error: 'expected a number of seconds' }).nonnegative('expected a number of seconds'),
);

const verdict = z.union([
  z.boolean(),
  z.enum(['True', 'False', 'true', 'false']).transform((text) => text.toLowerCase() === 'true'),
]);

const problemId = z.string().regex(/^prob_\d+$/, 'expected prob_<index>');

/** Upstream's name for "no confidence token". */
export const NO_CONFIDENCE_TOKEN = 'No Confidence Token';
const confidenceToken = z.enum(['<|c_math|>', '<|u_math|>', NO_CONFIDENCE_TOKEN]);

/** One row of a `{summary, results}` JSON file. Router fields are present only in delegation runs. */
export const UpstreamResultRow = z.object({
  problem_id: problemId,
  subject: z.string(),
  question: z.string(),
  ground_truth: z.string(),
  prediction: z.string(),
  extract_answer: z.string(),
  is_correct: verdict,
  latency_total: seconds,
  reason: z.string().optional(),
  input_tokens: tokenCount,
  output_tokens: tokenCount,
  thinking_tokens: tokenCount.optional(),
  hand_off_model: z.enum(['SLM Math Expert', 'LLM Math Experts']).optional(),
  planning_input_tokens: tokenCount.optional(),
  planning_output_tokens: tokenCount.optional(),
  planning_thinking_tokens: tokenCount.optional(),
  confidence_token: confidenceToken.optional(),
});
export type UpstreamResultRow = z.infer<typeof UpstreamResultRow>;

export const UpstreamResultsFile = z.object({
  summary: z.record(z.string(), z.unknown()).optional(),
  results: z.array(z.unknown()),
});

/** One row of the fine-tuned SLM's CSV (`confidence_task_result_enhanced.csv`). */
export const UpstreamConfidenceCsvRow = z.object({
  pred: z.string(),
  label: z.string(),
  full_pred: z.string(),
  full_label: z.string(),
  question: z.string(),
  confidence_token: confidenceToken,
  pair: z.string(),
  check: verdict,
  confidence_correct: verdict,
  problem_id: problemId,
  input_tokens: tokenCount,
  output_tokens: tokenCount,
});
export type UpstreamConfidenceCsvRow = z.infer<typeof UpstreamConfidenceCsvRow>;
