import { ConfideError } from '@confide/core';

/** The runner exited without finishing its job: a crash, a reported error, a kill, or a broken protocol. */
export class RunnerFailedError extends ConfideError {
  /** Exit code, or null when the process ended by a signal (or never started). */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines the runner wrote to stderr (tracebacks land here). */
  readonly stderrTail: string;
  /** The code of the runner's own `error` event (e.g. RUNNER_FAILED, INVALID_INPUT), when it sent one. */
  readonly runnerCode: string | undefined;

  constructor(
    message: string,
    details: { exitCode: number | null; signal: NodeJS.Signals | null; stderrTail: string; runnerCode?: string },
    options?: { cause?: unknown },
  ) {
    super('SUBPROCESS_FAILED', message, options);
    this.name = 'RunnerFailedError';
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
    this.runnerCode = details.runnerCode;
  }
}

/** A stdout line that is not a valid event. Reported (onInvalidLine), never thrown mid-run. */
export class RunnerProtocolError extends ConfideError {
  readonly lineNumber: number;
  readonly line: string;

  constructor(lineNumber: number, line: string, problem: string) {
    const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
    super('SUBPROCESS_FAILED', `runner stdout line ${lineNumber}: ${problem}: ${shown}`);
    this.name = 'RunnerProtocolError';
    this.lineNumber = lineNumber;
    this.line = line;
  }
}

/** The run was stopped through its AbortSignal; a training run says where its checkpoint is. */
export class RunnerCancelledError extends ConfideError {
  readonly checkpointPath: string | null;
  /** True when the runner did not stop within the grace period and was killed. */
  readonly killed: boolean;

  constructor(details: { checkpointPath: string | null; killed: boolean }) {
    const where = details.checkpointPath ? `; checkpoint at ${details.checkpointPath}` : '';
    super('CANCELLED', `runner cancelled${details.killed ? ' (killed after the grace period)' : ''}${where}`);
    this.name = 'RunnerCancelledError';
    this.checkpointPath = details.checkpointPath;
    this.killed = details.killed;
  }
}
