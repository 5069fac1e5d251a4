import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { workspaceRoot } from '@confide/data';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { captureOutput } from '../../tests/capture-output.js';

const TOKEN = 'hf_cli_writer';
let root: string;
let cache: string;
let work: string;
let standIn: ChildProcess;
let hubUrl: string;
const previousToken = process.env['HF_TOKEN'];

/** Starts the hub stand-in as its own process, as a user would (`tools/hub-stand-in/src/main.ts`). */
async function startStandIn(folder: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/hub-stand-in/src/main.ts', '--root', folder, '--token', TOKEN], {
    cwd: workspaceRoot(),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the stand-in exited with ${code}`)));
  });
  return { child, url };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cli-hub-root-'));
  cache = mkdtempSync(join(tmpdir(), 'cli-hub-cache-'));
  work = mkdtempSync(join(tmpdir(), 'cli-hub-work-'));
  const lines = gunzipSync(readFileSync(join(workspaceRoot(), 'packages/data/datasets/math500_test.jsonl.gz'))).toString('utf8').split('\n');
  mkdirSync(join(root, 'datasets/HuggingFaceH4/MATH-500'), { recursive: true });
  writeFileSync(join(root, 'datasets/HuggingFaceH4/MATH-500/test.jsonl'), lines.slice(0, 50).join('\n') + '\n');
  ({ child: standIn, url: hubUrl } = await startStandIn(root));
});

afterEach(() => vi.restoreAllMocks());

afterAll(() => {
  standIn.kill();
  if (previousToken === undefined) delete process.env['HF_TOKEN'];
  else process.env['HF_TOKEN'] = previousToken;
  for (const folder of [root, cache, work]) rmSync(folder, { recursive: true, force: true });
});

describe('confide data pull / push and adapter push / pull against the hub stand-in', () => {
  it('pulls MATH-500 with progress on stderr and writes the split and its source', async () => {
    const { out, err } = captureOutput({ trimStderr: true });
    const code = await runCli(['data', 'pull', 'HuggingFaceH4/MATH-500', '--hub-url', hubUrl, '--cache', cache, '--out', join(work, 'math500'), '--format', 'json']);
    expect(err.join('\n')).not.toMatch(/confide: error/);
    expect(code).toBe(0);
    expect(err.filter((line) => line.startsWith('hub: downloading test.jsonl'))).toEqual([
      expect.stringMatching(/^hub: downloading test\.jsonl 0% \(0 B of \d+\.\d KiB\)$/),
      expect.stringMatching(/^hub: downloading test\.jsonl 100% \((\d+\.\d KiB) of \1\)$/),
    ]);
    const printed = JSON.parse(out.join('\n'));
    expect(printed.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(printed.splits).toEqual([{ split: 'test', rows: 50, files: 1, mapped: '' }]);
    expect(readFileSync(join(work, 'math500', 'test.jsonl'), 'utf8').split('\n')).toHaveLength(51);
    expect(JSON.parse(readFileSync(join(work, 'math500', 'source.json'), 'utf8')).reference).toBe(`hf://datasets/HuggingFaceH4/MATH-500@${printed.source.commit}`);
  });

  it('pushes the pulled split as a Parquet dataset citing its source, and an adapter; both pull back', async () => {
    process.env['HF_TOKEN'] = TOKEN;
    const pushed = captureOutput({ trimStderr: true });
    expect(await runCli(['data', 'push', join(work, 'math500'), '--repo', 'me/math500-copy', '--hub-url', hubUrl])).toBe(0);
    expect(pushed.out.join('\n')).toMatch(/commit {3}[0-9a-f]{40}\n/);
    expect(pushed.out.join('\n')).toContain('data/test-00000-of-00001.parquet');
    const card = readFileSync(join(root, 'datasets/me/math500-copy/README.md'), 'utf8');
    expect(card).toMatch(/sources:\n {2}- "hf:\/\/datasets\/HuggingFaceH4\/MATH-500@[0-9a-f]{40}"\n/);

    const adapterFolder = join(work, 'adapter');
    mkdirSync(adapterFolder);
    writeFileSync(join(adapterFolder, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', base_model_name_or_path: 'Qwen/Qwen2.5-Math-1.5B-Instruct', r: 8 }));
    writeFileSync(join(adapterFolder, 'adapter_model.safetensors'), Buffer.alloc(4096, 3));
    expect(await runCli(['adapter', 'push', adapterFolder, '--repo', 'me/lora', '--hub-url', hubUrl])).toBe(0);

    vi.restoreAllMocks();
    const pulled = captureOutput({ trimStderr: true });
    expect(await runCli(['adapter', 'pull', 'me/lora', '--hub-url', hubUrl, '--cache', cache, '--format', 'json'])).toBe(0);
    const adapter = JSON.parse(pulled.out.join('\n'));
    expect(readFileSync(join(adapter.folder, 'adapter_model.safetensors')).equals(Buffer.alloc(4096, 3))).toBe(true);
    expect(readFileSync(join(adapter.folder, 'README.md'), 'utf8')).toContain('base_model: Qwen/Qwen2.5-Math-1.5B-Instruct');
  });

  it('works offline once the stand-in is gone, and fails in one line for what is not cached', async () => {
    standIn.kill();
    await new Promise((resolve) => standIn.once('exit', resolve));
    const { out, err } = captureOutput({ trimStderr: true });
    expect(await runCli(['data', 'pull', 'HuggingFaceH4/MATH-500', '--offline', '--hub-url', hubUrl, '--cache', cache])).toBe(0);
    expect(out.join('\n')).toMatch(/\(revision main, from cache\)/);
    expect(err).toContainEqual(expect.stringMatching(/^hub: test\.jsonl \(\d+\.\d KiB\) from cache$/));

    const failed = captureOutput({ trimStderr: true });
    expect(await runCli(['data', 'pull', 'me/math500-copy', '--offline', '--hub-url', hubUrl, '--cache', cache])).toBe(1);
    const errors = failed.err.filter((line) => line.startsWith('confide: error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^confide: error \[NOT_FOUND\]: offline: dataset me\/math500-copy@main is not in the cache at /);
  });

  it('refuses to push without HF_TOKEN, in one line', async () => {
    delete process.env['HF_TOKEN'];
    const { err } = captureOutput({ trimStderr: true });
    expect(await runCli(['data', 'push', join(work, 'math500'), '--repo', 'me/x', '--hub-url', hubUrl])).toBe(1);
    expect(err.filter((line) => line.startsWith('confide: error'))).toEqual([
      'confide: error [INVALID_CONFIG]: pushing to dataset me/x needs HF_TOKEN: set it to a token with write access',
    ]);
  });
});
