/**
 * The TypeScript wrapper driving the real Python runner with the tiny random Qwen2 model on CPU.
 * Needs the workspace's Python environment: `npm run setup:python` (these tests fail, not skip, without it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONFIDENT_TOKEN, InvalidConfigError, InvalidInputError, UNCERTAIN_TOKEN } from '@confide/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateWithRunner } from './generate-with-runner.js';
import { PythonEnvironmentMissingError, resolveRunnerPython, WORKSPACE_ROOT } from './python-environment.js';
import { RunnerCancelledError, RunnerFailedError } from './runner-errors.js';
import type { RunnerEvent } from './runner-events.js';
import { formatRunnerProgress, type RunnerProgress } from './runner-progress.js';
import { SEED_SYSTEM_PROMPT, SEED_USER_TEMPLATE } from './seed-prompt.js';
import { TrainAdapterConfig, trainAdapter, type TrainAdapterInput, type TrainAdapterOptions, type TrainAdapterResult } from './train-adapter.js';

const TOY_PROMPT = { systemPrompt: 'Answer.', userTemplate: '{problem}' };

let tinyModel: string;
let folder: string;
let trainFile: string;

function toyRows(): string {
  const rows: string[] = [];
  for (let a = 1; a <= 4; a++) {
    for (let b = 1; b <= 4; b++) {
      rows.push(JSON.stringify({ id: `${a}+${b}`, problem: `${a}+${b}`, response: String(a + b), correct: (a + b) % 2 === 0 }));
    }
  }
  return `${rows.join('\n')}\n`;
}

function toyConfig(outputDir: string, overrides: Partial<TrainAdapterInput> = {}): TrainAdapterInput {
  return {
    baseModel: tinyModel,
    trainFile,
    outputDir,
    confidenceTokens: 'text', // the seed's way; the Python tests train with 'special'
    learningRate: 0.05,
    epochs: 10,
    maxSteps: 6,
    perDeviceBatchSize: 4,
    gradientAccumulationSteps: 1,
    maxLength: 64,
    ...TOY_PROMPT,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * A TCP port that was free a moment ago, drawn below the OS's ephemeral range (Linux's default: 32768-60999): the OS
 * hands ports from that range to every `listen(0)` and outgoing connection (another suite's free port, gloo's own
 * sockets), not one of these, so only a process binding this very number can take it before torchrun does.
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
  throw new Error('no free TCP port in 20000-31999');
}

/** torchrun's static rendezvous did not come together: node 0 could not listen on its port, or a node could not reach it. */
const RENDEZVOUS_FAILURE =
  /EADDRINUSE|address already in use|server socket has failed to listen|RendezvousConnectionError|RendezvousTimeoutError|DistNetworkError/;

/** The last lines of each run's stderr, for a failure's message. */
function stderrTails(stderr: Map<string, string>, lines = 20): string {
  return [...stderr].map(([name, text]) => `--- ${name}, stderr (last ${lines} lines) ---\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`).join('\n');
}

/** The float32 tensors of a .safetensors file (8-byte header length, JSON header, then the data). */
async function readSafetensors(file: string): Promise<Map<string, Float32Array>> {
  const bytes = await readFile(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const tensors = new Map<string, Float32Array>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') throw new Error(`${file}: ${name} is ${entry.dtype}, not F32`);
    const [start, end] = entry.data_offsets;
    const data = bytes.subarray(8 + headerLength + start, 8 + headerLength + end);
    tensors.set(name, new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)));
  }
  return tensors;
}

