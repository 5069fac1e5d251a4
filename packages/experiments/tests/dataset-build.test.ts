/**
 * `confide dataset build` (step 1) through the scheduled client: against a faulty vLLM stand-in every problem is
 * answered and nothing is billed twice; a budget stops it below the cap; a build killed with SIGKILL and resumed
 * writes what an uninterrupted build writes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunDirectory } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, spreadFaults, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runDatasetBuild } from '../src/dataset/run-dataset-build.js';
import { datasetBuildOptions } from './dataset-harness.js';
import { billedUsd } from './live-harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, '..', '..', '..');
const PROBLEMS = 120;

beforeAll(() => {
  process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-dataset-test';
});
const servers: StandInServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function standIn(options: Omit<Parameters<typeof startOpenAIStandIn>[0], 'responder'> = {}) {
  const server = await startOpenAIStandIn({ responder: defaultResponder(), ...options });
  servers.push(server);
  return server;
}

const temporary = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const gradedLines = (outFolder: string) => {
  const path = join(outFolder, 'build', 'answers.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
};

describe('a dataset build through the scheduler', () => {
  it('answers every problem against 30% injected faults (429 with Retry-After, 500, resets) and bills nothing twice', { timeout: 120_000 }, async () => {
    const server = await standIn({ latencyMs: 2, faults: { rates: spreadFaults(0.3, ['429', '500', 'reset']), seed: 7, retryAfterSeconds: 1, timeoutHoldMs: 0 } });
    const outFolder = temporary('dataset-faults-');
    const outcome = await runDatasetBuild(datasetBuildOptions({ vllmUrl: server.url, outFolder, limit: PROBLEMS, resume: false }));
    if (outcome.status !== 'complete') throw new Error(outcome.message);
    expect(outcome.summary.problems).toBe(PROBLEMS);
    expect(outcome.summary.correct + outcome.summary.incorrect).toBe(PROBLEMS);
    expect(server.faults.get('429') ?? 0).toBeGreaterThan(0);
    expect(server.faults.get('500') ?? 0).toBeGreaterThan(0);
    expect(server.faults.get('reset') ?? 0).toBeGreaterThan(0);
    for (const count of server.billing.billedPerKey().values()) expect(count).toBe(1);
    expect(server.billing.billedPerKey().size).toBe(PROBLEMS);
    expect(outcome.spentUsd).toBeCloseTo(billedUsd([server.billing]), 10);
    // the graded answers are a run directory another experiment can name
    expect(readRunDirectory(join(outFolder, 'run')).records).toHaveLength(PROBLEMS);
  });

  it('stops below a budget cap, and says so as a typed outcome', { timeout: 60_000 }, async () => {
    const full = await standIn();
    const reference = await runDatasetBuild(datasetBuildOptions({ vllmUrl: full.url, outFolder: temporary('dataset-full-'), limit: PROBLEMS, resume: false }));
    if (reference.status !== 'complete') throw new Error(reference.message);
    // Each request reserves its worst case (1,000 output tokens) before it is sent, so the cap must leave room for some.
    const cap = reference.spentUsd * 0.9;
    const server = await standIn();
    const outcome = await runDatasetBuild(datasetBuildOptions({ vllmUrl: server.url, outFolder: temporary('dataset-budget-'), limit: PROBLEMS, resume: false, budgetUsd: cap }));
    expect(outcome.status).toBe('stopped');
    if (outcome.status !== 'stopped') return;
    expect(outcome.reason).toBe('budget');
    expect(billedUsd([server.billing])).toBeLessThanOrEqual(cap);
    expect(billedUsd([server.billing])).toBeGreaterThan(0);
    expect(server.billing.billedPerKey().size).toBeLessThan(PROBLEMS);
  });

  it('killed with SIGKILL and resumed, writes what an uninterrupted build writes, paying for no answer twice', { timeout: 120_000 }, async () => {
    const server = await standIn({ latencyMs: 5 });
    const reference = temporary('dataset-reference-');
    const done = await runDatasetBuild(datasetBuildOptions({ vllmUrl: server.url, outFolder: reference, limit: PROBLEMS, resume: false }));
    expect(done.status).toBe('complete');

    const killed = await standIn({ latencyMs: 5 });
    const folder = temporary('dataset-killed-');
    const outFolder = join(folder, 'out');
    const settingsPath = join(folder, 'settings.json');
    writeFileSync(settingsPath, JSON.stringify({ vllmUrl: killed.url, outFolder, limit: PROBLEMS, resume: false }));
    const killAt = 30;
    const exit = await new Promise<NodeJS.Signals | number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', join(here, 'dataset-child.ts'), settingsPath], {
        cwd: workspace,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: process.env,
      });
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      // kill as soon as enough answers are logged, whatever the machine's speed
      const poll = setInterval(() => {
        if (gradedLines(outFolder) >= killAt) child.kill('SIGKILL');
      }, 2);
      child.on('exit', (code, signal) => {
        clearInterval(poll);
        if (signal === null && code !== 0) reject(new Error(`child exited ${code}: ${errors.slice(-2000)}`));
        else resolve(signal ?? code);
      });
    });
    expect(exit).toBe('SIGKILL');
    const logged = gradedLines(outFolder);
    expect(logged).toBeGreaterThanOrEqual(killAt);
    expect(logged).toBeLessThan(PROBLEMS);

    const resumed = await runDatasetBuild(datasetBuildOptions({ vllmUrl: killed.url, outFolder, limit: PROBLEMS, resume: true }));
    if (resumed.status !== 'complete') throw new Error(resumed.message);
    for (const file of ['train.jsonl', 'data/train-00000-of-00001.parquet', 'README.md']) {
      expect(readFileSync(join(outFolder, file)).equals(readFileSync(join(reference, file))), file).toBe(true);
    }
    // answers logged before the kill were not asked for again (a request in flight at the kill may be sent twice,
    // but the stand-in bills an idempotency key once)
    for (const count of killed.billing.billedPerKey().values()) expect(count).toBe(1);
    expect(killed.billing.billedPerKey().size).toBe(PROBLEMS);
  });

  it('builds from a dataset file of one\'s own, named relative to the config\'s folder', { timeout: 60_000 }, async () => {
    const server = await standIn();
    const folder = temporary('dataset-file-');
    writeFileSync(join(folder, 'sums.csv'), 'question,answer\n' + Array.from({ length: 12 }, (_, index) => `What is ${index} + 1?,${index + 1}`).join('\n') + '\n');
    const outFolder = join(folder, 'out');
    const outcome = await runDatasetBuild(datasetBuildOptions({ vllmUrl: server.url, outFolder, limit: 12, resume: false, split: './sums.csv', baseFolder: folder }));
    if (outcome.status !== 'complete') throw new Error(outcome.message);
    expect(outcome.summary.problems).toBe(12);
    expect(readRunDirectory(join(outFolder, 'run')).records.map((record) => record.problemId)).toEqual(Array.from({ length: 12 }, (_, index) => `sums/${index}`));
  });
});
