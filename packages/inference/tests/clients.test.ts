import { readFileSync } from 'node:fs';
import { PluginRegistry, SEED_PRICES_2025_11, type Generation, type PluginUse } from '@confide/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultResponder,
  startGeminiStandIn,
  startOpenAIStandIn,
  type FaultKind,
  type StandInServer,
} from '../../../tools/stand-ins/index.js';
import { ApiError } from '../src/errors.js';
import type { LiveModelClient } from '../src/live-model-client.js';
import { geminiModel, openaiModel, vllmModel } from '../src/clients/model-plugins.js';
import { ChatCompletionResponse, confidenceFromLogprobs, OpenAICompatibleClient, tokenLogprobsOf } from '../src/clients/openai-compatible-client.js';

const KEY = 'sk-test-clients-0000';
process.env['CONFIDE_TEST_KEY'] = KEY;
const registry = new PluginRegistry().register(geminiModel).register(openaiModel).register(vllmModel);
const context = { priceTable: SEED_PRICES_2025_11 };
const problem = { id: 'test/algebra/1.json', problem: 'Solve 2x = 6.', answer: '3' };
const request = {
  problem,
  messages: [
    { role: 'system' as const, content: 'Reason step by step.' },
    { role: 'user' as const, content: 'Solve 2x = 6.' },
  ],
  maxOutputTokens: 512,
  temperature: 0,
};

interface Case {
  name: string;
  start: typeof startOpenAIStandIn;
  plugin: (url: string) => Omit<PluginUse, 'kind'>;
  thinking: boolean;
}

const cases: Case[] = [
  {
    name: 'core/openai',
    start: startOpenAIStandIn,
    plugin: (url) => ({ id: 'core/openai', options: { model: 'gemini-2.5-flash', baseUrl: `${url}/v1`, apiKeyEnv: 'CONFIDE_TEST_KEY' } }),
    thinking: true,
  },
  {
    name: 'core/vllm',
    start: startOpenAIStandIn,
    plugin: (url) => ({
      id: 'core/vllm',
      options: { model: 'qwen2.5-math-1.5b-instruct-lora-confidence', servedModel: 'qwen-math-confidence', baseUrl: `${url}/v1`, apiKeyEnv: 'CONFIDE_TEST_KEY' },
    }),
    thinking: false,
  },
  {
    name: 'core/gemini',
    start: startGeminiStandIn,
    plugin: (url) => ({ id: 'core/gemini', options: { model: 'gemini-2.5-flash', baseUrl: url, apiKeyEnv: 'CONFIDE_TEST_KEY', thinkingBudget: 1024 } }),
    thinking: true,
  },
];

