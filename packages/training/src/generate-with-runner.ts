import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfideError, TopLogprobsCount } from '@confide/core';
import { z } from 'zod';
import { parseConfig } from './config-error.js';
import { RayEngineOptions } from './ray-engine-options.js';
import { buildRunnerCommand } from './runner-command.js';
import type { RunnerGenerateResultEvent, RunnerGenerationEvent } from './runner-events.js';
import { RunnerFailedError } from './runner-errors.js';
import { runRunnerProcess } from './runner-process.js';
import { toRunnerProgress } from './runner-progress.js';
import { SEED_SYSTEM_PROMPT, SEED_USER_TEMPLATE } from './seed-prompt.js';
import type { RunnerRunOptions } from './train-adapter.js';

/** Greedy generation with the transformers backend: base model, optionally with a LoRA adapter. */
export const GenerateWithRunnerConfig = z.strictObject({
  baseModel: z.string().min(1),
  /** A PEFT adapter folder (finetuned_models/<run>/adapter); its confidence-token mode is read from it. */
  adapter: z.string().min(1).nullable().default(null),
  problems: z
    .array(z.strictObject({ id: z.string().min(1), problem: z.string() }))
    .min(1)
    .refine((problems) => new Set(problems.map((problem) => problem.id)).size === problems.length, {
      message: 'problem ids must be unique',
    }),
  /** Override the adapter's mode (needed only without an adapter). */
  confidenceTokens: z.enum(['text', 'special']).nullable().default(null),
  maxNewTokens: z.number().int().positive().default(1024),
  batchSize: z.number().int().positive().default(8),
  precision: z.enum(['auto', 'bf16', 'fp16', 'fp32']).default('auto'),
  systemPrompt: z.string().default(SEED_SYSTEM_PROMPT),
  userTemplate: z.string().includes('{problem}', { message: 'must contain {problem}' }).default(SEED_USER_TEMPLATE),
  /** Also report each output token's top-k logprobs (k ≤ 20), from the model's logits at that step. */
  logprobs: TopLogprobsCount.optional(),
  /** Generate on a Ray cluster (the runner's ray engine); without it, in the runner process itself. */
  ray: RayEngineOptions.optional(),
});
export type GenerateWithRunnerInput = z.input<typeof GenerateWithRunnerConfig>;

export type RunnerGeneration = Omit<RunnerGenerationEvent, 'type'>;

export interface GenerateWithRunnerOptions extends RunnerRunOptions {
  /** Each generation as soon as its batch is done (in batch order, not input order). */
  onGeneration?: (generation: RunnerGeneration) => void;
}

export interface GenerateWithRunnerResult {
  /** In the order of the input problems. */
  generations: RunnerGeneration[];
  outputTokens: number;
  durationSeconds: number;
  device: string;
}

export async function generateWithRunner(
  input: GenerateWithRunnerInput,
  options: GenerateWithRunnerOptions = {},
): Promise<GenerateWithRunnerResult> {
  const config = parseConfig(GenerateWithRunnerConfig, input, options.source ?? 'generate config');
  const folder = await mkdtemp(path.join(tmpdir(), 'confide-generate-'));
  const byId = new Map<string, RunnerGeneration>();
  const asked = new Set(config.problems.map((problem) => problem.id));
  try {
    const configPath = path.join(folder, 'generate.json');
    await writeFile(configPath, JSON.stringify(config));
    const launch = buildRunnerCommand(['generate', '--config', configPath], options);
    const outcome = await runRunnerProcess({
      ...launch,
      cwd: options.cwd,
      signal: options.signal,
      gracePeriodMs: options.gracePeriodMs,
      readyTimeoutMs: options.readyTimeoutMs,
      onInvalidLine: options.onInvalidLine,
      onStderr: options.onStderr,
      onEvent: (event) => {
        options.onEvent?.(event);
        if (event.type === 'progress') options.onProgress?.(toRunnerProgress(event));
        if (event.type === 'generation') {
          const { type: _type, ...generation } = event;
          // One answer per problem asked: a second answer, or one for a problem never asked, is the runner breaking
          // the protocol, and the run stops rather than write an answer twice.
          if (!asked.has(generation.id) || byId.has(generation.id)) {
            const what = byId.has(generation.id) ? 'a second answer' : 'an answer to a problem it was not asked';
            throw new ConfideError('SUBPROCESS_FAILED', `${options.source ?? 'runner'}: the runner sent ${what} (id ${JSON.stringify(generation.id)})`);
          }
          byId.set(generation.id, generation);
          options.onGeneration?.(generation);
        }
      },
    });
    const result = outcome.result as RunnerGenerateResultEvent;
    const missing = config.problems.filter((problem) => !byId.has(problem.id)).map((problem) => problem.id);
    if (missing.length > 0) {
      throw new RunnerFailedError(
        `runner finished without generations for ${missing.length} problem(s), e.g. ${missing[0]}`,
        { exitCode: 0, signal: null, stderrTail: outcome.stderrTail },
      );
    }
    return {
      generations: config.problems.map((problem) => byId.get(problem.id)!),
      outputTokens: result.outputTokens,
      durationSeconds: result.durationSeconds,
      device: outcome.ready.device,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
