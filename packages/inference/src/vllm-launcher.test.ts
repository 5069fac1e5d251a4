import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';
import { CancelledError } from './errors.js';
import { buildVllmServeCommand, startVllmServer, VllmLaunchError, VllmServeOptions } from './vllm-launcher.js';

/** The stand-in `vllm` executable (tools/stand-ins/fake-vllm.cjs), copied as `vllm` into a folder of its own. */
const FAKE_VLLM = readFileSync(join(workspaceRoot(), 'tools', 'stand-ins', 'fake-vllm.cjs'), 'utf8');

function fakeVllm(): { executable: string; folder: string } {
  const folder = mkdtempSync(join(tmpdir(), 'fake-vllm-'));
  const executable = join(folder, 'vllm');
  writeFileSync(executable, FAKE_VLLM);
  chmodSync(executable, 0o755);
  return { executable, folder };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('buildVllmServeCommand', () => {
  it.each([
    [
      'the base model with the LoRA adapter (the seed setting)',
      { baseModel: 'Qwen/Qwen2.5-Math-1.5B-Instruct', adapter: 'finetuned_models/paper/adapter' },
      'vllm serve Qwen/Qwen2.5-Math-1.5B-Instruct --host 127.0.0.1 --port 8000 --enable-lora --lora-modules confidence=finetuned_models/paper/adapter --max-lora-rank 8',
    ],
    [
      'tensor and data parallelism, a name, a port and extra arguments',
      {
        baseModel: 'Qwen/Qwen2.5-Math-7B-Instruct',
        adapter: '/runs/a',
        adapterName: 'qwen-math-confidence',
        tensorParallelSize: 2,
        dataParallelSize: 4,
        port: 8123,
        extraArgs: ['--gpu-memory-utilization', '0.85'],
      },
      'vllm serve Qwen/Qwen2.5-Math-7B-Instruct --host 127.0.0.1 --port 8123 --enable-lora --lora-modules qwen-math-confidence=/runs/a --max-lora-rank 8 --tensor-parallel-size 2 --data-parallel-size 4 --gpu-memory-utilization 0.85',
    ],
    ['the base model alone', { baseModel: '/models/base', executable: '/opt/vllm/bin/vllm' }, '/opt/vllm/bin/vllm serve /models/base --host 127.0.0.1 --port 8000'],
  ])('%s', (_name, input, expected) => {
    const { command, args } = buildVllmServeCommand(VllmServeOptions.parse(input));
    expect([command, ...args].join(' ')).toBe(expected);
  });

  it('rejects an adapter name vLLM could not take', () => {
    expect(() => VllmServeOptions.parse({ baseModel: 'b', adapterName: 'a=b' })).toThrow(/letters, digits/);
  });
});

describe('startVllmServer against a stand-in vllm on 127.0.0.1', () => {
  it('waits for /health and then /v1/models to list the adapter, and stops the server with SIGTERM', async () => {
    const { executable, folder } = fakeVllm();
    const port = await freePort();
    const argsFile = join(folder, 'args.json');
    const stoppedFile = join(folder, 'stopped');
    const statuses: string[] = [];
    const started = Date.now();
    const server = await startVllmServer(
      { baseModel: '/models/base', adapter: '/runs/adapter', adapterName: 'tiny-confidence', port, executable, pollIntervalMs: 50 },
      {
        env: { ...process.env, FAKE_VLLM_ARGS_FILE: argsFile, FAKE_VLLM_STOPPED_FILE: stoppedFile, FAKE_VLLM_LISTEN_AFTER_MS: '150', FAKE_VLLM_READY_AFTER_MS: '400' },
        onStatus: (message) => statuses.push(message),
      },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(server).toMatchObject({ baseUrl: `http://127.0.0.1:${port}/v1`, servedModel: 'tiny-confidence' });
    expect(JSON.parse(readFileSync(argsFile, 'utf8'))).toEqual(server.command.args);
    expect(statuses.at(-1)).toBe(`vllm: ready at http://127.0.0.1:${port}/v1 serving tiny-confidence`);
    const models = (await (await fetch(`${server.baseUrl}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(['/models/base', 'tiny-confidence']);

    expect(await server.stop()).toEqual({ exitCode: 0, signal: null, killed: false });
    expect(existsSync(stoppedFile)).toBe(true);
    await expect(fetch(`${server.baseUrl}/models`)).rejects.toThrow();
  });

  it('kills a server that ignores SIGTERM once the grace period is over', async () => {
    const { executable } = fakeVllm();
    const port = await freePort();
    const server = await startVllmServer(
      { baseModel: '/models/base', port, executable, pollIntervalMs: 50, gracePeriodMs: 300 },
      { env: { ...process.env, FAKE_VLLM_IGNORE_TERM: '1' } },
    );
    expect(server.servedModel).toBe('/models/base');
    // it ignored SIGTERM, so only the SIGKILL after the grace period ended it (no wall-clock bound: timers fire on the
    // loop's cached clock, which can trail Date.now() on a busy machine)
    expect(await server.stop()).toEqual({ exitCode: null, signal: 'SIGKILL', killed: true });
  });

  it('reports a vllm that exits while loading, with its exit code and last output line', async () => {
    const { executable } = fakeVllm();
    const error = await rejection(
      startVllmServer({ baseModel: 'b', adapter: '/a', port: await freePort(), executable, pollIntervalMs: 50 }, { env: { ...process.env, FAKE_VLLM_EXIT_CODE: '3' } }),
    );
    expect(error).toBeInstanceOf(VllmLaunchError);
    expect(error).toMatchObject({ code: 'SUBPROCESS_FAILED', exitCode: 3 });
    expect((error as Error).message).toBe('vllm serve exited before it was ready (exit code 3): ValueError: LoRA rank 16 is greater than max_lora_rank 8');
  });

  it('gives up after the health timeout and stops what it started', async () => {
    const { executable, folder } = fakeVllm();
    const stoppedFile = join(folder, 'stopped');
    const error = await rejection(
      startVllmServer(
        { baseModel: 'b', port: await freePort(), executable, pollIntervalMs: 50, healthTimeoutMs: 300 },
        { env: { ...process.env, FAKE_VLLM_READY_AFTER_MS: '60000', FAKE_VLLM_STOPPED_FILE: stoppedFile } },
      ),
    );
    expect(error).toBeInstanceOf(VllmLaunchError);
    expect((error as Error).message).toMatch(/^vllm serve was not ready within 0 s \(still waiting for \/health\); it was stopped/);
    expect(existsSync(stoppedFile)).toBe(true);
  });

  it('fails when the server is up but does not serve the adapter', async () => {
    const { executable } = fakeVllm();
    const error = await rejection(
      startVllmServer({ baseModel: 'b', adapter: '/a', port: await freePort(), executable, pollIntervalMs: 50 }, { env: { ...process.env, FAKE_VLLM_SERVES: 'other' } }),
    );
    expect((error as Error).message).toMatch(/^vllm serve is up but does not serve "confidence" \(it lists other\)/);
  });

  it('refuses a port that already answers, and an executable that does not exist', async () => {
    const { executable } = fakeVllm();
    const port = await freePort();
    const first = await startVllmServer({ baseModel: 'b', port, executable, pollIntervalMs: 50 });
    try {
      expect(((await rejection(startVllmServer({ baseModel: 'b', port, executable }))) as Error).message).toBe(
        `port ${port} on 127.0.0.1 already answers HTTP: stop that server or choose another port`,
      );
    } finally {
      await first.stop();
    }
    const missing = await rejection(startVllmServer({ baseModel: 'b', port, executable: '/nowhere/vllm', pollIntervalMs: 50 }));
    expect(missing).toBeInstanceOf(VllmLaunchError);
    expect((missing as Error).message).toMatch(/^could not start \/nowhere\/vllm \(spawn \/nowhere\/vllm ENOENT\)/);
  });

  it('stops a loading server when the launch is cancelled', async () => {
    const { executable, folder } = fakeVllm();
    const stoppedFile = join(folder, 'stopped');
    const controller = new AbortController();
    // Cancel once the server says it is starting (its SIGTERM handler is in place by then), not after a fixed time:
    // on a busy machine a fixed delay can fall before the handler exists, and SIGTERM then kills it unannounced.
    const error = await rejection(
      startVllmServer(
        { baseModel: 'b', port: await freePort(), executable, pollIntervalMs: 50 },
        {
          signal: controller.signal,
          env: { ...process.env, FAKE_VLLM_READY_AFTER_MS: '60000', FAKE_VLLM_STOPPED_FILE: stoppedFile },
          onOutput: (text) => {
            if (text.includes('Starting vLLM API server')) controller.abort();
          },
        },
      ),
    );
    expect(error).toBeInstanceOf(CancelledError);
    expect(existsSync(stoppedFile)).toBe(true);
  });
});