describe.each(cases)('$name against its stand-in', ({ start, plugin, thinking }) => {
  let server: StandInServer;
  let client: LiveModelClient;
  const log: string[] = [];

  beforeAll(async () => {
    server = await start({ responder: defaultResponder({ thinking }), apiKey: KEY, log });
    const use = plugin(server.url);
    client = registry.create('model', use.id, use.options, context).instance as LiveModelClient;
  });
  afterAll(() => server.close());

  it('returns a Generation with the usage split into input, output and thinking', async () => {
    server.setFaults({ rates: {}, seed: 0, retryAfterSeconds: 0, timeoutHoldMs: 0 });
    const generation: Generation = await client.generate(request, { idempotencyKey: 'k-1' });
    const billed = server.billing.entries.at(-1)!;
    expect(generation.usage).toEqual(billed.usage);
    expect(generation.text).toMatch(/\\boxed\{\d\}/);
    expect(generation.latencyMs).toBeGreaterThan(0);
    expect(JSON.parse(log.at(-1)!).headers['idempotency-key']).toBe('k-1');
  });

  it('keeps credentials out of its cache identity', () => {
    expect(JSON.stringify(client.identity)).not.toContain(KEY);
  });

  it.each<[FaultKind, boolean, string]>([
    ['429', true, 'http'],
    ['500', true, 'http'],
    ['503', true, 'http'],
    ['reset', true, 'connection'],
    ['malformed-json', true, 'malformed-response'],
    ['truncated', true, 'connection'],
  ])('turns an injected %s into a retryable=%s %s ApiError', async (fault, retryable, kind) => {
    server.setFaults({ rates: { [fault]: 1 }, seed: 1, retryAfterSeconds: 7, timeoutHoldMs: 0 });
    const error = await client.generate(request, { idempotencyKey: `fault-${fault}` }).catch((caught: unknown) => caught);
    server.setFaults({ rates: {}, seed: 0, retryAfterSeconds: 0, timeoutHoldMs: 0 });
    expect(ApiError.isApiError(error)).toBe(true);
    expect((error as ApiError).kind).toBe(kind);
    expect((error as ApiError).retryable).toBe(retryable);
    if (fault === '429') expect((error as ApiError).retryAfterMs).toBe(7000);
  });

  it('reports a wrong key as a 401 that is not retried', async () => {
    process.env['CONFIDE_WRONG_KEY'] = 'sk-wrong';
    const use = plugin(server.url);
    const wrong = registry.create('model', use.id, { ...use.options, apiKeyEnv: 'CONFIDE_WRONG_KEY' }, context).instance as LiveModelClient;
    const error = (await wrong.generate(request).catch((caught: unknown) => caught)) as ApiError;
    expect([error.status, error.retryable]).toEqual([401, false]);
  });
});

describe('core/vllm', () => {
  const fixture = JSON.parse(readFileSync(new URL('../src/clients/fixtures/vllm-chat-completion.json', import.meta.url), 'utf8'));

  it("reads P(<|c_math|>) and P(<|u_math|>) at the emitted token from vLLM's logprobs shape", () => {
    const probabilities = confidenceFromLogprobs(ChatCompletionResponse.parse(fixture).choices[0]!.logprobs!.content);
    expect(probabilities!.confident).toBeCloseTo(0.8, 4);
    expect(probabilities!.uncertain).toBeCloseTo(0.2, 4);
  });

  it('keeps the stop string in the text and finds the token', () => {
    const client = new OpenAICompatibleClient({
      provider: 'vllm',
      servedModel: 'qwen-math-confidence',
      model: 'qwen2.5-math-1.5b-instruct-lora-confidence',
      baseUrl: 'http://127.0.0.1:1/v1',
      apiKey: 'EMPTY',
      idempotencyHeader: null,
      extraBody: {},
      maxTokensField: 'max_tokens',
      confidenceFromLogprobs: true,
      recordLogprobs: null,
      transport: 'http',
    });
    const generation = client.toGeneration(ChatCompletionResponse.parse(fixture), 5);
    expect(generation.text.endsWith('<|c_math|>')).toBe(true);
    expect(generation.confidenceToken).toBe('<|c_math|>');
    expect(generation.usage).toEqual({ input: 71, output: 22, thinking: 0 });
  });

  it('gives a token outside the top-k probability 0, and uses the last position when no token was emitted', () => {
    const content = [{ token: 'x', logprob: -0.1, top_logprobs: [{ token: 'x', logprob: -0.1 }, { token: '<|u_math|>', logprob: Math.log(0.3) }] }];
    expect(confidenceFromLogprobs(content)).toEqual({ confident: 0, uncertain: expect.closeTo(0.3, 6) });
  });

  it('sends the stop strings, keeps them in the output, and asks for logprobs', async () => {
    const log: string[] = [];
    const server = await startOpenAIStandIn({ responder: defaultResponder(), log });
    try {
      const client = registry.create('model', 'core/vllm', { model: 'm', servedModel: 'adapter', baseUrl: `${server.url}/v1` }, context)
        .instance as LiveModelClient;
      const generation = await client.generate(request);
      const body = JSON.parse(JSON.parse(log[0]!).body);
      expect(body).toMatchObject({
        model: 'adapter',
        stop: ['<|c_math|>', '<|u_math|>', '<|im_end|>'],
        include_stop_str_in_output: true,
        skip_special_tokens: false,
        logprobs: true,
        top_logprobs: 5,
        max_tokens: 512,
      });
      expect(generation.confidenceToken).not.toBeNull();
      expect(generation.confidenceProbabilities).toBeDefined();
    } finally {
      await server.close();
    }
  });
});

