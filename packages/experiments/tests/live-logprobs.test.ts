/**
 * Token logprobs in a live run: a vLLM stand-in on 127.0.0.1 answers each problem with logprobs chosen here, the
 * client records the top k (`logprobs: 2`), the run keeps them in its logprobs sidecar, the records carry the DeepConf
 * summary, and core/threshold routes on `token-confidence.mean` as worked out by hand below.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantiseTokenLogprobs, routingScore, RunRecord, summariseTokenConfidence } from '@confide/core';
import { LogprobsSidecarWriter, readEntryLogprobs, readLogprobsSidecar, readRunDirectory, RunStore } from '@confide/data';
import { thresholdRouter } from '@confide/router-threshold';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, startGeminiStandIn, startOpenAIStandIn, type Responder, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runLiveExperiment, stageSidecarFolder } from '../src/live/run-live-experiment.js';
import { StageLog } from '../src/run-folder/stage-log.js';
import { complete, standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

beforeAll(() => {
  process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-logprobs-test';
  process.env['CONFIDE_TEST_GEMINI_KEY'] = 'sk-logprobs-test';
});

const servers: StandInServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The index of a synthetic problem from its prompt (`Problem 7: …`). */
function problemIndex(text: string): number {
  return Number(/Problem (\d+):/.exec(text)![1]);
}

/**
 * Problem i's answer: two tokens, five alternatives each (the client keeps the top 2):
 *   token 0: [−(i mod 4)/4, −2, …]   C_0 = ((i mod 4)/4 + 2) / 2
 *   token 1: [−0.5, −1, …]            C_1 = 0.75
 * so token-confidence.mean = (C_0 + 0.75) / 2 = 0.875, 0.9375, 1, 1.0625 for i mod 4 = 0, 1, 2, 3.
 */
function rowsOf(index: number): number[][] {
  return [
    [-(index % 4) / 4, -2, -3, -4, -5],
    [-0.5, -1, -6, -7, -8],
  ];
}
const EXPECTED_MEAN = [0.875, 0.9375, 1, 1.0625];

const smallResponder: Responder = (request) => {
  const index = problemIndex(request.messages.at(-1)!.content);
  return { text: `so \\boxed{${index % 10}} <|c_math|>`, usage: { input: 20, output: 2, thinking: 0 }, finishReason: 'stop', tokenLogprobs: rowsOf(index) };
};

async function standIns() {
  const vllm = await startOpenAIStandIn({ responder: smallResponder, latencyMs: 1 });
  const gemini = await startGeminiStandIn({ responder: defaultResponder(), latencyMs: 1 });
  servers.push(vllm, gemini);
  return { vllm, gemini };
}

function experiment(urls: { vllm: string; gemini: string }, overrides: Record<string, unknown> = {}) {
  const base = standInExperiment(urls, overrides);
  return {
    ...base,
    small: { ...base.small!, client: { ...base.small!.client, options: { ...base.small!.client.options, logprobs: 2 } } },
    router: { id: 'core/threshold', options: { score: 'token-confidence.mean', threshold: 0.95 } },
  };
}

