import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { InvalidInputError } from '@confide/core';
import { RunnerCancelledError, RunnerFailedError, RunnerProtocolError } from './runner-errors.js';
import {
  parseRunnerLine,
  type RunnerCheckpointEvent,
  type RunnerErrorEvent,
  type RunnerEvent,
  type RunnerReadyEvent,
  type RunnerResultEvent,
} from './runner-events.js';

export interface RunnerProcessOptions {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Abort -> the stop request below; SIGKILL to the runner's process group if it has not exited after the grace period. */
  signal?: AbortSignal;
  /**
   * How an abort asks a runner that has sent `ready` to stop: `signal` (the default) sends SIGTERM to its process
   * group; `close-stdin` closes its stdin (the runner watches it). Under torchrun the workers run in sessions of their
   * own and a signalled agent shuts down without its exit barrier, leaving the other machines' agents waiting at
   * theirs for 5 minutes; closing stdin reaches every worker here, which agree on a step, checkpoint and exit, so every
   * agent finishes as after a completed run. Before `ready` the stop is always SIGTERM (nothing to checkpoint yet).
   */
  stopRequest?: 'signal' | 'close-stdin';
  gracePeriodMs?: number;
  /** How long the runner may take to send `ready` (it sends it before loading any model). */
  readyTimeoutMs?: number;
  stderrTailLines?: number;
  onEvent?: (event: RunnerEvent) => void;
  onInvalidLine?: (error: RunnerProtocolError) => void;
  onStderr?: (text: string) => void;
}

export interface RunnerOutcome<Result extends RunnerResultEvent = RunnerResultEvent> {
  ready: RunnerReadyEvent;
  result: Result;
  checkpoints: RunnerCheckpointEvent[];
  invalidLines: RunnerProtocolError[];
  stderrTail: string;
}

export const DEFAULT_GRACE_PERIOD_MS = 30_000;
export const DEFAULT_READY_TIMEOUT_MS = 120_000;

/**
 * Run the Python runner (or anything speaking its protocol) to completion.
 *
 * Resolves with the `result` event; rejects with RunnerCancelledError after an abort, InvalidInputError when the
 * runner rejected its input file, and RunnerFailedError (exit code, signal, stderr tail) for everything else.
 * Lines that are not valid events are collected and reported, not thrown.
 */
