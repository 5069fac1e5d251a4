import { ConfidenceToken } from '@confide/core';
import { z } from 'zod';

/** Version of the JSON-lines protocol spoken by packages/training/python (confide_runner/protocol.py). */
export const RUNNER_PROTOCOL_VERSION = 1;

const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative();

export const RunnerReadyEvent = z.strictObject({
  type: z.literal('ready'),
  protocolVersion: z.literal(RUNNER_PROTOCOL_VERSION),
  command: z.enum(['train', 'generate']),
  runnerVersion: z.string(),
  pid: count,
  device: z.string(),
  precision: z.enum(['bf16', 'fp16', 'fp32']),
  worldSize: z.number().int().positive(),
  versions: z.record(z.string(), z.string()),
});

export const RunnerProgressEvent = z.strictObject({
  type: z.literal('progress'),
  phase: z.enum(['load', 'train', 'generate']),
  step: count,
  totalSteps: count.nullable(),
  epoch: z.number().nonnegative().optional(),
  epochs: z.number().nonnegative().optional(),
  loss: z.number().nullable().optional(),
  learningRate: z.number().nullable().optional(),
  tokensPerSecond: z.number().nonnegative().nullable().optional(),
  elapsedSeconds: seconds.optional(),
  etaSeconds: seconds.nullable().optional(),
  message: z.string().optional(),
});

export const RunnerMetricEvent = z.strictObject({
  type: z.literal('metric'),
  name: z.string(),
  value: z.number().nullable(),
  step: count,
});

export const RunnerCheckpointEvent = z.strictObject({
  type: z.literal('checkpoint'),
  path: z.string(),
  step: count,
  epoch: z.number().nonnegative().nullable(),
  reason: z.enum(['interval', 'cancel', 'final']),
});

export const RunnerGenerationEvent = z.strictObject({
  type: z.literal('generation'),
  id: z.string(),
  text: z.string(),
  confidenceToken: ConfidenceToken.nullable(),
  confidenceProbabilities: z.strictObject({
    confident: z.number().min(0).max(1),
    uncertain: z.number().min(0).max(1),
  }),
  usage: z.strictObject({ input: count, output: count }),
  finishReason: z.enum(['stop', 'length']),
  latencyMs: z.number().nonnegative(),
  /** With `logprobs: k` in the config: each output token's k most likely logprobs, most likely first. */
  topLogprobs: z.array(z.array(z.number().max(0))).optional(),
});

const status = z.enum(['completed', 'cancelled']);

export const RunnerTrainResultEvent = z.strictObject({
  type: z.literal('result'),
  command: z.literal('train'),
  status,
  adapterPath: z.string().nullable(),
  checkpointPath: z.string().nullable(),
  durationSeconds: seconds,
  steps: count,
  epochs: z.number().nonnegative().nullable(),
  plannedEpochs: z.number().nonnegative().nullable(),
  firstLoss: z.number().nullable(),
  finalLoss: z.number().nullable(),
  examples: count,
  tokensSeen: count,
});

export const RunnerGenerateResultEvent = z.strictObject({
  type: z.literal('result'),
  command: z.literal('generate'),
  status,
  count,
  outputTokens: count,
  durationSeconds: seconds,
});

export const RunnerErrorEvent = z.strictObject({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  details: z
    .strictObject({
      file: z.string(),
      line: z.number().int().positive().nullable(),
      field: z.string().nullable(),
      problem: z.string(),
    })
    .optional(),
});

export const RunnerEvent = z.union([
  RunnerReadyEvent,
  RunnerProgressEvent,
  RunnerMetricEvent,
  RunnerCheckpointEvent,
  RunnerGenerationEvent,
  RunnerTrainResultEvent,
  RunnerGenerateResultEvent,
  RunnerErrorEvent,
]);

export type RunnerReadyEvent = z.infer<typeof RunnerReadyEvent>;
export type RunnerProgressEvent = z.infer<typeof RunnerProgressEvent>;
export type RunnerMetricEvent = z.infer<typeof RunnerMetricEvent>;
export type RunnerCheckpointEvent = z.infer<typeof RunnerCheckpointEvent>;
export type RunnerGenerationEvent = z.infer<typeof RunnerGenerationEvent>;
export type RunnerTrainResultEvent = z.infer<typeof RunnerTrainResultEvent>;
export type RunnerGenerateResultEvent = z.infer<typeof RunnerGenerateResultEvent>;
export type RunnerResultEvent = RunnerTrainResultEvent | RunnerGenerateResultEvent;
export type RunnerErrorEvent = z.infer<typeof RunnerErrorEvent>;
export type RunnerEvent = z.infer<typeof RunnerEvent>;

const schemaByType = {
  ready: RunnerReadyEvent,
  progress: RunnerProgressEvent,
  metric: RunnerMetricEvent,
  checkpoint: RunnerCheckpointEvent,
  generation: RunnerGenerationEvent,
  error: RunnerErrorEvent,
} as const;

export type ParsedRunnerLine = { ok: true; event: RunnerEvent } | { ok: false; problem: string };

/** Parse one stdout line of the runner. Never throws: a bad line comes back as a problem to report. */
export function parseRunnerLine(line: string): ParsedRunnerLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'not a JSON object' };
  }
  const type = (value as { type?: unknown }).type;
  const schema =
    type === 'result'
      ? (value as { command?: unknown }).command === 'generate'
        ? RunnerGenerateResultEvent
        : RunnerTrainResultEvent
      : typeof type === 'string' && Object.hasOwn(schemaByType, type)
        ? schemaByType[type as keyof typeof schemaByType]
        : undefined;
  if (schema === undefined) {
    return { ok: false, problem: `unknown event type ${JSON.stringify(type)}` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length > 0 ? issue.path.join('.') : '(event)';
    return { ok: false, problem: `${String(type)} event, ${path}: ${issue.message}` };
  }
  return { ok: true, event: parsed.data };
}