describe('a live run that records token logprobs', () => {
  it('keeps them in the side run’s sidecar, carries their DeepConf summary, and routes on it', async () => {
    const { vllm, gemini } = await standIns();
    const outFolder = mkdtempSync(join(tmpdir(), 'logprobs-run-'));
    const problems = syntheticProblems(12);
    const result = await runLiveExperiment({
      experiment: experiment({ vllm: vllm.url, gemini: gemini.url }),
      registry: testRegistry().register(thresholdRouter),
      outFolder,
      cachePath: null,
      problems,
    });
    expect(complete(result).files).toContain(join(outFolder, 'small', 'logprobs', 'index.jsonl'));

    // routes: kept where the mean reaches 0.95 (i mod 4 = 2, 3), delegated below it
    const { records } = readRunDirectory(outFolder);
    for (const record of records) {
      const index = problemIndex(problems.find((problem) => problem.id === record.problemId)!.problem);
      expect(record.route).toMatchObject({ target: index % 4 >= 2 ? 'small' : 'large' });
      if (record.route!.target === 'small') expect(record.route!.score).toBe(EXPECTED_MEAN[index % 4]);
    }

    // the small side: a sidecar of its 12 answers, each as stored and summarised, equal to the records' summaries
    const small = new RunStore().load(join(outFolder, 'small'));
    const sidecar = readLogprobsSidecar(join(outFolder, 'small', 'logprobs'))!;
    expect(sidecar.entries.map((entry) => entry.problemId)).toEqual(small.records.map((record) => record.problemId));
    for (const [position, entry] of sidecar.entries.entries()) {
      const index = problemIndex(problems.find((problem) => problem.id === entry.problemId)!.problem);
      const stored = readEntryLogprobs(sidecar, entry);
      expect(stored).toEqual(quantiseTokenLogprobs({ k: 2, positions: rowsOf(index).map((row) => row.slice(0, 2)) }));
      expect(entry.summary).toEqual(summariseTokenConfidence(stored));
      expect(small.records[position]!.generation.tokenConfidence).toEqual(entry.summary);
      expect(routingScore(small.records[position]!, 'token-confidence.mean')).toBe(EXPECTED_MEAN[index % 4]);
      expect(routingScore(small.records[position]!, 'token-confidence.tail')).toBe(EXPECTED_MEAN[index % 4]);
    }
    // the client that records none leaves no logprobs anywhere, and no record carries raw logprobs
    expect(existsSync(join(outFolder, 'large', 'logprobs'))).toBe(false);
    expect(readdirSync(join(outFolder, 'stages')).sort()).toEqual(['large.jsonl', 'routes.jsonl', 'small.jsonl', 'small.logprobs']);
    for (const record of new StageLog(join(outFolder, 'stages', 'small.jsonl'), RunRecord).read()) expect(record.generation).not.toHaveProperty('tokenLogprobs');
    // the windows of the summary are options of the experiment
    const windowed = mkdtempSync(join(tmpdir(), 'logprobs-windows-'));
    await runLiveExperiment({
      experiment: experiment({ vllm: vllm.url, gemini: gemini.url }, { tokenConfidence: { groupWindow: 1, tailTokens: 1 } }),
      registry: testRegistry().register(thresholdRouter),
      outFolder: windowed,
      cachePath: null,
      problems: problems.slice(0, 2),
    });
    // problem 1: C_0 = 1.125, C_1 = 0.75 → groups of one token: lowest 0.75; the tail is the last token, 0.75
    const second = new RunStore().load(join(windowed, 'small')).records.find((record) => record.problemId === problems[1]!.id)!;
    expect(second.generation.tokenConfidence).toMatchObject({ groupWindow: 1, tailTokens: 1, lowestGroup: 0.75, bottom10: 0.75, tail: 0.75, mean: 0.9375 });
  });

  it('resumes without sending an answer again or holding one twice, and drops the logprobs of an answer whose record never landed', async () => {
    const { vllm, gemini } = await standIns();
    const outFolder = mkdtempSync(join(tmpdir(), 'logprobs-resume-'));
    const problems = syntheticProblems(40);
    const run = (options: { budgetUsd?: number; resume?: boolean }) =>
      runLiveExperiment({ experiment: experiment({ vllm: vllm.url, gemini: gemini.url }), registry: testRegistry().register(thresholdRouter), outFolder, cachePath: null, problems, ...options });
    const stopped = await run({ budgetUsd: 0.004 });
    expect(stopped.status).toBe('stopped');
    const stageFolder = stageSidecarFolder(join(outFolder, 'stages', 'small.jsonl'));
    const logged = new StageLog(join(outFolder, 'stages', 'small.jsonl'), RunRecord).read();
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThan(40);
    expect(readLogprobsSidecar(stageFolder, { unfinished: true })!.entries).toHaveLength(logged.length);
    // a kill between an answer's logprobs and its record: the sidecar holds an answer the stage log lacks
    const missing = problems.find((problem) => !logged.some((record) => record.problemId === problem.id))!;
    const orphan = new LogprobsSidecarWriter(stageFolder);
    const stale = quantiseTokenLogprobs({ k: 2, positions: [[-3, -4]] });
    orphan.append(missing.id, logged[0]!.generation.model, stale, summariseTokenConfidence(stale));
    orphan.close();

    const sentBefore = vllm.billing.requests;
    const finished = await run({ resume: true, budgetUsd: 1 });
    expect(finished.status).toBe('complete');
    expect(vllm.billing.requests - sentBefore).toBe(40 - logged.length); // nothing asked twice
    const stage = readLogprobsSidecar(stageFolder, { unfinished: true })!; // fails on an answer held twice
    expect(stage.entries).toHaveLength(40);
    const sidecar = readLogprobsSidecar(join(outFolder, 'small', 'logprobs'))!;
    expect(sidecar.entries).toHaveLength(40);
    const fresh = sidecar.entries.find((entry) => entry.problemId === missing.id)!;
    expect(readEntryLogprobs(sidecar, fresh)).toEqual(quantiseTokenLogprobs({ k: 2, positions: rowsOf(problemIndex(missing.problem)).map((row) => row.slice(0, 2)) }));
    // the side run's tokens file holds its 40 answers and nothing else: 8 bytes of magic, 2 tokens × 2 values × 2 bytes each
    expect(sidecar.tokensBytes).toBe(8 + 40 * 2 * 2 * 2);
  });
});
