/**
 * core/transformers with `logprobs: k` driving the real Python runner on the tiny random Qwen2 model (CPU): the
 * runner's topLogprobs reach the generation as checked token logprobs, one row per output token. Needs the
 * workspace's Python environment (`npm run setup:python`).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { quantiseTokenLogprobs, summariseTokenConfidence, TokenLogprobs } from '@confide/core';
import { resolveRunnerPython, WORKSPACE_ROOT } from '@confide/training';
import { beforeAll, expect, it } from 'vitest';
import { TransformersClient, transformersModel } from '../src/clients/transformers-client.js';

let tinyModel: string;

beforeAll(() => {
  tinyModel = execFileSync(resolveRunnerPython(), [join(WORKSPACE_ROOT, 'tools', 'tiny-model', 'build_tiny_model.py')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
});

it('returns each output token’s top-k logprobs from the runner', { timeout: 120_000 }, async () => {
  const client = new TransformersClient(
    transformersModel.optionsSchema.parse({ model: 'tiny-random-qwen2', baseModel: tinyModel, confidenceTokens: 'text', precision: 'fp32', logprobs: 3, batchWindowMs: 1 }),
  );
  const generation = await client.generate({
    problem: { id: 'p', problem: '1+1', answer: '2' },
    messages: [
      { role: 'system', content: 'Answer.' },
      { role: 'user', content: '1+1' },
    ],
    maxOutputTokens: 4,
  });
  const logprobs = TokenLogprobs.parse(generation.tokenLogprobs);
  expect(logprobs.k).toBe(3);
  expect(logprobs.positions).toHaveLength(generation.usage.output);
  // a tiny random model spreads its mass: every logprob of the top 3 lies near −ln(151,936) ≈ −11.9
  for (const row of logprobs.positions) for (const value of row) expect(value).toBeGreaterThan(-14);
  const summary = summariseTokenConfidence(quantiseTokenLogprobs(logprobs));
  expect(summary.tokens).toBe(generation.usage.output);
  expect(summary.mean).toBeGreaterThan(8);
});
