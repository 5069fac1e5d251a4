import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  costInHundredMillionths,
  definePlugin,
  PLUGIN_SPECIFICATION_VERSION,
  isFailedRecord,
  PluginRegistry,
  SEED_PRICES_2025_11,
  type Problem,
  type RunRecord,
} from '@confide/core';
import { z } from 'zod';
import type { Billing, Responder } from '../../../tools/stand-ins/index.js';
import { geminiModel, openaiModel, replayModel, vllmModel } from '@confide/inference';
import { LivePairExperiment } from '../src/live/live-experiment.js';
import type { LiveRunResult } from '../src/live/run-live-experiment.js';

export const SMALL_MODEL = 'qwen2.5-math-1.5b-instruct-lora-confidence';
export const SMALL_SERVED = 'qwen-math-confidence';
export const LARGE_MODEL = 'gemini-2.5-flash';

/** Grades by the last \boxed{} against the gold answer: enough for stand-in answers. */
export const boxedEvaluator = definePlugin({
  id: 'test/boxed',
  kind: 'evaluator',
  description: 'last \\boxed{} equals the gold answer',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    async grade({ gold, response }) {
      const matches = [...response.matchAll(/\\boxed\{([^}]*)\}/g)];
      const answer = matches.at(-1)?.[1] ?? null;
      return { correct: answer === gold, evaluator: 'test/boxed', answer };
    },
    async close() {
      // nothing to release
    },
  }),
});

/** Delegation II's rule, written out here so the package's tests need no router plugin. */
export const tokenRouter = definePlugin({
  id: 'test/token',
  kind: 'router',
  description: 'keep <|c_math|>, delegate the rest',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'after-first-answer', reads: ['small'] },
    async decide({ answers }) {
      const token = answers['small']?.generation.confidenceToken ?? 'none';
      return { router: 'test/token', model: token === '<|c_math|>' ? 'small' : 'large', reason: `token ${token}` };
    },
  }),
});

export function testRegistry(): PluginRegistry {
  return new PluginRegistry()
    .register(vllmModel)
    .register(geminiModel)
    .register(openaiModel)
    .register(replayModel)
    .register(boxedEvaluator)
    .register(tokenRouter);
}

export const REFUSE_MARKER = '[refused by the stand-in]';

/** Problems the stand-ins can answer; those in `refused` carry a marker the responder answers with a 400. */
export function syntheticProblems(count: number, refused: ReadonlySet<number> = new Set()): Problem[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `synthetic/${index}.json`,
    problem: `Problem ${index}: what is ${index} modulo 10?${refused.has(index) ? ` ${REFUSE_MARKER}` : ''}`,
    answer: String(index % 10),
  }));
}

/** A responder that refuses (400, never billed) prompts with the marker. */
export function refusing(responder: Responder): Responder {
  return (request) =>
    request.messages.some((message) => message.content.includes(REFUSE_MARKER))
      ? { status: 400, message: 'the stand-in refuses this prompt' }
      : responder(request);
}

export interface StandInUrls {
  vllm: string;
  gemini: string;
}

/** A live experiment against the stand-ins: vLLM-served fine-tuned SLM, Gemini as the large model. */
export function standInExperiment(urls: StandInUrls, overrides: Record<string, unknown> = {}): LivePairExperiment {
  return LivePairExperiment.parse({
    kind: 'live',
    name: 'stand-in-run',
    title: 'live run against the stand-ins',
    dataset: 'synthetic',
    priceTable: 'seed-math500',
    small: {
      client: {
        id: 'core/vllm',
        options: { model: SMALL_MODEL, servedModel: SMALL_SERVED, baseUrl: `${urls.vllm}/v1`, apiKeyEnv: 'CONFIDE_TEST_VLLM_KEY' },
      },
      prompt: { system: 'Reason step by step.', user: 'Solve: {problem}' },
      maxOutputTokens: 1000,
      temperature: 0,
      concurrency: 32,
    },
    large: {
      client: { id: 'core/gemini', options: { model: LARGE_MODEL, baseUrl: urls.gemini, apiKeyEnv: 'CONFIDE_TEST_GEMINI_KEY', thinkingBudget: 0 } },
      prompt: { user: 'Solve: {problem}' },
      maxOutputTokens: 1000,
      temperature: 0,
      concurrency: 32,
    },
    router: { id: 'test/token' },
    evaluator: { id: 'test/boxed' },
    concurrency: 32,
    retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 2000 },
    ...overrides,
  });
}

/** What the stand-ins billed, in dollars, at the seed's prices (the vLLM server bills the adapter's served name). */
export function billedUsd(billings: ReadonlyArray<Billing>): number {
  let total = 0;
  for (const billing of billings) {
    for (const entry of billing.entries) {
      const model = entry.model === SMALL_SERVED ? SMALL_MODEL : entry.model;
      total += costInHundredMillionths(SEED_PRICES_2025_11, model, entry.usage);
    }
  }
  return total / 1e8;
}

/** Ids of records that failed, with their reason. */
export function failures(records: readonly RunRecord[]): Map<string, string> {
  return new Map(records.filter(isFailedRecord).map((record) => [record.problemId, record.grade.reason!]));
}

/** The result of a run that must have completed (its message says why when it did not). */
export function complete(result: LiveRunResult): Extract<LiveRunResult, { status: 'complete' }> {
  if (result.status !== 'complete') throw new Error(`the run stopped (${result.reason}): ${result.message}`);
  return result;
}

/** The crash test's child (`crash-child.ts`): a live run in a process of its own, its settings in a JSON file. */
export function spawnLiveChild(settingsPath: string): ChildProcessWithoutNullStreams {
  const here = dirname(fileURLToPath(import.meta.url));
  return spawn(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', join(here, 'crash-child.ts'), settingsPath], {
    cwd: join(here, '..', '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
    env: process.env,
  });
}
