import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDirectory } from '@confide/data';
import { orchestratorRouter } from '@confide/router-orchestrator';
import { thresholdRouter } from '@confide/router-threshold';
import { afterAll, expect, it } from 'vitest';
import { defaultResponder, startGeminiStandIn, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runLiveExperiment } from '../src/live/run-live-experiment.js';
import { complete, billedUsd, LARGE_MODEL, standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

const servers: StandInServer[] = [];
afterAll(() => Promise.all(servers.map((server) => server.close())));

it('runs Delegation I live: the orchestrator answers a hand_off schema, and its tokens are ledgered apart', async () => {
  process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-orchestrator-test';
  process.env['CONFIDE_TEST_GEMINI_KEY'] = 'sk-orchestrator-test';
  const log: string[] = [];
  const vllm = await startOpenAIStandIn({ responder: defaultResponder(), latencyMs: 1 });
  const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }), latencyMs: 1, log });
  servers.push(vllm, gemini);
  const base = standInExperiment({ vllm: vllm.url, gemini: gemini.url });
  const experiment = {
    ...base,
    orchestrator: {
      client: { id: 'core/gemini', options: { model: 'gemini-2.5-flash-lite', baseUrl: gemini.url, apiKeyEnv: 'CONFIDE_TEST_GEMINI_KEY', thinkingBudget: 0 } },
      maxOutputTokens: 256,
      temperature: 0,
      concurrency: 8,
    },
    router: { id: 'core/orchestrator', options: { mode: 'live' } },
  };
  const outFolder = mkdtempSync(join(tmpdir(), 'delegation-1-'));
  const result = await runLiveExperiment({
    experiment,
    registry: testRegistry().register(orchestratorRouter),
    outFolder,
    cachePath: null,
    problems: syntheticProblems(40),
  });

  const { records } = readRunDirectory(outFolder);
  const small = records.filter((record) => record.route?.target === 'small');
  expect(small.length).toBeGreaterThan(0);
  expect(small.length).toBeLessThan(40);
  // the small model is asked only for the problems the orchestrator sent it
  expect(vllm.billing.entries).toHaveLength(small.length);
  expect(gemini.billing.entries.filter((entry) => entry.model === LARGE_MODEL)).toHaveLength(40 - small.length);
  for (const record of records) {
    expect(record.route).toMatchObject({ router: 'core/orchestrator', routerModel: 'gemini-2.5-flash-lite', reason: expect.stringMatching(/^orchestrator chose (slm|llm)/) });
  }
  const asked = log.map((entry) => JSON.parse(JSON.parse(entry).body)).filter((body) => body.generationConfig?.responseJsonSchema);
  expect(asked).toHaveLength(40);
  expect(asked[0].generationConfig.responseMimeType).toBe('application/json');
  expect(complete(result).summary.router).toMatchObject({ model: 'gemini-2.5-flash-lite', calls: 40 });
  expect(complete(result).summary.costUsd.withRouter).toBeGreaterThan(complete(result).summary.costUsd.answers);
  expect(complete(result).summary.costUsd.allCalls).toBeCloseTo(billedUsd([vllm.billing, gemini.billing]), 10);
});

it('routes on live P(<|c_math|>) read from the logprobs with the threshold router', async () => {
  process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-threshold-test';
  process.env['CONFIDE_TEST_GEMINI_KEY'] = 'sk-threshold-test';
  const vllm = await startOpenAIStandIn({ responder: defaultResponder(), latencyMs: 1 });
  const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }), latencyMs: 1 });
  servers.push(vllm, gemini);
  const experiment = { ...standInExperiment({ vllm: vllm.url, gemini: gemini.url }), router: { id: 'core/threshold', options: { threshold: 0.6 } } };
  const outFolder = mkdtempSync(join(tmpdir(), 'threshold-'));
  await runLiveExperiment({ experiment, registry: testRegistry().register(thresholdRouter), outFolder, cachePath: null, problems: syntheticProblems(40) });
  const { records } = readRunDirectory(outFolder);
  const kept = records.filter((record) => record.route?.target === 'small');
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length).toBeLessThan(40);
  for (const record of records) {
    const score = record.route!.score!;
    expect(record.route!.target).toBe(score >= 0.6 ? 'small' : 'large');
  }
  for (const record of kept) {
    const probabilities = record.generation.confidenceProbabilities!;
    expect(record.route!.score).toBeCloseTo(probabilities.confident / (probabilities.confident + probabilities.uncertain), 12);
  }
});
