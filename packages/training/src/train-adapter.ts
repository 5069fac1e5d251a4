import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfideError } from '@confide/core';
import { z } from 'zod';
import { parseConfig } from './config-error.js';
import { NodeLaunch, RENDEZVOUS_TIMEOUT_SECONDS } from './distributed-launch.js';
import { buildRunnerCommand, type RunnerLaunchOptions } from './runner-command.js';
import type { RunnerCheckpointEvent, RunnerEvent, RunnerTrainResultEvent } from './runner-events.js';
import { DEFAULT_READY_TIMEOUT_MS, runRunnerProcess } from './runner-process.js';
import type { RunnerProtocolError } from './runner-errors.js';
import { SEED_SYSTEM_PROMPT, SEED_USER_TEMPLATE } from './seed-prompt.js';
import { toRunnerProgress, type RunnerProgress } from './runner-progress.js';

const positiveInteger = z.number().int().positive();

/** LoRA settings; the defaults are the seed's. */
export const LoraOptions = z.strictObject({
  rank: positiveInteger.default(8),
  alpha: positiveInteger.default(32),
  dropout: z.number().min(0).lt(1).default(0.05),
  targetModules: z.array(z.string().min(1)).min(1).default(['q_proj', 'v_proj']),
  bias: z.enum(['none', 'all', 'lora_only']).default('none'),
});

/** A training run as the runner takes it; every default is the seed's. */
export const TrainAdapterConfig = z.strictObject({
  baseModel: z.string().min(1),
  /** JSON lines of {problem, response, correct} (optional id; other keys ignored). */
  trainFile: z.string().min(1),
  /** The run folder (finetuned_models/<run>): adapter/, checkpoints/, training-config.json, manifest.json. */
  outputDir: z.string().min(1),
  runName: z.string().default(''),
  confidenceTokens: z.enum(['text', 'special']).default('text'),
  lora: LoraOptions.prefault({}),
  learningRate: z.number().positive().default(5e-5),
  epochs: z.number().positive().default(5),
  perDeviceBatchSize: positiveInteger.default(5),
  gradientAccumulationSteps: positiveInteger.default(4),
  maxLength: positiveInteger.default(512),
  maxSteps: positiveInteger.nullable().default(null),
  balance: z.boolean().default(true),
  seed: z.number().int().nonnegative().default(42),
  precision: z.enum(['auto', 'bf16', 'fp16', 'fp32']).default('auto'),
  checkpointEverySteps: positiveInteger.default(100),
  keepCheckpoints: positiveInteger.default(2),
  systemPrompt: z.string().default(SEED_SYSTEM_PROMPT),
  userTemplate: z.string().includes('{problem}', { message: 'must contain {problem}' }).default(SEED_USER_TEMPLATE),
  /** Written as manifest.json next to the adapter (e.g. the RunManifest of the run that trained it). */
  manifest: z.record(z.string(), z.unknown()).optional(),
});
export type TrainAdapterInput = z.input<typeof TrainAdapterConfig>;
export type TrainAdapterConfig = z.output<typeof TrainAdapterConfig>;

export interface RunnerRunOptions extends RunnerLaunchOptions {
  signal?: AbortSignal;
  gracePeriodMs?: number;
  readyTimeoutMs?: number;
  onProgress?: (progress: RunnerProgress) => void;
  onEvent?: (event: RunnerEvent) => void;
  onInvalidLine?: (error: RunnerProtocolError) => void;
  onStderr?: (text: string) => void;
  /** Names the config in error messages (e.g. the experiment file it came from). */
  source?: string;
}

export interface TrainAdapterOptions extends RunnerRunOptions {
  /** Continue from the newest checkpoint in outputDir (the config must match the stopped run's). */
  resume?: boolean;
  onCheckpoint?: (checkpoint: RunnerCheckpointEvent) => void;
  /**
   * This machine's part in a run across machines; `processes` is then the processes on this machine. Every node
   * runs the same config; the default ready timeout grows by torchrun's rendezvous wait.
   */
  nodes?: NodeLaunch;
}

export type TrainAdapterResult = Omit<RunnerTrainResultEvent, 'type' | 'command' | 'status' | 'adapterPath'> & {
  /**
   * The adapter folder. On node r > 0 of a run across machines node 0 writes it: this is the folder on node 0 (and
   * here too when outputDir is on a shared filesystem).
   */
  adapterPath: string;
  /** False on node r > 0 of a run across machines, whose processes write no adapter. */
  adapterWrittenHere: boolean;
  config: TrainAdapterConfig;
  device: string;
  checkpoints: RunnerCheckpointEvent[];
};

/**
 * Fine-tune a LoRA adapter with the Python runner. Rejects with RunnerCancelledError (with the checkpoint to
 * --resume from) when `signal` aborts, and with RunnerFailedError / InvalidInputError when the runner fails.
 */
export async function trainAdapter(input: TrainAdapterInput, options: TrainAdapterOptions = {}): Promise<TrainAdapterResult> {
  const config = parseConfig(TrainAdapterConfig, input, options.source ?? 'train config');
  const nodes = options.nodes === undefined ? undefined : parseConfig(NodeLaunch, options.nodes, 'node launch');
  const folder = await mkdtemp(path.join(tmpdir(), 'confide-train-'));
  try {
    const configPath = path.join(folder, 'train.json');
    await writeFile(configPath, JSON.stringify(config));
    const launch = buildRunnerCommand(['train', '--config', configPath, ...(options.resume ? ['--resume'] : [])], options, nodes);
    const outcome = await runRunnerProcess({
      ...launch,
      cwd: options.cwd,
      signal: options.signal,
      gracePeriodMs: options.gracePeriodMs,
      readyTimeoutMs: options.readyTimeoutMs ?? (nodes ? RENDEZVOUS_TIMEOUT_SECONDS * 1000 + DEFAULT_READY_TIMEOUT_MS : undefined),
      onInvalidLine: options.onInvalidLine,
      onStderr: options.onStderr,
      onEvent: (event) => {
        options.onEvent?.(event);
        if (event.type === 'progress') options.onProgress?.(toRunnerProgress(event));
        if (event.type === 'checkpoint') options.onCheckpoint?.(event);
      },
    });
    const result = outcome.result as RunnerTrainResultEvent;
    const { type: _type, command: _command, status: _status, adapterPath, ...summary } = result;
    const writtenHere = adapterPath !== null;
    if (!writtenHere && (nodes === undefined || nodes.nodeRank === 0)) {
      throw new ConfideError('SUBPROCESS_FAILED', 'the runner finished training without naming its adapter (only a node other than node 0 writes none)');
    }
    return {
      ...summary,
      adapterPath: adapterPath ?? path.join(config.outputDir, 'adapter'),
      adapterWrittenHere: writtenHere,
      config,
      device: outcome.ready.device,
      checkpoints: outcome.checkpoints,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
