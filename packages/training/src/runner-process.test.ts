import { ConfideError, InvalidInputError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { RunnerCancelledError, RunnerFailedError, type RunnerProtocolError } from './runner-errors.js';
import { runRunnerProcess, type RunnerProcessOptions } from './runner-process.js';

// Stand-ins speaking the runner's protocol (node scripts), to test process handling without Python.
const READY = JSON.stringify({
  type: 'ready', protocolVersion: 1, command: 'generate', runnerVersion: 'test', pid: 1, device: 'cpu', precision: 'fp32', worldSize: 1, versions: {},
});
const RESULT = JSON.stringify({ type: 'result', command: 'generate', status: 'completed', count: 0, outputTokens: 0, durationSeconds: 0 });
const CANCELLED = JSON.stringify({
  type: 'result', command: 'train', status: 'cancelled', adapterPath: null, checkpointPath: '/run/checkpoints/checkpoint-3', durationSeconds: 1,
  steps: 3, epochs: 0.3, plannedEpochs: 1, firstLoss: 2, finalLoss: 1, examples: 4, tokensSeen: 100,
});

function standIn(script: string, options: Partial<RunnerProcessOptions> = {}) {
  return runRunnerProcess({ command: process.execPath, args: ['-e', script], gracePeriodMs: 2_000, ...options });
}
const say = (...lines: string[]) => lines.map((line) => `console.log(${JSON.stringify(line)});`).join('');

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the run to fail');
}

