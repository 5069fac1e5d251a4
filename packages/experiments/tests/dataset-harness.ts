import { currentProvenance, parseSftDatasetConfig } from '@confide/data';
import type { DatasetBuildOptions } from '../src/dataset/run-dataset-build.js';
import { SMALL_MODEL, SMALL_SERVED, testRegistry } from './live-harness.js';

export interface DatasetChildSettings {
  vllmUrl: string;
  outFolder: string;
  limit: number;
  resume: boolean;
  budgetUsd?: number;
  /** A dataset other than math500 (a file relative to `baseFolder`). */
  split?: string;
  baseFolder?: string;
}

/** Step 1 against the vLLM stand-in: its answers depend only on the prompt, so every build gives the same bytes. */
export function datasetBuildOptions(settings: DatasetChildSettings): DatasetBuildOptions {
  const config = parseSftDatasetConfig(
    {
      split: settings.split ?? 'math500',
      limit: settings.limit,
      client: { id: 'core/vllm', options: { model: SMALL_MODEL, servedModel: SMALL_SERVED, baseUrl: `${settings.vllmUrl}/v1`, apiKeyEnv: 'CONFIDE_TEST_VLLM_KEY' } },
      prompt: { system: 'Reason step by step.', user: 'Solve: {problem}' },
      maxOutputTokens: 1000,
      evaluator: { id: 'test/boxed' },
      concurrency: 8,
      retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 5000 },
    },
    'dataset test config',
  );
  return {
    config,
    registry: testRegistry(),
    outFolder: settings.outFolder,
    name: 'stand-in-sft',
    resume: settings.resume,
    provenance: { ...currentProvenance({ builtBy: 'confide test' }), createdAt: '2026-01-01T00:00:00.000Z' },
    cachePath: null,
    ...(settings.baseFolder !== undefined ? { baseFolder: settings.baseFolder } : {}),
    ...(settings.budgetUsd !== undefined ? { budgetUsd: settings.budgetUsd } : {}),
  };
}