export function runRunnerProcess(options: RunnerProcessOptions): Promise<RunnerOutcome> {
  const gracePeriodMs = options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const tailLines = options.stderrTailLines ?? 40;

  return new Promise<RunnerOutcome>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new RunnerCancelledError({ checkpointPath: null, killed: false }));
      return;
    }
    // Own process group: a terminal's Ctrl-C reaches only us, and we decide how the runner stops.
    // stdin stays open and unused: when this process dies it closes, and the runner stops cleanly.
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });

    let ready: RunnerReadyEvent | undefined;
    let result: RunnerResultEvent | undefined;
    let errorEvent: RunnerErrorEvent | undefined;
    let callbackError: unknown;
    let startError: Error | undefined;
    let cancelRequested = false;
    let killed = false;
    let readyTimedOut = false;
    const checkpoints: RunnerCheckpointEvent[] = [];
    const invalidLines: RunnerProtocolError[] = [];
    const stderrLines: string[] = [];
    let stderrPartial = '';
    let killTimer: NodeJS.Timeout | undefined;

    const signalGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    const stop = () => {
      if (killTimer !== undefined) return;
      if (options.stopRequest === 'close-stdin' && ready !== undefined) child.stdin.end();
      else signalGroup('SIGTERM');
      killTimer = setTimeout(() => {
        killed = true;
        signalGroup('SIGKILL');
      }, gracePeriodMs);
    };
    const onAbort = () => {
      cancelRequested = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const readyTimer = setTimeout(() => {
      if (ready === undefined && errorEvent === undefined) {
        readyTimedOut = true;
        stop();
      }
    }, readyTimeoutMs);

    // a callback that throws stops the run: lines the runner had already written are not handed to callbacks after it
    // (a generation refused, then another one already in the pipe, must not be handed out)
    const guard = (callback: () => void) => {
      if (callbackError !== undefined) return;
      try {
        callback();
      } catch (error) {
        if (callbackError === undefined) callbackError = error;
        stop();
      }
    };

    let lineNumber = 0;
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      lineNumber += 1;
      if (line.trim() === '') return;
      const parsed = parseRunnerLine(line);
      if (!parsed.ok) {
        const problem = new RunnerProtocolError(lineNumber, line, parsed.problem);
        invalidLines.push(problem);
        guard(() => options.onInvalidLine?.(problem));
        return;
      }
      const event = parsed.event;
      if (event.type === 'ready') {
        ready = event;
        clearTimeout(readyTimer);
      } else if (event.type === 'result') {
        result = event;
      } else if (event.type === 'error') {
        errorEvent = event;
      } else if (event.type === 'checkpoint') {
        checkpoints.push(event);
      }
      guard(() => options.onEvent?.(event));
    });

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      const parts = (stderrPartial + text).split('\n');
      stderrPartial = parts.pop() ?? '';
      stderrLines.push(...parts);
      if (stderrLines.length > tailLines) stderrLines.splice(0, stderrLines.length - tailLines);
      guard(() => options.onStderr?.(text));
    });
    const linesClosed = new Promise<void>((done) => lines.once('close', done));
    let finished = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return;
      finished = true;
      {
        clearTimeout(readyTimer);
        if (killTimer !== undefined) clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
        const stderrTail = [...stderrLines, ...(stderrPartial ? [stderrPartial] : [])].slice(-tailLines).join('\n');
        const failure = (message: string, runnerCode?: string) =>
          new RunnerFailedError(message, { exitCode, signal, stderrTail, runnerCode }, { cause: startError });

        if (callbackError !== undefined) {
          reject(callbackError);
        } else if (startError !== undefined) {
          reject(failure(`could not start the runner (${options.command}): ${startError.message}`));
        } else if (result?.status === 'completed' && exitCode === 0 && ready !== undefined) {
          resolve({ ready, result, checkpoints, invalidLines, stderrTail });
        } else if (cancelRequested || result?.status === 'cancelled') {
          const checkpointPath =
            (result?.command === 'train' ? result.checkpointPath : null) ??
            checkpoints.filter((checkpoint) => checkpoint.reason === 'cancel').at(-1)?.path ??
            null;
          reject(new RunnerCancelledError({ checkpointPath, killed }));
        } else if (readyTimedOut) {
          reject(failure(`the runner sent no "ready" event within ${readyTimeoutMs / 1000}s`));
        } else if (errorEvent?.code === 'INVALID_INPUT' && errorEvent.details !== undefined) {
          const { file, line, field, problem } = errorEvent.details;
          reject(
            new InvalidInputError({ file, problem, ...(line === null ? {} : { row: line }), ...(field === null ? {} : { field }) }),
          );
        } else if (errorEvent !== undefined) {
          reject(failure(`runner failed (${describeExit(exitCode, signal)}): ${errorEvent.message}`, errorEvent.code));
        } else {
          const lastLine = stderrTail.trim().split('\n').at(-1) ?? '';
          const what = result === undefined ? 'exited without a result' : 'exited abnormally';
          const invalid = invalidLines.length > 0 ? `; ${invalidLines.length} invalid stdout line(s), first: ${invalidLines[0]!.message}` : '';
          // After a result, or when the last line says nothing (torchrun's closing rule of '='), the last line cannot
          // say why: the message carries the end of stderr, so a failure in CI shows its cause.
          const tail = result !== undefined || !/[A-Za-z]/.test(lastLine) ? stderrTailInMessage(stderrTail) : '';
          reject(failure(`runner ${what} (${describeExit(exitCode, signal)})${lastLine ? `: ${lastLine}` : ''}${invalid}${tail}`));
        }
      }
    };
    child.on('error', (error) => {
      startError = error;
      if (child.pid === undefined) finish(null, null); // never started: no 'close' to wait for
    });
    child.once('close', (exitCode, signal) => {
      void linesClosed.then(() => finish(exitCode, signal));
    });
  });
}

/** Lines of stderr a failure's message carries when its last line cannot say why the runner failed. */
const STDERR_LINES_IN_MESSAGE = 20;

function stderrTailInMessage(stderrTail: string): string {
  const lines = stderrTail.trimEnd().split('\n').slice(-STDERR_LINES_IN_MESSAGE);
  return lines.join('').trim() === '' ? '' : `\n--- runner stderr, last ${lines.length} line(s) ---\n${lines.join('\n')}`;
}

function describeExit(exitCode: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `killed by ${signal}` : `exit code ${exitCode}`;
}
