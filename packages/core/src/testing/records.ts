import type { z } from 'zod';
import { CONFIDENT_TOKEN } from '../confidence-token.js';
import { describeZodError, InvalidInputError } from '../errors.js';
import { Generation, type TokenUsage } from '../schemas/generation.js';
import { Grade } from '../schemas/grade.js';
import { Problem } from '../schemas/problem.js';
import { RUN_RECORD_SCHEMA_VERSION, RunRecordV2, type RunRecord } from '../schemas/run-record.js';

/** A value checked by its schema; a bad override fails naming the helper and the key, as a config would. */
function checked<Schema extends z.ZodType>(schema: Schema, value: unknown, helper: string): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { key, message } = describeZodError(parsed.error, schema);
  throw new InvalidInputError({ file: helper, ...(key === undefined ? {} : { field: key }), problem: message });
}

/** A MATH-style problem (`What is 1 + 1?`, answer `2`); `overrides` replace its fields. */
export function testProblem(overrides: Partial<Problem> = {}): Problem {
  return checked(Problem, { id: 'test/1', problem: 'What is 1 + 1?', answer: '2', subject: 'Prealgebra', level: 1, ...overrides }, 'testProblem');
}

/** What `testGeneration` and `testRunRecord` take for a generation: any field, and `usage` in part. */
export type GenerationOverrides = Partial<Omit<Generation, 'usage'>> & { usage?: Partial<TokenUsage> };

/**
 * A small model's answer to `testProblem()`: a boxed `2` ending in the confident token, 120 output tokens. Override
 * what a test is about: `testGeneration({ confidenceToken: '<|u_math|>', usage: { output: 900 } })`.
 */
export function testGeneration(overrides: GenerationOverrides = {}): Generation {
  const { usage, ...rest } = overrides;
  return checked(
    Generation,
    {
      model: 'test-small-model',
      text: `1 + 1 = 2, so the answer is \\boxed{2}. ${CONFIDENT_TOKEN}`,
      answer: '2',
      confidenceToken: CONFIDENT_TOKEN,
      usage: { input: 40, output: 120, thinking: 0, ...usage },
      latencyMs: 850,
      finishReason: 'stop',
      ...rest,
    },
    'testGeneration',
  );
}

/** What `testRunRecord` takes: the problem it answers, the generation and grade in part, and any other record field. */
export interface RunRecordOverrides extends Partial<Omit<RunRecord, 'generation' | 'grade' | 'schemaVersion'>> {
  /** The problem answered: sets `problemId`, `gold`, `subject` and `level` (default: `testProblem()`). */
  problem?: Problem;
  generation?: GenerationOverrides;
  grade?: Partial<Grade>;
}

/**
 * One line of a run's records (schema v2), valid as a recorded run's: `testProblem()` answered by `testGeneration()`
 * and graded correct by `recorded`. `testRunRecord({ generation: { usage: { output: 900 } }, grade: { correct: false } })`.
 */
export function testRunRecord(overrides: RunRecordOverrides = {}): RunRecord {
  const { problem = testProblem(), generation, grade, ...rest } = overrides;
  return checked(
    RunRecordV2,
    {
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: 'test-small',
      problemId: problem.id,
      ...(problem.subject === undefined ? {} : { subject: problem.subject }),
      ...(problem.level === undefined ? {} : { level: problem.level }),
      gold: problem.answer,
      generation: testGeneration(generation),
      grade: { correct: true, evaluator: 'recorded', ...grade },
      ...rest,
    },
    'testRunRecord',
  );
}
