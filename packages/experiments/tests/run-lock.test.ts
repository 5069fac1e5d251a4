import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfideError } from '@confide/core';
import { readRunDirectory } from '@confide/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, startGeminiStandIn, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runLiveExperiment } from '../src/live/run-live-experiment.js';
import { lockPathOf } from '../src/run-folder/run-lock.js';
import { complete, spawnLiveChild, standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

const PROBLEMS = 80;

beforeAll(() => {
  process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-lock-test';
  process.env['CONFIDE_TEST_GEMINI_KEY'] = 'gemini-lock-test';
});

/** The crash test's child: a live run in a process of its own, saying "sending" just before its first request. */
function startChild(settings: object): { sending: Promise<void>; exit: Promise<string> } {
  const settingsPath = join(mkdtempSync(join(tmpdir(), 'run-lock-settings-')), 'settings.json');
  writeFileSync(settingsPath, JSON.stringify(settings));
  const child = spawnLiveChild(settingsPath);
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const sending = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('sending')) resolve();
    });
    child.on('exit', () => reject(new Error(`the child ended before sending: ${errors.slice(-2000)}`)));
  });
  const exit = new Promise<string>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(output.trim().split('\n').at(-1)!) : reject(new Error(`child exited ${code}: ${errors.slice(-2000)}`)))),
  );
  return { sending, exit };
}

describe('one process per run folder', () => {
  const servers: StandInServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it('a second process on a folder in use is refused at once (even with --resume), and the stand-ins see each request once', async () => {
    // latency keeps the first run busy long enough for the second to try
    const vllm = await startOpenAIStandIn({ responder: defaultResponder(), latencyMs: 80 });
    const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }), latencyMs: 80 });
    servers.push(vllm, gemini);
    const outFolder = join(mkdtempSync(join(tmpdir(), 'run-lock-')), 'run');
    const cachePath = join(dirname(outFolder), 'cache.sqlite');
    const first = startChild({ urls: { vllm: vllm.url, gemini: gemini.url }, outFolder, cachePath, problems: PROBLEMS, resume: false });
    await first.sending;

    const experiment = standInExperiment({ vllm: vllm.url, gemini: gemini.url }, { concurrency: 4 });
    const second = runLiveExperiment({ experiment, registry: testRegistry(), outFolder, cachePath, resume: true, problems: syntheticProblems(PROBLEMS), command: 'confide run second' });
    await expect(second).rejects.toSatisfy((error: unknown) => ConfideError.isInstance(error) && error.code === 'RUN_LOCKED');
    // refused at once: while the first run is still answering, not after waiting for it (an order, not a time, so a
    // busy machine slows both alike)
    expect(vllm.billing.requests).toBeLessThan(PROBLEMS);
    await expect(second).rejects.toThrow(/is being written by pid \d+ since .*\(confide run --out .*\).*--break-lock/);

    expect(await first.exit).toBe('complete');
    const { records } = readRunDirectory(outFolder);
    expect(records).toHaveLength(PROBLEMS);
    const delegated = records.filter((record) => record.route?.target === 'large').length;
    // every request reached a stand-in exactly once: nothing was sent twice
    expect([...vllm.billing.received.values()].every((count) => count === 1)).toBe(true);
    expect([...gemini.billing.received.values()].every((count) => count === 1)).toBe(true);
    expect([vllm.billing.requests, gemini.billing.requests]).toEqual([PROBLEMS, delegated]);
    expect(existsSync(lockPathOf(outFolder))).toBe(false);
  }, 60_000);

  it('a lock left by a process of this machine that is gone is taken over, with a note', async () => {
    const vllm = await startOpenAIStandIn({ responder: defaultResponder() });
    const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }) });
    servers.push(vllm, gemini);
    const outFolder = join(mkdtempSync(join(tmpdir(), 'run-lock-stale-')), 'run');
    // pid 2^22 + 1 is above Linux's pid_max: no process has it
    writeFileSync(lockPathOf(outFolder), JSON.stringify({ pid: 4194305, host: hostname(), startedAt: '2026-12-01T00:00:00.000Z', command: 'confide run killed' }));
    const notes: string[] = [];
    const experiment = standInExperiment({ vllm: vllm.url, gemini: gemini.url }, { concurrency: 4 });
    complete(await runLiveExperiment({ experiment, registry: testRegistry(), outFolder, cachePath: null, problems: syntheticProblems(5), write: (text) => notes.push(text) }));
    expect(notes.join('')).toMatch(/took over the lock of .* from pid 4194305 \(confide run killed, since 2026-12-01T00:00:00.000Z\): that process is gone/);
  });

  it("another machine's lock is refused naming --break-lock, which then takes it", async () => {
    const vllm = await startOpenAIStandIn({ responder: defaultResponder() });
    const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }) });
    servers.push(vllm, gemini);
    const outFolder = join(mkdtempSync(join(tmpdir(), 'run-lock-remote-')), 'run');
    writeFileSync(lockPathOf(outFolder), JSON.stringify({ pid: 12, host: 'another-machine', startedAt: '2026-12-01T00:00:00.000Z', command: 'confide run there' }));
    const experiment = standInExperiment({ vllm: vllm.url, gemini: gemini.url }, { concurrency: 4 });
    const options = { experiment, registry: testRegistry(), outFolder, cachePath: null, problems: syntheticProblems(5) };
    await expect(runLiveExperiment(options)).rejects.toThrow(/being written by pid 12 on another-machine since 2026-12-01T00:00:00.000Z \(confide run there\).*this machine cannot tell.*--break-lock/);
    expect(readdirSync(dirname(outFolder))).toEqual(['.run.confide-lock']);
    complete(await runLiveExperiment({ ...options, breakLock: true }));
  });
});