beforeAll(async () => {
  const python = resolveRunnerPython(); // throws with the setup command when .venv is missing
  tinyModel = execFileSync(python, [path.join(WORKSPACE_ROOT, 'tools', 'tiny-model', 'build_tiny_model.py')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  folder = await mkdtemp(path.join(tmpdir(), 'confide-runner-e2e-'));
  trainFile = path.join(folder, 'train.jsonl');
  await writeFile(trainFile, toyRows());
});

describe('trainAdapter and generateWithRunner with the real runner', () => {
  let adapterPath: string;

  it('trains with progress (epoch, step, loss, tokens/s, ETA), stops on abort with a checkpoint, resumes to a PEFT adapter', async () => {
    const outputDir = path.join(folder, 'run');
    const controller = new AbortController();
    const before: RunnerProgress[] = [];
    const error = await rejection(
      trainAdapter(toyConfig(outputDir), {
        signal: controller.signal,
        onProgress: (update) => {
          before.push(update);
          if (update.phase === 'train' && update.step >= 2) controller.abort();
        },
      }),
    );
    expect(error).toBeInstanceOf(RunnerCancelledError);
    const cancelled = error as RunnerCancelledError;
    expect(cancelled.killed).toBe(false);
    expect(cancelled.checkpointPath).toMatch(/checkpoints\/checkpoint-[2-5]$/);
    expect(existsSync(cancelled.checkpointPath!)).toBe(true);
    const stoppedAt = Number(cancelled.checkpointPath!.split('-').at(-1));

    const after: RunnerProgress[] = [];
    const result = await trainAdapter(toyConfig(outputDir), { resume: true, onProgress: (update) => after.push(update) });
    const steps = [...before, ...after].filter((update) => update.phase === 'train');
    expect(steps.map((update) => update.step)).toEqual([...Array.from({ length: stoppedAt }, (_, index) => index + 1), ...Array.from({ length: 6 - stoppedAt }, (_, index) => stoppedAt + index + 1)]);
    for (const update of steps) {
      expect(update.totalSteps).toBe(6);
      expect(update.epoch).toBeGreaterThan(0);
      expect(update.loss).toEqual(expect.any(Number));
      expect(update.tokensPerSecond).toBeGreaterThan(0);
      expect(update.etaSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(formatRunnerProgress(steps.at(-1)!)).toMatch(/^train epoch \d\.\d\d\/\d+(\.\d+)? step 6\/6 \[#+\] 100% loss \d+\.\d{4} [\d,]+ tok\/s ETA 0s$/);
    expect(result).toMatchObject({ steps: 6, examples: 16, adapterPath: path.join(outputDir, 'adapter') });
    expect(result.finalLoss!).toBeLessThan(result.firstLoss!);
    const adapterConfig = JSON.parse(await readFile(path.join(result.adapterPath, 'adapter_config.json'), 'utf8'));
    expect(adapterConfig).toMatchObject({ r: 8, lora_alpha: 32, lora_dropout: 0.05, peft_type: 'LORA', trainable_token_indices: null });
    expect(existsSync(path.join(result.adapterPath, 'README.md'))).toBe(true);
    adapterPath = result.adapterPath;
  });

  it('generates with the adapter: a confidence token or none, with probabilities, in input order', async () => {
    const problems = ['2+3', '4+4', '1+1'].map((problem) => ({ id: `p-${problem}`, problem }));
    const result = await generateWithRunner({ baseModel: tinyModel, adapter: adapterPath, problems, maxNewTokens: 6, batchSize: 2, ...TOY_PROMPT });
    expect(result.generations.map((generation) => generation.id)).toEqual(problems.map((problem) => problem.id));
    for (const generation of result.generations) {
      expect([CONFIDENT_TOKEN, UNCERTAIN_TOKEN, null]).toContain(generation.confidenceToken);
      const { confident, uncertain } = generation.confidenceProbabilities;
      expect(confident).toBeGreaterThanOrEqual(0);
      expect(uncertain).toBeGreaterThanOrEqual(0);
      expect(confident + uncertain).toBeLessThanOrEqual(1);
      expect(generation.usage.output).toBeLessThanOrEqual(6);
    }
  });

  it('surfaces a crash in Python as RunnerFailedError with exit code and stderr tail', async () => {
    const brokenModel = path.join(folder, 'broken-model');
    execFileSync('mkdir', ['-p', brokenModel]);
    await writeFile(path.join(brokenModel, 'config.json'), '{}');
    const error = await rejection(trainAdapter(toyConfig(path.join(folder, 'crash'), { baseModel: brokenModel })));
    expect(error).toBeInstanceOf(RunnerFailedError);
    const failed = error as RunnerFailedError;
    expect(failed).toMatchObject({ code: 'SUBPROCESS_FAILED', exitCode: 1, runnerCode: 'RUNNER_FAILED' });
    expect(failed.stderrTail).toContain('Traceback');
  });

  it('reports a bad training file as InvalidInputError naming file, row and field', async () => {
    const badFile = path.join(folder, 'bad.jsonl');
    await writeFile(badFile, '{"problem": "1+1", "response": "2", "correct": true}\n{"problem": "1+2", "response": "3"}\n');
    const error = await rejection(trainAdapter(toyConfig(path.join(folder, 'bad'), { trainFile: badFile })));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(`${badFile}, row 2, field "correct": is missing`);
  });
});

describe('training across machines: torchrun, gloo on CPU', () => {
  // Adam's first step from LoRA's zero B moves every B entry by about the learning rate whatever the gradient's size,
  // so the gradient norm (over the whole global batch) is compared as well: it carries the gradient's scale.
  const ADAPTER_TOLERANCE = 1e-6; // max |difference| of any adapter entry; the entries are about 0.05 (lr) and 0.1
  const RELATIVE_TOLERANCE = 1e-5; // loss and gradient norm

  it('two nodes of one process each, per-process batch 2, train the adapter one process trains with batch 4 (one step, LoRA dropout 0)', async () => {
    const oneStep = { maxSteps: 1, lora: { dropout: 0 } };
    const threads = { OMP_NUM_THREADS: '1' };
    const events = new Map<string, RunnerEvent[]>();
    const stderr = new Map<string, string>();
    const options = (name: string, extra: Partial<TrainAdapterOptions> = {}): TrainAdapterOptions => {
      events.set(name, []);
      stderr.set(name, '');
      return {
        env: threads,
        onEvent: (event) => events.get(name)!.push(event),
        onStderr: (text) => stderr.set(name, stderr.get(name)! + text),
        ...extra,
      };
    };
    // Each node gets its own output folder, as on machines without a shared filesystem.
    const nodeFolder = (rank: number) => path.join(folder, `node-${rank}`);
    // The port is free when drawn, not reserved: another process can bind it before node 0 does. Such a run fails
    // before its rendezvous (the failing node sent no `ready`, its stderr says why): the other node is stopped and
    // both run again on a fresh port. Any other failure fails the test at once, with every run's stderr.
    const RENDEZVOUS_ATTEMPTS = 3;
    const trainTwoNodes = async (): Promise<TrainAdapterResult[]> => {
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        const stopNodes = new AbortController();
        const runs = [0, 1].map((rank) =>
          trainAdapter(
            toyConfig(nodeFolder(rank), { ...oneStep, perDeviceBatchSize: 2 }),
            options(`node ${rank}`, { nodes: { nodes: 2, nodeRank: rank, masterAddr: '127.0.0.1', masterPort: port }, signal: stopNodes.signal }),
          ).catch((error: unknown) => {
            throw Object.assign(error as Error, { rank });
          }),
        );
        try {
          return await Promise.all(runs);
        } catch (caught) {
          const error = caught as Error & { rank: number };
          const name = `node ${error.rank}`;
          const beforeRendezvous =
            error instanceof RunnerFailedError &&
            !events.get(name)!.some((event) => event.type === 'ready') &&
            RENDEZVOUS_FAILURE.test(stderr.get(name)!);
          stopNodes.abort(); // the other node waits for the one that failed: stop it
          if (!beforeRendezvous || attempt === RENDEZVOUS_ATTEMPTS) {
            throw new Error(`${name} failed (attempt ${attempt} of ${RENDEZVOUS_ATTEMPTS}, port ${port}): ${error.message}\n${stderrTails(stderr)}`, {
              cause: error,
            });
          }
          console.log(`two-node rendezvous on port ${port} failed (attempt ${attempt}), again on a fresh port: ${name}: ${error.message}`);
          await Promise.allSettled(runs); // stopped before its rendezvous: it ends at once
          await Promise.all([0, 1].map((rank) => rm(nodeFolder(rank), { recursive: true, force: true })));
        }
      }
    };
    const [single, [nodeZero, nodeOne]] = await Promise.all([
      trainAdapter(toyConfig(path.join(folder, 'one-process'), { ...oneStep, perDeviceBatchSize: 4 }), options('single')).catch((error: unknown) => {
        throw new Error(`one-process training failed: ${(error as Error).message}\n${stderrTails(new Map([['single', stderr.get('single')!]]))}`, {
          cause: error,
        });
      }),
      trainTwoNodes(),
    ]);

    const ready = (name: string) => events.get(name)!.find((event) => event.type === 'ready');
    expect([ready('single'), ready('node 0'), ready('node 1')].map((event) => event?.type === 'ready' && event.worldSize)).toEqual([1, 2, 2]);
    expect(stderr.get('single')).toContain('global batch: 4 examples per optimizer step (4 per process x 1 accumulation x 1 processes)');
    expect(stderr.get('node 0')).toContain('global batch: 4 examples per optimizer step (2 per process x 1 accumulation x 2 processes)');
    expect(nodeZero).toMatchObject({ steps: 1, adapterWrittenHere: true, adapterPath: path.join(folder, 'node-0', 'adapter') });
    // Node 1 trains (its progress shows the run's loss) but writes no adapter and announces no checkpoint.
    expect(nodeOne).toMatchObject({ steps: 1, adapterWrittenHere: false, adapterPath: path.join(folder, 'node-1', 'adapter') });
    expect(existsSync(nodeOne.adapterPath)).toBe(false);
    expect(events.get('node 1')!.filter((event) => event.type === 'checkpoint')).toEqual([]);
    expect(nodeOne.firstLoss).toBe(nodeZero.firstLoss);

    const gradientNorm = (name: string) =>
      events.get(name)!.flatMap((event) => (event.type === 'metric' && event.name === 'train/grad_norm' ? [event.value!] : []))[0]!;
    const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    const lossDifference = relative(nodeZero.firstLoss!, single.firstLoss!);
    const normDifference = relative(gradientNorm('node 0'), gradientNorm('single'));

    const one = await readSafetensors(path.join(single.adapterPath, 'adapter_model.safetensors'));
    const two = await readSafetensors(path.join(nodeZero.adapterPath, 'adapter_model.safetensors'));
    expect([...two.keys()].sort()).toEqual([...one.keys()].sort());
    let largest = 0;
    let largestB = 0;
    for (const [name, values] of one) {
      const other = two.get(name)!;
      values.forEach((value, index) => (largest = Math.max(largest, Math.abs(value - other[index]!))));
      if (name.includes('lora_B')) values.forEach((value) => (largestB = Math.max(largestB, Math.abs(value))));
    }
    console.log(
      `two nodes vs one process after one step: adapter max |diff| ${largest.toExponential(2)} (tolerance ${ADAPTER_TOLERANCE}), ` +
        `loss relative diff ${lossDifference.toExponential(2)}, gradient norm relative diff ${normDifference.toExponential(2)} (tolerance ${RELATIVE_TOLERANCE})`,
    );
    expect(largestB).toBeGreaterThan(0.01); // the step moved the adapter (B starts at zero)
    expect(largest).toBeLessThanOrEqual(ADAPTER_TOLERANCE);
    expect(lossDifference).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    expect(normDifference).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});

describe('configs, checked before anything starts', () => {
  it("fills in the seed's training settings", () => {
    expect(TrainAdapterConfig.parse({ baseModel: 'Qwen/Qwen2.5-Math-1.5B-Instruct', trainFile: 't.jsonl', outputDir: 'finetuned_models/a' })).toMatchObject({
      lora: { rank: 8, alpha: 32, dropout: 0.05, targetModules: ['q_proj', 'v_proj'], bias: 'none' },
      learningRate: 5e-5,
      epochs: 5,
      perDeviceBatchSize: 5,
      gradientAccumulationSteps: 4,
      maxLength: 512,
      balance: true,
      confidenceTokens: 'text',
      systemPrompt: SEED_SYSTEM_PROMPT,
      userTemplate: SEED_USER_TEMPLATE,
    });
  });

  it.each([
    [{ lr: 1e-4 }, 'experiments/a.json: Unrecognized key: "lr"'],
    [{ lora: { rank: 0 } }, 'experiments/a.json, key "lora.rank": Too small'],
    [{ confidenceTokens: 'both' }, 'experiments/a.json, key "confidenceTokens": Invalid option'],
  ])('rejects %j naming the key', async (change, message) => {
    const error = await rejection(trainAdapter({ ...toyConfig(path.join(folder, 'never')), ...change } as TrainAdapterInput, { source: 'experiments/a.json' }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as Error).message).toContain(message);
  });

  it('tells how to create a missing Python environment', async () => {
    const error = await rejection(trainAdapter(toyConfig(path.join(folder, 'never')), { python: '/nowhere/.venv/bin/python' }));
    expect(error).toBeInstanceOf(PythonEnvironmentMissingError);
    expect((error as Error).message).toContain('bash tools/python/setup.sh');
  });
});
