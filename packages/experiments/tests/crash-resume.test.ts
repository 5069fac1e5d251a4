import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { readRunDirectory } from '@confide/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, startGeminiStandIn, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runLiveExperiment } from '../src/live/run-live-experiment.js';
import { complete, billedUsd, spawnLiveChild, standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

const PROBLEMS = 240;
const LATENCY_MS = 25;
const KILLS = 10;

/** A seeded stream of kill delays (mulberry32), so a failure can be replayed. */
function randomStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function answersRecorded(outFolder: string): number {
  const path = join(outFolder, 'stages', 'small.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

/**
 * Runs the child once; with `killAt`, kills it with SIGKILL as soon as that many small-model answers are recorded
 * (a point in the run chosen at random, whatever the machine's speed), with other requests in flight.
 */
function runChild(settingsPath: string, outFolder: string, killAt: number | undefined): Promise<'killed' | 'complete'> {
  return new Promise((resolve, reject) => {
    const child = spawnLiveChild(settingsPath);
    let output = '';
    let errors = '';
    let poll: NodeJS.Timeout | undefined;
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (killAt !== undefined && poll === undefined && output.includes('sending')) {
        poll = setInterval(() => {
          if (answersRecorded(outFolder) >= killAt) child.kill('SIGKILL');
        }, 2);
      }
    });
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && output.includes('complete')) resolve('complete');
      else reject(new Error(`child exited ${code ?? signal}: ${errors.slice(-2000)}`));
    });
  });
}

const withoutLatency = (records: RunRecord[]) =>
  records.map((record) => ({ ...record, generation: { ...record.generation, latencyMs: null } }));

describe('a live run killed with SIGKILL at 10 random points', () => {
  const servers: StandInServer[] = [];

  /** The uninterrupted run, against servers of its own: what every interrupted-and-resumed run must equal. */
  async function referenceRun(): Promise<RunRecord[]> {
    const vllm = await startOpenAIStandIn({ responder: defaultResponder(), latencyMs: LATENCY_MS });
    const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }), latencyMs: LATENCY_MS });
    servers.push(vllm, gemini);
    const outFolder = mkdtempSync(join(tmpdir(), 'crash-reference-'));
    await runLiveExperiment({
      experiment: standInExperiment({ vllm: vllm.url, gemini: gemini.url }),
      registry: testRegistry(),
      outFolder,
      cachePath: null,
      problems: syntheticProblems(PROBLEMS),
    });
    return readRunDirectory(outFolder).records;
  }

  beforeAll(() => {
    process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-crash-test';
    process.env['CONFIDE_TEST_GEMINI_KEY'] = 'sk-crash-test';
  });
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  it('resumes each time to the records of an uninterrupted run, billing no request twice', { timeout: 120_000 }, async () => {
    // Inside the test, not in a hook: the hook's own 10 s limit would time this real work on a busy machine.
    const reference = await referenceRun();
    const vllm = await startOpenAIStandIn({ responder: defaultResponder(), latencyMs: LATENCY_MS });
    const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }), latencyMs: LATENCY_MS });
    servers.push(vllm, gemini);
    const folder = mkdtempSync(join(tmpdir(), 'crash-run-'));
    const outFolder = join(folder, 'run');
    const settings = { urls: { vllm: vllm.url, gemini: gemini.url }, outFolder, cachePath: join(folder, 'cache.sqlite'), problems: PROBLEMS };
    const random = randomStream(20_251_128);
    let kills = 0;
    let starts = 0;
    const progress: number[] = [];
    while (kills < KILLS) {
      const settingsPath = join(folder, `settings-${starts}.json`);
      writeFileSync(settingsPath, JSON.stringify({ ...settings, resume: starts > 0 }));
      starts++;
      const killAt = answersRecorded(outFolder) + 1 + Math.floor(random() * 25);
      const outcome = await runChild(settingsPath, outFolder, killAt);
      if (outcome !== 'killed') break;
      kills++;
      progress.push(answersRecorded(outFolder));
    }
    expect(kills).toBe(KILLS);
    // the kills fell while the run was going: answers recorded grew between them, and the run was not finished
    expect(new Set(progress).size).toBe(KILLS);
    expect(Math.max(...progress)).toBeLessThan(PROBLEMS);
    if (!existsSync(join(outFolder, 'manifest.json'))) {
      const settingsPath = join(folder, 'settings-final.json');
      writeFileSync(settingsPath, JSON.stringify({ ...settings, resume: true }));
      expect(await runChild(settingsPath, outFolder, undefined)).toBe('complete');
    }

    const { records } = readRunDirectory(outFolder);
    expect(withoutLatency(records)).toEqual(withoutLatency(reference));
    for (const billing of [vllm.billing, gemini.billing]) {
      for (const count of billing.billedPerKey().values()) expect(count).toBe(1);
    }
    // the bill is the ledger of the finished run
    const ledger = records.reduce((sum, record) => sum + record.generation.usage.input + record.generation.usage.output + record.generation.usage.thinking, 0);
    expect(ledger).toBeGreaterThan(0);
    const finished = await runLiveExperiment({
      experiment: standInExperiment(settings.urls, { concurrency: 4 }),
      registry: testRegistry(),
      outFolder: join(folder, 'check'),
      cachePath: settings.cachePath,
      problems: syntheticProblems(PROBLEMS),
    });
    expect(billedUsd([vllm.billing, gemini.billing])).toBeCloseTo(complete(finished).summary.costUsd.allCalls, 10);
    // only requests in flight at a kill were sent again: at most the lanes' concurrency per kill
    const resent = vllm.billing.requests - vllm.billing.received.size + (gemini.billing.requests - gemini.billing.received.size);
    expect(resent).toBeLessThanOrEqual(KILLS * 8);
  });
});