describe('logprobs: k (token logprobs for DeepConf)', () => {
  // three tokens, five alternatives each (most likely first), as a vLLM server returns them
  const rows = [
    [-0.25, -2, -3, -4, -5],
    [-0.5, -1, -6, -7, -9999],
    [-0.125, -3, -3.5, -8, -9],
  ];
  const responder = () => ({ text: 'the answer is 3', usage: { input: 10, output: 3, thinking: 0 }, finishReason: 'stop', tokenLogprobs: rows });

  it('core/vllm records the top k of each token, asks for at least its topLogprobs, and keys its cache on k', async () => {
    const log: string[] = [];
    const server = await startOpenAIStandIn({ responder, log });
    try {
      const options = { model: 'm', servedModel: 'adapter', baseUrl: `${server.url}/v1` };
      const client = registry.create('model', 'core/vllm', { ...options, logprobs: 3 }, context).instance as LiveModelClient;
      const generation = await client.generate(request);
      expect(generation.tokenLogprobs).toEqual({ k: 3, positions: rows.map((row) => row.slice(0, 3)) });
      expect(JSON.parse(JSON.parse(log[0]!).body)).toMatchObject({ logprobs: true, top_logprobs: 5 });
      const plain = registry.create('model', 'core/vllm', options, context).instance as LiveModelClient;
      expect((await plain.generate(request)).tokenLogprobs).toBeUndefined();
      expect(plain.identity).not.toHaveProperty('recordLogprobs');
      expect(client.identity).toMatchObject({ recordLogprobs: 3 });
      const wide = registry.create('model', 'core/vllm', { ...options, logprobs: 5 }, context).instance as LiveModelClient;
      expect((await wide.generate(request)).tokenLogprobs?.positions[1]).toEqual([-0.5, -1, -6, -7, -9999]);
    } finally {
      await server.close();
    }
  });

  it('core/openai sends logprobs: true with top_logprobs k and records them', async () => {
    const log: string[] = [];
    const server = await startOpenAIStandIn({ responder, log, apiKey: KEY });
    try {
      const client = registry.create('model', 'core/openai', { model: 'gpt-4o-mini', baseUrl: `${server.url}/v1`, apiKeyEnv: 'CONFIDE_TEST_KEY', logprobs: 2 }, context)
        .instance as LiveModelClient;
      const generation = await client.generate(request);
      expect(JSON.parse(JSON.parse(log[0]!).body)).toMatchObject({ logprobs: true, top_logprobs: 2 });
      expect(generation.tokenLogprobs).toEqual({ k: 2, positions: [[-0.25, -2], [-0.5, -1], [-0.125, -3]] });
    } finally {
      await server.close();
    }
  });

  it('sorts each position most likely first, and refuses a response without logprobs or with too few alternatives', () => {
    const entry = (logprobs: number[]) => ({ token: 'x', logprob: logprobs[0], top_logprobs: logprobs.map((logprob, index) => ({ token: `a${index}`, logprob })) });
    expect(tokenLogprobsOf([entry([-2, -0.5, -1])], 2)).toEqual({ k: 2, positions: [[-0.5, -1]] });
    expect(() => tokenLogprobsOf(null, 2)).toThrow(/asked for the top 2 logprobs of each token, and the response has no logprobs/);
    const error = (() => {
      try {
        return tokenLogprobsOf([entry([-0.5, -1]), entry([-0.1])], 2);
      } catch (caught) {
        return caught as ApiError;
      }
    })() as ApiError;
    expect([error.kind, error.message]).toEqual(['malformed-response', expect.stringMatching(/logprobs entry 1 has 1 alternatives; logprobs: 2 needs 2/)]);
  });
});
