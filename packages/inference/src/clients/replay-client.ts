import {
  NotFoundError,
  PLUGIN_SPECIFICATION_VERSION,
  ZERO_USAGE,
  type Generation,
  type RunRecord,
  type TokenUsage,
} from '@confide/core';
import { CancelledError } from '../errors.js';
import type { LiveGenerateOptions, LiveGenerationRequest, LiveModelClient } from '../live-model-client.js';

export interface ReplayClientOptions {
  /** A label for errors and the cache identity, e.g. the recorded run's id. */
  runId: string;
  records: readonly RunRecord[];
  /** Only this model's records (a delegated run holds both models' answers). */
  model?: string;
  /** `recorded`: report the recorded latency at once; `simulate`: also wait that long (times `latencyScale`). */
  latency: 'recorded' | 'simulate';
  latencyScale: number;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(new CancelledError())), { once: true });
  });
}

/**
 * Serves a recorded run through the live path: the recorded text, usage, finish reason and confidence token of the
 * problem a request is for (by problem id). Its answers cost nothing to get again, so it bypasses the cache; its
 * bound for the budget is the recorded usage itself.
 */
export class ReplayClient implements LiveModelClient {
  readonly specificationVersion = PLUGIN_SPECIFICATION_VERSION;
  readonly cacheable = false;
  readonly model: string;
  readonly identity: Readonly<Record<string, unknown>>;
  readonly #byProblem = new Map<string, Generation>();

  constructor(private readonly options: ReplayClientOptions) {
    for (const record of options.records) {
      if (options.model === undefined || record.generation.model === options.model) {
        this.#byProblem.set(record.problemId, record.generation);
      }
    }
    const models = new Set([...this.#byProblem.values()].map((generation) => generation.model));
    if (models.size !== 1) {
      throw new NotFoundError(
        `replay:${options.runId} must hold one model's answers (found ${[...models].join(', ') || 'none'}); name one with "model"`,
      );
    }
    this.model = [...models][0]!;
    this.identity = { provider: 'replay', run: options.runId, model: this.model };
  }

  #recorded(problemId: string): Generation {
    const generation = this.#byProblem.get(problemId);
    if (generation === undefined) throw new NotFoundError(`replay:${this.options.runId} has no ${this.model} answer for ${problemId}`);
    return generation;
  }

  maxUsage(request: LiveGenerationRequest): TokenUsage {
    return this.#byProblem.get(request.problem.id)?.usage ?? ZERO_USAGE;
  }

  async generate(request: LiveGenerationRequest, options: LiveGenerateOptions = {}): Promise<Generation> {
    const recorded = this.#recorded(request.problem.id);
    if (this.options.latency === 'simulate' && recorded.latencyMs !== null) {
      await wait(recorded.latencyMs * this.options.latencyScale, options.signal);
    }
    const { confidenceProbabilities, ...rest } = recorded;
    return { ...rest, ...(confidenceProbabilities ? { confidenceProbabilities } : {}), answer: null };
  }
}
