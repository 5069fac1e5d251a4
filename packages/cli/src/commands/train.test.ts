import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunnerProgress } from '@confide/training';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { TrainProgressDisplay } from './train.js';
import { captureOutput } from '../../tests/capture-output.js';

afterEach(() => vi.restoreAllMocks());

/**
 * A stand-in for the Python interpreter running `-m confide_runner train --config FILE [--resume]`: it speaks the
 * runner's JSON-lines protocol (ready, progress per step, checkpoints, result), trains nothing, checkpoints every
 * 2 steps and on SIGTERM, and continues from its newest checkpoint with --resume, like the real runner.
 */
const FAKE_RUNNER = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(args[args.indexOf('--config') + 1], 'utf8'));
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\\n');
const checkpoints = path.join(config.outputDir, 'checkpoints');
fs.mkdirSync(checkpoints, { recursive: true });
const saved = fs.readdirSync(checkpoints).map((name) => Number(name.split('-')[1])).sort((a, b) => a - b);
let step = args.includes('--resume') ? saved.at(-1) : 0;
if (step === undefined) { emit({ type: 'error', code: 'NOT_FOUND', message: '--resume: no checkpoint' }); process.exit(1); }
emit({ type: 'ready', protocolVersion: 1, command: 'train', runnerVersion: '0.0.0', pid: process.pid, device: 'cpu', precision: 'fp32', worldSize: 1, versions: {} });
const total = config.maxSteps;
const checkpoint = (reason) => {
  const where = path.join(checkpoints, 'checkpoint-' + step);
  fs.mkdirSync(where, { recursive: true });
  emit({ type: 'checkpoint', path: where, step, epoch: step / 4, reason });
  return where;
};
let stopping = false;
process.on('SIGTERM', () => { stopping = true; });
const timer = setInterval(() => {
  if (stopping) {
    clearInterval(timer);
    const where = checkpoint('cancel');
    emit({ type: 'result', command: 'train', status: 'cancelled', adapterPath: null, checkpointPath: where, durationSeconds: 0.1, steps: step, epochs: step / 4, plannedEpochs: config.epochs, firstLoss: 2, finalLoss: 2 - step / 10, examples: 16, tokensSeen: step * 100 });
    process.exit(0);
  }
  step += 1;
  emit({ type: 'progress', phase: 'train', step, totalSteps: total, epoch: step / 4, epochs: config.epochs, loss: 2 - step / 10, learningRate: 0.0001, tokensPerSecond: 1234.5, elapsedSeconds: step, etaSeconds: total - step });
  if (step % 2 === 0 && step < total) checkpoint('interval');
  if (step === total) {
    clearInterval(timer);
    const adapter = path.join(config.outputDir, 'adapter');
    fs.mkdirSync(adapter, { recursive: true });
    emit({ type: 'result', command: 'train', status: 'completed', adapterPath: adapter, checkpointPath: null, durationSeconds: 75, steps: step, epochs: step / 4, plannedEpochs: config.epochs, firstLoss: 2, finalLoss: 2 - step / 10, examples: 16, tokensSeen: step * 100 });
    process.exit(0);
  }
}, Number(process.env.FAKE_RUNNER_STEP_MS || 30));
`;

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function setup() {
  const folder = mkdtempSync(join(tmpdir(), 'cli-train-'));
  const python = join(folder, 'python');
  writeFileSync(python, FAKE_RUNNER);
  chmodSync(python, 0o755);
  const trainFile = join(folder, 'train.jsonl');
  writeFileSync(trainFile, '{"problem": "1+1", "response": "2", "correct": true}\n');
  const outputDir = join(folder, 'run');
  const config = join(folder, 'train.json');
  writeFileSync(config, JSON.stringify({ baseModel: '/models/tiny', trainFile, outputDir, maxSteps: 8, epochs: 2 }));
  return { python, config, outputDir };
}

describe('confide train', () => {
  it('shows progress on stderr, saves a checkpoint on Ctrl-C with a resume hint, and --resume finishes the run', { timeout: 30_000 }, async () => {
    const { python, config, outputDir } = setup();
    process.env['FAKE_RUNNER_STEP_MS'] = '60';
    try {
      const first = captureOutput();
      const stopped = runCli(['train', config, '--python', python]);
      await waitFor(() => first.err.some((line) => / step 3\/8 /.test(line)) || first.err.some((line) => line.includes('checkpoint at step 2')));
      process.emit('SIGINT');
      expect(await stopped).toBe(1);
      const text = first.err.join('');
      expect(text).toContain(`train: checkpoint at step 2: ${join(outputDir, 'checkpoints', 'checkpoint-2')}`);
      expect(text).toContain('train: stopping: the runner writes a checkpoint, then exits');
      expect(text).toMatch(/^train epoch 0\.25\/2 step 1\/8 \[#{3}\.{17}\] 12% loss 1\.9000 1,235 tok\/s ETA 7s$/m);
      const error = /confide: error \[CANCELLED\]: training stopped: checkpoint at (\S+)\. Continue with: confide train (\S+) --resume/.exec(text);
      expect(error).not.toBeNull();
      expect(error![2]).toBe(config);
      expect(existsSync(error![1]!)).toBe(true);
      const stoppedAt = Number(error![1]!.split('-').at(-1));
      expect(stoppedAt).toBeGreaterThanOrEqual(2);
      vi.restoreAllMocks();

      const second = captureOutput();
      expect(await runCli(['train', config, '--python', python, '--resume'])).toBe(0);
      const steps = second.err.join('').match(/ step \d+\/8 /g)!.map((match) => Number(match.trim().split(' ')[1]!.split('/')[0]));
      expect(steps[0]).toBe(stoppedAt + 1);
      expect(steps.at(-1)).toBe(8);
      expect(second.out).toEqual([
        'trained 8 steps (2.00 epochs) on 16 examples in 1m 15s on cpu; loss 2.0000 -> 1.2000',
        `adapter: ${join(outputDir, 'adapter')}`,
      ]);
    } finally {
      delete process.env['FAKE_RUNNER_STEP_MS'];
    }
  });

  it.each([
    [{ lr: 1 }, ': Unrecognized key: "lr"'],
    [{ lora: { rank: 0 } }, ', key "lora.rank": Too small'],
  ])('rejects a config with %j naming the file and key', async (change, message) => {
    const { python, config } = setup();
    writeFileSync(config, JSON.stringify({ baseModel: 'b', trainFile: 't', outputDir: 'o', ...change }));
    const { err } = captureOutput();
    expect(await runCli(['train', config, '--python', python])).toBe(1);
    expect(err.join('\n')).toContain(`confide: error [INVALID_CONFIG]: ${config}${message}`);
  });

  it('names the setup command when the Python environment is missing', async () => {
    const { config } = setup();
    const { err } = captureOutput();
    expect(await runCli(['train', config, '--python', '/nowhere/.venv/bin/python'])).toBe(1);
    expect(err.join('\n')).toContain('Create it with: npm run setup:python   (or: bash tools/python/setup.sh)');
  });
});

/**
 * A stand-in for the interpreter on node r of a run across machines: it writes the arguments it was started with to
 * args.json beside itself, trains one step and, on a rank other than 0, names no adapter (node 0 writes it).
 */
const NODE_RUNNER = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const configPath = args[args.indexOf('--config') + 1];
fs.writeFileSync(path.join(path.dirname(process.argv[1]), 'args.json'), JSON.stringify(args));
const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const rank = args.includes('--node-rank') ? Number(args[args.indexOf('--node-rank') + 1]) : 0;
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\\n');
process.stderr.write('[confide-runner] global batch: 4 examples per optimizer step\\n');
emit({ type: 'ready', protocolVersion: 1, command: 'train', runnerVersion: '0.0.0', pid: process.pid, device: 'cpu', precision: 'fp32', worldSize: 2, versions: {} });
emit({ type: 'result', command: 'train', status: 'completed', adapterPath: rank === 0 ? path.join(config.outputDir, 'adapter') : null, checkpointPath: null, durationSeconds: 3, steps: 1, epochs: 0.25, plannedEpochs: 1, firstLoss: 2, finalLoss: 2, examples: 16, tokensSeen: 100 });
`;

