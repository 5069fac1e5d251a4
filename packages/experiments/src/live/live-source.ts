import {
  ConfideError,
  FAILED_FINISH_REASON,
  FAILED_REASON_PREFIX,
  quantiseTokenLogprobs,
  RUN_RECORD_SCHEMA_VERSION,
  summariseTokenConfidence,
  type Evaluator,
  type Generation,
  type Problem,
  type RunRecord,
  type TokenConfidence,
  type TokenConfidenceOptions,
} from '@confide/core';
import type { LogprobsSidecarWriter } from '@confide/data';
import type { GenerationSource } from '@confide/routing';
import { ApiError } from '@confide/inference';
import type { LiveGenerationRequest } from '@confide/inference';
import type { ScheduledModelClient } from '@confide/inference';
import { promptMessages, type PromptTemplate } from '@confide/core';
import type { StageLog } from '../run-folder/stage-log.js';


export interface LiveSourceOptions {
  /** `small` or `large`: the side of the delegation, used in labels and file names. */
  label: string;
  runId: string;
  client: ScheduledModelClient;
  evaluator: Evaluator;
  prompt: PromptTemplate;
  parameters: { maxOutputTokens: number; temperature?: number; seed?: number };
  /** Where each record is appended as it completes. */
  log?: StageLog<typeof import('@confide/core').RunRecord>;
  /** Records of an earlier, interrupted run of the same config: served without a request. */
  resumed?: ReadonlyMap<string, RunRecord>;
  /** Cancels requests in flight (the second Ctrl-C). Stopping new requests is the scheduler's `stop()`. */
  abortSignal?: AbortSignal;
  onRecord?: (record: RunRecord) => void;
  /**
   * Where the token logprobs of a client that records them (`logprobs: k`) go, and the windows of their DeepConf
   * summary: each answer's logprobs are appended to the stage's sidecar before its record reaches the log, and the
   * record carries the summary.
   */
  logprobs?: { sidecar: LogprobsSidecarWriter; summary: TokenConfidenceOptions };
}

export interface LiveSource extends GenerationSource {
  /** Resolves when every problem handed to the source has been recorded or has failed. */
  settled(): Promise<void>;
  request(problem: Problem): LiveGenerationRequest;
}

function failedGeneration(model: string): Generation {
  return {
    model,
    text: '',
    answer: null,
    confidenceToken: null,
    usage: { input: 0, output: 0, thinking: 0 },
    latencyMs: null,
    finishReason: FAILED_FINISH_REASON,
  };
}

/**
 * A live GenerationSource for the delegation engine: builds the prompt, calls the scheduled model client (cache,
 * budget, scheduler), grades the answer with the evaluator, and appends the RunRecord to the stage log. A request
 * that fails for good (a 400, retries used up) becomes a record of the failure with its reason, so the run goes on;
 * a stop (Ctrl-C, the budget) is thrown to the engine.
 */
export function liveSource(options: LiveSourceOptions): LiveSource {
  const pending = new Set<Promise<unknown>>();
  const request = (problem: Problem): LiveGenerationRequest => ({
    problem,
    messages: promptMessages(options.prompt, problem),
    maxOutputTokens: options.parameters.maxOutputTokens,
    ...(options.parameters.temperature !== undefined ? { temperature: options.parameters.temperature } : {}),
    ...(options.parameters.seed !== undefined ? { seed: options.parameters.seed } : {}),
  });
  const base = (problem: Problem) => ({
    schemaVersion: RUN_RECORD_SCHEMA_VERSION as typeof RUN_RECORD_SCHEMA_VERSION,
    runId: options.runId,
    problemId: problem.id,
    ...(problem.subject !== undefined ? { subject: problem.subject } : {}),
    ...(problem.level !== undefined ? { level: problem.level } : {}),
    gold: problem.answer,
  });

  const produce = async (problem: Problem): Promise<RunRecord> => {
    let generation: Generation;
    try {
      generation = await options.client.generate(request(problem), options.abortSignal ? { signal: options.abortSignal } : {});
    } catch (error) {
      if (!ApiError.isApiError(error)) throw error;
      const record: RunRecord = {
        ...base(problem),
        generation: failedGeneration(options.client.model),
        grade: { correct: false, evaluator: 'none', reason: `${FAILED_REASON_PREFIX}${error.reason}` },
      };
      options.log?.append(record);
      options.onRecord?.(record);
      return record;
    }
    const grade = await options.evaluator.grade({ gold: problem.answer ?? '', response: generation.text });
    const { tokenLogprobs, ...answered } = generation;
    let tokenConfidence: TokenConfidence | undefined;
    if (tokenLogprobs !== undefined) {
      if (options.logprobs === undefined) throw new ConfideError('INVALID_CONFIG', `${options.label} model: its client records token logprobs, and this run keeps no logprobs sidecar for it`);
      const stored = quantiseTokenLogprobs(tokenLogprobs);
      tokenConfidence = summariseTokenConfidence(stored, options.logprobs.summary);
      options.logprobs.sidecar.append(problem.id, generation.model, stored, tokenConfidence);
    }
    const record: RunRecord = {
      ...base(problem),
      generation: { ...answered, answer: grade.answer, ...(tokenConfidence !== undefined ? { tokenConfidence } : {}) },
      grade: { correct: grade.correct, ...(grade.score !== undefined ? { score: grade.score } : {}), evaluator: grade.evaluator, ...(grade.reason !== undefined ? { reason: grade.reason } : {}) },
    };
    options.log?.append(record);
    options.onRecord?.(record);
    return record;
  };

  return {
    label: `live:${options.label}:${options.client.model}`,
    request,
    async generationFor(problem) {
      const resumed = options.resumed?.get(problem.id);
      if (resumed !== undefined) return resumed;
      const promise = produce(problem);
      pending.add(promise);
      try {
        return await promise;
      } catch (error) {
        if (ConfideError.isInstance(error)) throw error;
        throw new ConfideError('API_ERROR', `${options.label} model on ${problem.id}: ${(error as Error).message}`, { cause: error });
      } finally {
        pending.delete(promise);
      }
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
