import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '@confide/core';
import { readRunDirectory } from '@confide/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, startGeminiStandIn, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runLiveExperiment } from '../src/experiment/run-live-experiment.js';
import { billedUsd, standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, '..', '..', '..');
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

/** Runs the child once; kills it with SIGKILL `killAfterMs` after it starts sending (never, when undefined). */
function runChild(settingsPath: string, killAfterMs: number | undefined): Promise<'killed' | 'complete'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', join(here, 'crash-child.ts'), settingsPath], {
      cwd: workspace,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let output = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (killAfterMs !== undefined && output.includes('sending') && !child.killed) {
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        killAfterMs = undefined;
      }
    });
    child.on('exit', (code, signal) => {
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
  let reference: RunRecord[];

  beforeAll(async () => {
    process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-crash-test';
    process.env['CONFIDE_TEST_GEMINI_KEY'] = 'sk-crash-test';
    // the uninterrupted run, against servers of its own
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
    reference = readRunDirectory(outFolder).records;
  });
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  it('resumes each time to the records of an uninterrupted run, billing no request twice', { timeout: 120_000 }, async () => {
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
      const outcome = await runChild(settingsPath, Math.floor(random() * 400));
      if (outcome !== 'killed') break;
      kills++;
      const smallLog = join(outFolder, 'stages', 'small.jsonl');
      progress.push(existsSync(smallLog) ? readFileSync(smallLog, 'utf8').split('\n').length - 1 : 0);
    }
    expect(kills).toBe(KILLS);
    // the kills fell while the run was going: answers recorded grew between them, and the run was not finished
    expect(new Set(progress).size).toBeGreaterThanOrEqual(5);
    expect(Math.max(...progress)).toBeLessThan(PROBLEMS);
    if (!existsSync(join(outFolder, 'manifest.json'))) {
      const settingsPath = join(folder, 'settings-final.json');
      writeFileSync(settingsPath, JSON.stringify({ ...settings, resume: true }));
      expect(await runChild(settingsPath, undefined)).toBe('complete');
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
    expect(billedUsd([vllm.billing, gemini.billing])).toBeCloseTo(finished.summary!.costUsd.allCalls, 10);
    // only requests in flight at a kill were sent again: at most the lanes' concurrency per kill
    const resent = vllm.billing.requests - vllm.billing.received.size + (gemini.billing.requests - gemini.billing.received.size);
    expect(resent).toBeLessThanOrEqual(KILLS * 8);
  });
});
