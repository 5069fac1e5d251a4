import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunRecord } from '@confide/core';
import { readRunDirectory } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultResponder,
  spreadFaults,
  startGeminiStandIn,
  startOpenAIStandIn,
  type StandInServer,
} from '../../../tools/stand-ins/index.js';
import { runLiveExperiment } from '../src/live/run-live-experiment.js';
import { StageLog } from '../src/run-folder/stage-log.js';
import { complete, billedUsd, failures, refusing, standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

const FAKE_KEY = 'sk-confide-fake-key-9f8e7d6c5b4a';

beforeAll(() => {
  process.env['CONFIDE_TEST_VLLM_KEY'] = FAKE_KEY;
  process.env['CONFIDE_TEST_GEMINI_KEY'] = FAKE_KEY;
});

const servers: StandInServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function standIns(options: Omit<Parameters<typeof startOpenAIStandIn>[0], 'responder'>) {
  const vllm = await startOpenAIStandIn({ ...options, responder: refusing(defaultResponder()) });
  const gemini = await startGeminiStandIn({ ...options, responder: refusing(defaultResponder({ thinking: true })) });
  servers.push(vllm, gemini);
  return { vllm, gemini, urls: { vllm: vllm.url, gemini: gemini.url } };
}

const temporary = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

function stageUsage(outFolder: string) {
  const total = { input: 0, output: 0, thinking: 0, calls: 0 };
  for (const side of ['small', 'large']) {
    for (const record of new StageLog(join(outFolder, 'stages', `${side}.jsonl`), RunRecord).read()) {
      if (record.generation.finishReason === 'error') continue;
      total.calls++;
      total.input += record.generation.usage.input;
      total.output += record.generation.usage.output;
      total.thinking += record.generation.usage.thinking;
    }
  }
  return total;
}

describe('a live run against faulty stand-ins', () => {
  it('answers every problem or records it failed with its reason, and bills nothing twice (30% faults, 500 problems)', { timeout: 120_000 }, async () => {
    // A timeout fault holds its answer until the client gives up. The client's per-attempt timeout is far above what
    // an ordinary answer takes even on a busy machine: at 1 s, ordinary answers timed out under load, a small-model
    // request could fail all its attempts after one had been billed, and the bill then had a call the ledger lacks.
    const faults = { rates: spreadFaults(0.3), seed: 42, retryAfterSeconds: 0, timeoutHoldMs: 60_000 };
    const { vllm, gemini, urls } = await standIns({ latencyMs: 2, faults, apiKey: FAKE_KEY });
    const refused = new Set([7, 99, 250, 311, 498]);
    const outFolder = temporary('fault-run-');
    const experiment = standInExperiment(urls, { retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 5000 } });
    const result = await runLiveExperiment({
      experiment,
      registry: testRegistry(),
      outFolder,
      cachePath: join(outFolder, 'cache.sqlite'),
      problems: syntheticProblems(500, refused),
    });

    expect(result.status).toBe('complete');
    const { records } = readRunDirectory(outFolder);
    expect(records).toHaveLength(500);
    const failed = failures(records);
    expect([...failed.keys()].sort()).toEqual([...refused].map((index) => `synthetic/${index}.json`).sort());
    for (const reason of failed.values()) expect(reason).toMatch(/^request failed: HTTP 400: .*refuses this prompt/);
    for (const record of records) if (!failed.has(record.problemId)) expect(record.generation.text).toMatch(/\\boxed\{\d\}/);
    // no small-model request gave up (a problem whose small answer failed is delegated and would hide it above)
    const smallFailures = new StageLog(join(outFolder, 'stages', 'small.jsonl'), RunRecord).read().filter((record) => record.generation.finishReason === 'error');
    expect(smallFailures.map((record) => record.problemId).sort()).toEqual([...refused].map((index) => `synthetic/${index}.json`).sort());

    const injected = [...vllm.faults.values(), ...gemini.faults.values()].reduce((sum, count) => sum + count, 0);
    const received = vllm.billing.requests + gemini.billing.requests;
    expect(injected / received).toBeGreaterThan(0.2);
    for (const kind of ['429', '500', '503', 'timeout', 'reset', 'malformed-json', 'truncated'] as const) {
      expect(vllm.faults.get(kind) ?? 0).toBeGreaterThan(0);
    }
    // nothing billed twice, and the ledger is the servers' bill, call for call and token for token
    for (const billing of [vllm.billing, gemini.billing]) {
      for (const count of billing.billedPerKey().values()) expect(count).toBe(1);
    }
    const bill = [vllm.billing.totals(), gemini.billing.totals()];
    const usage = stageUsage(outFolder);
    expect(usage).toEqual({
      calls: bill[0]!.calls + bill[1]!.calls,
      input: bill[0]!.input + bill[1]!.input,
      output: bill[0]!.output + bill[1]!.output,
      thinking: bill[0]!.thinking + bill[1]!.thinking,
    });
    expect(complete(result).summary.costUsd.allCalls).toBeCloseTo(billedUsd([vllm.billing, gemini.billing]), 10);
    expect(result.spentUsd).toBeCloseTo(complete(result).summary.costUsd.allCalls, 10);
  });
});

