import { PluginRegistry, SEED_PRICES_2025_11, type PluginUse } from '@confide/core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultResponder, NO_FAULTS, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';
import { Budget } from '../src/budget/budget.js';
import { openaiModel, vllmModel } from '../src/clients/model-plugins.js';
import { ReplicaSetClient } from '../src/clients/replica-set-client.js';
import type { LiveModelClient } from '../src/live-model-client.js';
import { ScheduledModelClient } from '../src/scheduled-client.js';
import { Scheduler } from '../src/scheduler/scheduler.js';

// one model served by two vLLM stand-ins on 127.0.0.1, named as a list of base URLs
const registry = new PluginRegistry().register(openaiModel).register(vllmModel);
const context = { priceTable: SEED_PRICES_2025_11 };
const servers: StandInServer[] = [];
let a: StandInServer;
let b: StandInServer;

const requestNumber = (index: number) => ({
  problem: { id: `p${index}`, problem: `What is ${index} + ${index}?`, answer: String(2 * index) },
  messages: [{ role: 'user' as const, content: `What is ${index} + ${index}?` }],
  maxOutputTokens: 64,
  temperature: 0,
});
/** Chat requests a server received (each attempt counts). */
const requestsTo = (server: StandInServer) => [...server.billing.received.values()].reduce((sum, count) => sum + count, 0);

function vllmUse(urls: string[], replicas = { failuresToEject: 2, probeAfterSeconds: 0.2 }): Omit<PluginUse, 'kind'> {
  return { id: 'core/vllm', options: { model: 'qwen2.5-math-1.5b-instruct-lora-confidence', servedModel: 'qwen-math-confidence', baseUrl: urls, replicas } };
}

function scheduled(client: LiveModelClient): ScheduledModelClient {
  const scheduler = new Scheduler({ retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 } });
  return new ScheduledModelClient({ client, scheduler, budget: new Budget(SEED_PRICES_2025_11) });
}