describe('confide train across machines', () => {
  const meeting = ['--master-addr', '10.0.0.5', '--master-port', '29500'];

  it("starts torchrun with the node flags; node 1 says node 0 writes the adapter; --verbose copies the runner's log", async () => {
    const { python, config, outputDir } = setup();
    writeFileSync(python, NODE_RUNNER);
    const { out, err } = captureOutput();
    expect(await runCli(['train', config, '--python', python, '--processes', '2', '--nodes', '2', '--node-rank', '1', ...meeting, '--verbose'])).toBe(0);
    expect(err.join('')).toContain('[confide-runner] global batch: 4 examples per optimizer step\n');
    const args = JSON.parse(readFileSync(join(dirname(config), 'args.json'), 'utf8')) as string[];
    expect(args.slice(0, args.indexOf('--config'))).toEqual([
      '-m', 'torch.distributed.run', '--nnodes', '2', '--node-rank', '1', '--master-addr', '10.0.0.5', '--master-port', '29500', '--nproc-per-node', '2',
      '-m', 'confide_runner', 'train',
    ]);
    expect(err.join('')).toContain('train: node rank 1 of 2 nodes (2 processes here); meeting node 0 at 10.0.0.5:29500, waiting up to 10 minutes for every node');
    expect(out).toEqual([
      'trained 1 steps (0.25 epochs) on 16 examples in 3s on cpu; loss 2.0000 -> 2.0000',
      `adapter: written by node 0 at ${join(outputDir, 'adapter')} (on node 0's filesystem)`,
    ]);
  });

  it.each([
    [['--nodes', '2', '--node-rank', '0'], '--nodes 2 needs --master-addr, --master-port: every node gives'],
    [['--node-rank', '1', ...meeting], '--node-rank, --master-addr, --master-port: only with --nodes 2 or more'],
    [['--nodes', '1', '--node-rank', '0'], '--node-rank: only with --nodes 2 or more'],
    [['--nodes', '2', '--node-rank', '2', ...meeting], '--node-rank 2: must be below nodes (ranks count from 0)'],
    [['--nodes', '0', '--node-rank', '0', ...meeting], '--nodes 0: must be at least 2'],
    [['--nodes', '2', '--node-rank', '0', '--master-addr', '10.0.0.5', '--master-port', '70000'], '--master-port 70000: must be a TCP port, 1 to 65535'],
    [['--nodes', '2', '--node-rank', '0', '--master-addr', 'http://node0', '--master-port', '29500'], '--master-addr http://node0: must be a host name or an IP address'],
  ])('rejects %j naming the flag, before starting anything', async (flags, message) => {
    const { python, config } = setup();
    writeFileSync(python, NODE_RUNNER);
    const { err } = captureOutput();
    expect(await runCli(['train', config, '--python', python, ...flags])).toBe(1);
    expect(err.join('\n')).toContain(`confide: error [INVALID_CONFIG]: ${message}`);
    expect(existsSync(join(dirname(config), 'args.json'))).toBe(false);
  });
});