describe('a budget below the estimate', () => {
  it('stops at or under the cap with a clear message, and a resume with more finishes the run', async () => {
    const { vllm, gemini, urls } = await standIns({ latencyMs: 2 });
    const outFolder = temporary('budget-run-');
    const problems = syntheticProblems(60);
    const experiment = standInExperiment(urls);
    const stopped = await runLiveExperiment({ experiment, registry: testRegistry(), outFolder, budgetUsd: 0.01, cachePath: null, problems });
    expect(stopped.status).toBe('stopped');
    expect(stopped.estimateUpperUsd).toBeGreaterThan(0.01);
    expect(stopped.message).toMatch(/^stopped: budget \$0\.010000 reached: spent \$0\.\d{6}.*--resume --budget/);
    expect(stopped.spentUsd).toBeLessThanOrEqual(0.01);
    expect(billedUsd([vllm.billing, gemini.billing])).toBeCloseTo(stopped.spentUsd, 10);

    const finished = await runLiveExperiment({ experiment, registry: testRegistry(), outFolder, resume: true, budgetUsd: 1, cachePath: null, problems });
    expect(finished.status).toBe('complete');
    expect(readRunDirectory(outFolder).records).toHaveLength(60);
    expect(billedUsd([vllm.billing, gemini.billing])).toBeCloseTo(complete(finished).summary.costUsd.allCalls, 10);
  });
});

describe('API keys', () => {
  it('come from the environment and appear in no file the run wrote, nor in its logs', async () => {
    const log: string[] = [];
    const { urls } = await standIns({ latencyMs: 1, apiKey: FAKE_KEY, log });
    const root = temporary('key-run-');
    const written: string[] = [];
    const experiment = standInExperiment(urls);
    const result = await runLiveExperiment({
      experiment,
      registry: testRegistry(),
      outFolder: join(root, 'run'),
      cachePath: join(root, 'cache', 'responses.sqlite'),
      problems: syntheticProblems(40),
      write: (text) => void written.push(text),
    });
    expect(result.status).toBe('complete');
    // the key did reach the servers, so finding it nowhere else means something
    expect(log.some((entry) => entry.includes(FAKE_KEY))).toBe(true);
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) expect(readFileSync(file).includes(FAKE_KEY), file).toBe(false);
    expect(written.join('')).not.toContain(FAKE_KEY);
    expect(JSON.stringify(readRunDirectory(join(root, 'run')).manifest)).toContain('CONFIDE_TEST_GEMINI_KEY');
  });

  it('fail clearly, naming the variable, when it is not set', async () => {
    const { urls } = await standIns({});
    const experiment = standInExperiment(urls);
    const large = { ...experiment.large, client: { id: 'core/gemini', options: { model: 'gemini-2.5-flash', baseUrl: urls.gemini, apiKeyEnv: 'CONFIDE_UNSET_KEY' } } };
    await expect(
      runLiveExperiment({ experiment: { ...experiment, large }, registry: testRegistry(), outFolder: temporary('nokey-'), problems: syntheticProblems(2) }),
    ).rejects.toThrow(/CONFIDE_UNSET_KEY is not set/);
  });
});
