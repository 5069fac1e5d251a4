import { RUN_RECORD_SCHEMA_VERSION, type ConfidenceToken, type RunRecord, type TokenUsage } from '@confide/core';

/** Builds a RunRecord for tests from the few fields a metric reads. */
export function makeRecord(fields: {
  id: string;
  correct: boolean;
  token?: ConfidenceToken | null;
  model?: string;
  usage?: TokenUsage;
  subject?: string;
  level?: number;
}): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'test',
    problemId: fields.id,
    gold: '1',
    ...(fields.subject === undefined ? {} : { subject: fields.subject }),
    ...(fields.level === undefined ? {} : { level: fields.level }),
    generation: {
      model: fields.model ?? 'qwen2.5-math-1.5b-instruct',
      text: '',
      answer: '1',
      confidenceToken: fields.token ?? null,
      usage: fields.usage ?? { input: 0, output: 0, thinking: 0 },
      latencyMs: null,
      finishReason: null,
    },
    grade: { correct: fields.correct, evaluator: 'recorded' },
  };
}