describe('a finished run is not silently started over', () => {
  const servers: StandInServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it('a plain rerun refuses naming the choices; --resume sends nothing; --force starts over, keeping the old run aside until the new one completes', async () => {
    const vllm = await startOpenAIStandIn({ responder: defaultResponder() });
    const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }) });
    servers.push(vllm, gemini);
    const outFolder = join(mkdtempSync(join(tmpdir(), 'run-finished-')), 'run');
    const experiment = standInExperiment({ vllm: vllm.url, gemini: gemini.url }, { concurrency: 4 });
    const options = { experiment, registry: testRegistry(), outFolder, cachePath: null, problems: syntheticProblems(10) };
    complete(await runLiveExperiment(options));
    const sent = vllm.billing.requests + gemini.billing.requests;

    await expect(runLiveExperiment(options)).rejects.toThrow(/holds a finished live run: pass --resume to top it up .*--force to start over .*--out <another folder>/);
    complete(await runLiveExperiment({ ...options, resume: true }));
    expect(vllm.billing.requests + gemini.billing.requests).toBe(sent);

    // --force: while the new run is under way the old one waits beside it; when it completes the old one is gone
    let asideDuringRun: string[] = [];
    const forced = await runLiveExperiment({
      ...options,
      force: true,
      write: (text) => {
        if (text.startsWith('run: stand-in-run:')) asideDuringRun = readdirSync(dirname(outFolder)).filter((name) => name.startsWith('.run.replaced-'));
      },
    });
    complete(forced);
    expect(asideDuringRun).toHaveLength(1);
    expect(readdirSync(dirname(outFolder)).sort()).toEqual(['run']);
    expect(vllm.billing.requests + gemini.billing.requests).toBeGreaterThan(sent);
  });

  it('--force whose new run fails before producing anything puts the old run back', async () => {
    const vllm = await startOpenAIStandIn({ responder: defaultResponder() });
    const gemini = await startGeminiStandIn({ responder: defaultResponder({ thinking: true }) });
    servers.push(vllm, gemini);
    const outFolder = join(mkdtempSync(join(tmpdir(), 'run-force-failed-')), 'run');
    const experiment = standInExperiment({ vllm: vllm.url, gemini: gemini.url }, { concurrency: 4 });
    complete(await runLiveExperiment({ experiment, registry: testRegistry(), outFolder, cachePath: null, problems: syntheticProblems(6) }));
    const before = readRunDirectory(outFolder).records;
    const broken = standInExperiment({ vllm: vllm.url, gemini: gemini.url }, { concurrency: 4, router: { id: 'no/such-router' } });
    await expect(runLiveExperiment({ experiment: broken, registry: testRegistry(), outFolder, cachePath: null, problems: syntheticProblems(6), force: true })).rejects.toThrow(/no\/such-router/);
    expect(readRunDirectory(outFolder).records).toEqual(before);
    expect(readdirSync(dirname(outFolder))).toEqual(['run']);
  });
});