describe('TrainProgressDisplay', () => {
  const progress = (step: number): RunnerProgress => ({
    phase: 'train',
    step,
    totalSteps: 10,
    epoch: step / 5,
    epochs: 2,
    loss: 1,
    tokensPerSecond: 100,
    elapsedSeconds: step,
    etaSeconds: 10 - step,
    message: null,
  });

  it('redraws one line on a terminal', () => {
    const written: string[] = [];
    const display = new TrainProgressDisplay((text) => written.push(text), true);
    display.update(progress(1));
    display.update(progress(2));
    display.message('train: checkpoint at step 2: /x');
    expect(written).toEqual([
      `\r\x1b[2K${'train epoch 0.20/2 step 1/10 [##..................] 10% loss 1.0000 100 tok/s ETA 9s'}`,
      `\r\x1b[2K${'train epoch 0.40/2 step 2/10 [####................] 20% loss 1.0000 100 tok/s ETA 8s'}`,
      '\n',
      'train: checkpoint at step 2: /x\n',
    ]);
  });

  it('writes a line every interval and the last step elsewhere', () => {
    const written: string[] = [];
    let now = 0;
    const display = new TrainProgressDisplay((text) => written.push(text), false, 10_000, () => now);
    for (let step = 1; step <= 10; step++) {
      now = step * 3_000;
      display.update(progress(step));
    }
    expect(written.map((line) => /step (\d+)\//.exec(line)![1])).toEqual(['1', '5', '9', '10']);
  });
});
