import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { captureOutput } from '../../tests/capture-output.js';

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

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const savedPath = process.env['PATH'];
afterEach(() => {
  process.env['PATH'] = savedPath;
  for (const name of ['FAKE_VLLM_ARGS_FILE', 'FAKE_VLLM_STOPPED_FILE', 'FAKE_VLLM_READY_AFTER_MS', 'FAKE_VLLM_EXIT_CODE']) delete process.env[name];
  vi.restoreAllMocks();
});

/** Puts the stand-in vllm (tools/stand-ins/fake-vllm.cjs) first on PATH, as `vllm`. */
function fakeVllmOnPath(): string {
  const folder = mkdtempSync(join(tmpdir(), 'cli-serve-'));
  copyFileSync(join(workspaceRoot(), 'tools', 'stand-ins', 'fake-vllm.cjs'), join(folder, 'vllm'));
  chmodSync(join(folder, 'vllm'), 0o755);
  process.env['PATH'] = `${folder}${delimiter}${savedPath}`;
  return folder;
}

describe('confide serve', () => {
  it('starts vllm serve with the adapter, waits until it is healthy, and stops it on Ctrl-C', { timeout: 30_000 }, async () => {
    const folder = fakeVllmOnPath();
    const port = await freePort();
    process.env['FAKE_VLLM_ARGS_FILE'] = join(folder, 'args.json');
    process.env['FAKE_VLLM_STOPPED_FILE'] = join(folder, 'stopped');
    process.env['FAKE_VLLM_READY_AFTER_MS'] = '300';
    const { out, err } = captureOutput();
    const exit = runCli([
      'serve',
      'Qwen/Qwen2.5-Math-1.5B-Instruct',
      '--adapter',
      '/runs/paper/adapter',
      '--tensor-parallel-size',
      '2',
      '--data-parallel-size',
      '2',
      '--port',
      String(port),
      '--',
      '--gpu-memory-utilization',
      '0.9',
    ]);
    await waitFor(() => out.some((line) => line.startsWith('serving')));
    expect(JSON.parse(readFileSync(join(folder, 'args.json'), 'utf8')).join(' ')).toBe(
      `serve Qwen/Qwen2.5-Math-1.5B-Instruct --host 127.0.0.1 --port ${port} --enable-lora --lora-modules confidence=/runs/paper/adapter --max-lora-rank 8 --tensor-parallel-size 2 --data-parallel-size 2 --gpu-memory-utilization 0.9`,
    );
    expect(out[0]).toMatch(new RegExp(`^serving confidence at http://127\\.0\\.0\\.1:${port}/v1 \\(pid \\d+\\); Ctrl-C stops it$`));
    expect(JSON.parse(out[1]!.replace('small model client: ', ''))).toEqual({
      id: 'core/vllm',
      options: { model: '<price-table id>', servedModel: 'confidence', baseUrl: `http://127.0.0.1:${port}/v1` },
    });
    expect(err.join('')).toContain(`vllm: healthy; waiting for http://127.0.0.1:${port}/v1/models to list confidence`);
    expect(err.join('')).toContain('INFO: Starting vLLM API server'); // vLLM's own output is passed through
    const models = (await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toContain('confidence');

    process.emit('SIGINT');
    expect(await exit).toBe(0);
    expect(existsSync(join(folder, 'stopped'))).toBe(true);
    expect(err.join('')).toContain('serve: vllm stopped (exit code 0)');
  });

  it('stops a vLLM that is still loading when it is told to stop (SIGTERM), leaving nothing running', { timeout: 30_000 }, async () => {
    const folder = fakeVllmOnPath();
    process.env['FAKE_VLLM_READY_AFTER_MS'] = '60000';
    process.env['FAKE_VLLM_STOPPED_FILE'] = join(folder, 'stopped');
    const { err } = captureOutput();
    const exit = runCli(['serve', 'b', '--port', String(await freePort())]);
    await waitFor(() => err.join('').includes('INFO: Starting vLLM API server'));
    const pid = Number(/vllm: started \(pid (\d+)\)/.exec(err.join(''))![1]);
    process.emit('SIGTERM');
    expect(await exit).toBe(1);
    expect(err.join('\n')).toContain('confide: error [CANCELLED]: cancelled while vLLM was starting; it was stopped');
    expect(existsSync(join(folder, 'stopped'))).toBe(true);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('fails with vLLM\'s last output line when it exits while loading', { timeout: 30_000 }, async () => {
    fakeVllmOnPath();
    process.env['FAKE_VLLM_EXIT_CODE'] = '1';
    const { err } = captureOutput();
    expect(await runCli(['serve', 'b', '--adapter', '/a', '--port', String(await freePort()), '--quiet'])).toBe(1);
    expect(err.join('\n')).toContain(
      'confide: error [SUBPROCESS_FAILED]: vllm serve exited before it was ready (exit code 1): ValueError: LoRA rank 16 is greater than max_lora_rank 8',
    );
  });
});
