import { NotFoundError, type Problem, type RunRecord } from '@confide/core';

/**
 * Where the engine gets a model's answer to a problem: a replayed recorded run offline, a live model client online.
 * The engine asks only for the problems it needs, so a live source is called only for those.
 */
export interface GenerationSource {
  /** A label for errors and the manifest, e.g. `replay:qwen-1.5b-lora-confidence`. */
  readonly label: string;
  generationFor(problem: Problem, options?: { signal?: AbortSignal }): Promise<RunRecord>;
}

/**
 * Serves the records of a recorded run by problem id. With `model`, only that model's records are served (a delegated
 * run holds both models' answers; each replay source takes one side).
 */
export function replaySource(runId: string, records: readonly RunRecord[], model?: string): GenerationSource {
  const byProblem = new Map<string, RunRecord>();
  for (const record of records) {
    if (model === undefined || record.generation.model === model) byProblem.set(record.problemId, record);
  }
  const label = `replay:${runId}${model ? `:${model}` : ''}`;
  return {
    label,
    async generationFor(problem) {
      const record = byProblem.get(problem.id);
      if (record === undefined) {
        throw new NotFoundError(`${label} has no answer for ${problem.id}`);
      }
      return record;
    },
  };
}