describe('runRunnerProcess', () => {
  it('turns bad stdout lines into reported errors and still finishes', async () => {
    const reported: RunnerProtocolError[] = [];
    const outcome = await standIn(say(READY, 'Loading weights 100%', '{"type": "progress"}', RESULT), {
      onInvalidLine: (error) => reported.push(error),
    });
    expect(outcome.result).toMatchObject({ command: 'generate', status: 'completed' });
    expect(reported.map((error) => [error.lineNumber, error.code])).toEqual([[2, 'SUBPROCESS_FAILED'], [3, 'SUBPROCESS_FAILED']]);
    expect(outcome.invalidLines).toEqual(reported);
  });

  it('reports a crash with its exit code and the tail of stderr', async () => {
    const error = await failure(
      standIn(`${say(READY)} for (let i = 0; i < 60; i++) console.error('line ' + i); console.error('ZeroDivisionError: boom'); process.exit(3);`, {
        stderrTailLines: 5,
      }),
    );
    expect(error).toBeInstanceOf(RunnerFailedError);
    const failed = error as RunnerFailedError;
    expect(ConfideError.isInstance(failed) && failed.code).toBe('SUBPROCESS_FAILED');
    expect(failed.exitCode).toBe(3);
    expect(failed.stderrTail.split('\n')).toEqual(['line 56', 'line 57', 'line 58', 'line 59', 'ZeroDivisionError: boom']);
    expect(failed.message).toBe('runner exited without a result (exit code 3): ZeroDivisionError: boom');
  });

  it('puts the last 20 lines of stderr in the message of a runner that exits abnormally after its result', async () => {
    const error = await failure(
      standIn(`${say(READY, RESULT)} for (let i = 0; i < 30; i++) console.error('line ' + i); console.error('='.repeat(20)); process.exit(1);`),
    );
    expect(error).toMatchObject({ name: 'RunnerFailedError', exitCode: 1 });
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe(`runner exited abnormally (exit code 1): ${'='.repeat(20)}`);
    expect(lines[1]).toBe('--- runner stderr, last 20 line(s) ---');
    expect(lines.slice(2)).toEqual([...Array.from({ length: 19 }, (_, index) => `line ${index + 11}`), '='.repeat(20)]);
  });

  it("puts the end of stderr in the message when its last line says nothing (torchrun's closing rule)", async () => {
    const error = await failure(standIn(`${say(READY)} console.error('ChildFailedError:'); console.error('exitcode  : -6'); console.error('====='); process.exit(1);`));
    expect((error as Error).message).toBe(
      'runner exited without a result (exit code 1): =====\n--- runner stderr, last 3 line(s) ---\nChildFailedError:\nexitcode  : -6\n=====',
    );
  });

  it("carries the runner's own error event", async () => {
    const error = await failure(standIn(`${say(READY, JSON.stringify({ type: 'error', code: 'RUNNER_FAILED', message: 'OSError: no weights' }))} process.exit(1);`));
    expect(error).toMatchObject({ name: 'RunnerFailedError', exitCode: 1, runnerCode: 'RUNNER_FAILED' });
    expect((error as Error).message).toBe('runner failed (exit code 1): OSError: no weights');
  });

  it('turns a rejected input file into InvalidInputError naming file, row and field', async () => {
    const event = { type: 'error', code: 'INVALID_INPUT', message: 'x', details: { file: 'train.jsonl', line: 7, field: 'correct', problem: 'is missing' } };
    const error = await failure(standIn(`${say(JSON.stringify(event))} process.exit(2);`));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe('train.jsonl, row 7, field "correct": is missing');
  });

  it('stops on abort with SIGTERM and reports the checkpoint the runner wrote', async () => {
    const controller = new AbortController();
    const script = `process.on('SIGTERM', () => { ${say(CANCELLED)} process.exit(0); }); ${say(READY)} setInterval(() => {}, 1000);`;
    const run = standIn(script, { signal: controller.signal, onEvent: (event) => event.type === 'ready' && controller.abort() });
    const error = await failure(run);
    expect(error).toBeInstanceOf(RunnerCancelledError);
    expect(error).toMatchObject({ code: 'CANCELLED', killed: false, checkpointPath: '/run/checkpoints/checkpoint-3' });
  });

  it('with close-stdin, stops a ready runner by closing its stdin, not by a signal (torchrun workers)', async () => {
    const controller = new AbortController();
    const script =
      `process.on('SIGTERM', () => { console.error('SIGTERM'); }); ` +
      `process.stdin.on('end', () => { ${say(CANCELLED)} process.exit(0); }); process.stdin.resume(); ${say(READY)}`;
    let stderr = '';
    const error = await failure(
      standIn(script, {
        stopRequest: 'close-stdin',
        signal: controller.signal,
        onStderr: (text) => (stderr += text),
        onEvent: (event) => event.type === 'ready' && controller.abort(),
      }),
    );
    expect(error).toMatchObject({ name: 'RunnerCancelledError', killed: false, checkpointPath: '/run/checkpoints/checkpoint-3' });
    expect(stderr).not.toContain('SIGTERM');
  });

  it('kills a runner that ignores SIGTERM once the grace period is over', async () => {
    const controller = new AbortController();
    const script = `process.on('SIGTERM', () => {}); ${say(READY)} setInterval(() => {}, 1000);`;
    const started = Date.now();
    const error = await failure(
      standIn(script, { signal: controller.signal, gracePeriodMs: 300, onEvent: (event) => event.type === 'ready' && controller.abort() }),
    );
    expect(error).toMatchObject({ name: 'RunnerCancelledError', killed: true, checkpointPath: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('gives up on a runner that never says ready', async () => {
    const error = await failure(standIn('setInterval(() => {}, 1000);', { readyTimeoutMs: 200, gracePeriodMs: 200 }));
    expect(error).toMatchObject({ name: 'RunnerFailedError', message: 'the runner sent no "ready" event within 0.2s' });
  });

  it('reports a command that cannot start', async () => {
    const error = await failure(runRunnerProcess({ command: '/nonexistent/python', args: [] }));
    expect(error).toBeInstanceOf(RunnerFailedError);
    expect((error as Error).message).toMatch(/^could not start the runner \(\/nonexistent\/python\): spawn \/nonexistent\/python ENOENT/);
  });

  it('does not start when the signal is already aborted', async () => {
    const error = await failure(standIn('process.exit(5)', { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ name: 'RunnerCancelledError', killed: false });
  });

  it('stops the runner and rethrows when a callback throws', async () => {
    const script = `process.on('SIGTERM', () => process.exit(0)); ${say(READY)} setInterval(() => {}, 1000);`;
    const error = await failure(
      standIn(script, {
        onEvent: () => {
          throw new Error('display broke');
        },
      }),
    );
    expect((error as Error).message).toBe('display broke');
  });
});