beforeEach(async () => {
  a = await startOpenAIStandIn({ responder: defaultResponder() });
  b = await startOpenAIStandIn({ responder: defaultResponder() });
  servers.push(a, b);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('a model client over several base URLs', () => {
  it('spreads requests over the replicas in turn', async () => {
    const client = scheduled(registry.create('model', 'core/vllm', vllmUse([`${a.url}/v1`, `${b.url}/v1`]).options, context).instance as LiveModelClient);
    for (let index = 0; index < 10; index++) await client.generate(requestNumber(index));
    expect([requestsTo(a), requestsTo(b)]).toEqual([5, 5]);
  });

  it('takes a replica out when its /health fails after an error, sends every request to the others, and takes it back after a probe', async () => {
    const raw = registry.create('model', 'core/vllm', vllmUse([`${a.url}/v1`, `${b.url}/v1`]).options, context).instance as ReplicaSetClient;
    const client = scheduled(raw);
    a.setFaults({ ...NO_FAULTS, rates: { '500': 1 } });
    a.setHealthy(false);
    for (let index = 0; index < 8; index++) await client.generate(requestNumber(index));
    // one request met A's 500 and was retried on B; A's health check failed, so A got nothing more
    expect(requestsTo(a)).toBe(1);
    expect(requestsTo(b)).toBe(8);
    expect(raw.healthy).toEqual([`${b.url}/v1`]);

    // still down when probed: stays out
    await new Promise((resolve) => setTimeout(resolve, 250));
    await client.generate(requestNumber(100));
    expect(requestsTo(a)).toBe(1);
    expect(raw.healthy).toEqual([`${b.url}/v1`]);

    // back up: the next probe (after 0.2 s) brings it back into the rotation
    a.setFaults(NO_FAULTS);
    a.setHealthy(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    for (let index = 200; index < 204; index++) await client.generate(requestNumber(index));
    expect(raw.healthy).toEqual([`${a.url}/v1`, `${b.url}/v1`]);
    expect(requestsTo(a)).toBe(1 + 2);
    expect(a.healthChecks()).toBeGreaterThanOrEqual(3); // after the error, the failed probe, the passing probe
  });

  it('takes a replica out after N retryable failures in a row when its /health still answers', async () => {
    const raw = registry.create('model', 'core/vllm', vllmUse([`${a.url}/v1`, `${b.url}/v1`], { failuresToEject: 2, probeAfterSeconds: 60 }).options, context).instance as ReplicaSetClient;
    const client = scheduled(raw);
    a.setFaults({ ...NO_FAULTS, rates: { '503': 1 } });
    for (let index = 0; index < 10; index++) await client.generate(requestNumber(index));
    expect(requestsTo(a)).toBe(2);
    expect(requestsTo(b)).toBe(10);
    expect(raw.healthy).toEqual([`${b.url}/v1`]);
  });

  it('when every replica is out, says so and retries after the probe time', async () => {
    const raw = registry.create('model', 'core/vllm', vllmUse([`${a.url}/v1`, `${b.url}/v1`], { failuresToEject: 1, probeAfterSeconds: 0.05 }).options, context).instance as ReplicaSetClient;
    const client = scheduled(raw);
    for (const server of [a, b]) {
      server.setFaults({ ...NO_FAULTS, rates: { '500': 1 } });
      server.setHealthy(false);
    }
    await expect(client.generate(requestNumber(1))).rejects.toThrow(/no replica of qwen2\.5-math-1\.5b-instruct-lora-confidence is up|HTTP 500/);
    for (const server of [a, b]) {
      server.setFaults(NO_FAULTS);
      server.setHealthy(true);
    }
    await new Promise((resolve) => setTimeout(resolve, 80));
    await expect(client.generate(requestNumber(2))).resolves.toMatchObject({ model: 'qwen2.5-math-1.5b-instruct-lora-confidence' });
  });

  it('has one cache identity whichever replica answers: it names no URL', () => {
    const one = registry.create('model', 'core/vllm', vllmUse([`${a.url}/v1`, `${b.url}/v1`]).options, context).instance as LiveModelClient;
    const other = registry.create('model', 'core/vllm', vllmUse([`${b.url}/v1`, `${a.url}/v1`, 'http://127.0.0.1:9/v1']).options, context).instance as LiveModelClient;
    expect(one.identity).toEqual(other.identity);
    expect(JSON.stringify(one.identity)).not.toContain('127.0.0.1');
    // a single base URL keeps its endpoint in the identity, as before
    const single = registry.create('model', 'core/vllm', vllmUse([`${a.url}/v1`]).options, context).instance as LiveModelClient;
    expect(single).not.toBeInstanceOf(ReplicaSetClient);
    expect(JSON.stringify(single.identity)).toContain('127.0.0.1');
  });

  it('core/openai takes a list too, a replica coming back on trial (a hosted API has no /health)', async () => {
    process.env['CONFIDE_REPLICA_KEY'] = 'sk-test';
    const raw = registry.create('model', 'core/openai', { model: 'gemini-2.5-flash', baseUrl: [`${a.url}/v1`, `${b.url}/v1`], apiKeyEnv: 'CONFIDE_REPLICA_KEY', replicas: { failuresToEject: 1, probeAfterSeconds: 0.05 } }, context).instance as ReplicaSetClient;
    const client = scheduled(raw);
    a.setFaults({ ...NO_FAULTS, rates: { '500': 1 } });
    await client.generate(requestNumber(1));
    await client.generate(requestNumber(2));
    expect(raw.healthy).toEqual([`${b.url}/v1`]);
    a.setFaults(NO_FAULTS);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await client.generate(requestNumber(3));
    expect(raw.healthy).toEqual([`${a.url}/v1`, `${b.url}/v1`]);
    expect(a.healthChecks()).toBe(0);
  });
});
