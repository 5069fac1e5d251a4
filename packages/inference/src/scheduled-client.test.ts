import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLUGIN_SPECIFICATION_VERSION, SEED_PRICES_2025_11, type Generation } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { Budget } from './budget/budget.js';
import { ResponseCache } from './cache/response-cache.js';
import { ApiError } from './errors.js';
import type { LiveGenerationRequest, LiveModelClient } from './live-model-client.js';
import { normaliseRequest, requestKey } from './request-key.js';
import { ScheduledModelClient } from './scheduled-client.js';
import { Scheduler } from './scheduler/scheduler.js';

const MODEL = 'gemini-2.5-flash';

/** A client that counts what it is sent, answers after a delay, and fails when told to. */
function countingClient(failures: unknown[] = []) {
  const sent: string[] = [];
  const client: LiveModelClient = {
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    model: MODEL,
    cacheable: true,
    identity: { provider: 'test', endpoint: 'http://127.0.0.1:1' },
    maxUsage: () => ({ input: 100, output: 100, thinking: 0 }),
    async generate(request, options) {
      sent.push(options?.idempotencyKey ?? '');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      const text = `answer to ${request.messages.at(-1)!.content}`;
      return { model: MODEL, text, answer: null, confidenceToken: null, usage: { input: 10, output: 20, thinking: 0 }, latencyMs: 20, finishReason: 'STOP' } satisfies Generation;
    },
  };
  return { client, sent };
}

const request = (content: string, temperature = 0): LiveGenerationRequest => ({
  problem: { id: content, problem: content, answer: null },
  messages: [{ role: 'user', content }],
  maxOutputTokens: 100,
  temperature,
});

function scheduled(client: LiveModelClient, cache?: ResponseCache, budget = new Budget(SEED_PRICES_2025_11)) {
  return new ScheduledModelClient({ client, scheduler: new Scheduler({ retry: { baseDelayMs: 1, maxDelayMs: 2 } }), budget, ...(cache ? { cache } : {}) });
}

describe('request keys', () => {
  const identity = { provider: 'gemini', endpoint: 'https://example.test' };
  const key = (model: string, value: LiveGenerationRequest) => requestKey(normaliseRequest(identity, model, value));

  it('do not depend on key order or on the problem id', () => {
    const base = request('2+2?');
    expect(key(MODEL, { ...base, problem: { ...base.problem, id: 'other' } })).toBe(key(MODEL, base));
  });

  it.each([
    ['the model', key('gemini-2.5-pro', request('2+2?'))],
    ['the messages', key(MODEL, request('2+3?'))],
    ['the temperature', key(MODEL, request('2+2?', 0.5))],
    ['the seed', key(MODEL, { ...request('2+2?'), seed: 7 })],
    ['the max tokens', key(MODEL, { ...request('2+2?'), maxOutputTokens: 99 })],
  ])('change with %s', (_name, changed) => {
    expect(changed).not.toBe(key(MODEL, request('2+2?')));
  });
});

describe('ScheduledModelClient with the SQLite cache', () => {
  it('sends identical concurrent requests once', async () => {
    const { client, sent } = countingClient();
    const cache = new ResponseCache(':memory:');
    const answers = await Promise.all(Array.from({ length: 5 }, () => scheduled(client, cache).generate(request('2+2?'))));
    // five callers on five scheduled clients share one cache but not one in-flight map: the first send fills the cache
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    const shared = scheduled(client, cache);
    sent.length = 0;
    await Promise.all(Array.from({ length: 5 }, () => shared.generate(request('3+3?'))));
    expect(sent).toHaveLength(1);
  });

  it('answers from the cache file in a later process without sending', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cache-')), 'responses.sqlite');
    const first = countingClient();
    const cache = new ResponseCache(path);
    const answer = await scheduled(first.client, cache).generate(request('5*5?'));
    cache.close();
    const second = countingClient();
    const reopened = new ResponseCache(path);
    expect(await scheduled(second.client, reopened).generate(request('5*5?'))).toEqual(answer);
    expect(second.sent).toHaveLength(0);
    reopened.close();
  });

  it('does not cache errors', async () => {
    const bad = new ApiError({ kind: 'http', status: 400, message: 'bad request' });
    const { client, sent } = countingClient([bad]);
    const cache = new ResponseCache(':memory:');
    const client1 = scheduled(client, cache);
    await expect(client1.generate(request('7?'))).rejects.toBe(bad);
    expect(cache.size).toBe(0);
    await client1.generate(request('7?'));
    expect(sent).toHaveLength(2);
  });

  it('sends the content hash as the idempotency key of every attempt', async () => {
    const { client, sent } = countingClient([new ApiError({ kind: 'http', status: 503, message: 'busy' })]);
    const wrapped = scheduled(client);
    await wrapped.generate(request('9?'));
    expect(sent).toEqual([wrapped.keyOf(request('9?')), wrapped.keyOf(request('9?'))]);
  });

  it('charges cached answers to the budget too, so spend tracks the ledger', async () => {
    const { client } = countingClient();
    const cache = new ResponseCache(':memory:');
    const budget = new Budget(SEED_PRICES_2025_11);
    const wrapped = scheduled(client, cache, budget);
    await wrapped.generate(request('1?'));
    await wrapped.generate(request('1?'));
    // 10 input at $0.30/M + 20 output at $2.50/M = $0.000053, twice
    expect(budget.spentUsd).toBe(0.000106);
  });
});
