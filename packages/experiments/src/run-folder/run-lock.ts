import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConfideError } from '@confide/core';
import { z } from 'zod';

/** Who holds a run folder: written when a command starts writing it, removed when it is done. */
export const RunLockHolder = z.strictObject({
  pid: z.number().int().positive(),
  host: z.string(),
  startedAt: z.string(),
  command: z.string(),
});
export type RunLockHolder = z.infer<typeof RunLockHolder>;

/** A run folder that another process is writing (or whose lock another machine holds). */
export class RunLockedError extends ConfideError {
  constructor(
    readonly folder: string,
    readonly holder: RunLockHolder | undefined,
  ) {
    super(
      'RUN_LOCKED',
      holder === undefined
        ? `${folder} is locked by ${lockPathOf(folder)}, which cannot be read; if no process is writing the run, pass --break-lock`
        : `${folder} is being written by pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} since ${holder.startedAt} (${holder.command}); ` +
            `a second process would pay every request twice. Wait for it, or if that process is gone${holder.host === hostname() ? '' : ' (this machine cannot tell)'}, pass --break-lock`,
    );
    this.name = 'RunLockedError';
  }
}

/** The lock of a run folder: a hidden file beside it, so moving the folder aside (--force) keeps the lock in place. */
export function lockPathOf(folder: string): string {
  return join(dirname(folder), `.${basename(folder)}.confide-lock`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): RunLockHolder | undefined {
  try {
    const parsed = RunLockHolder.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A held lock: `release()` removes it (once; also when the process exits without releasing). */
export interface RunLock {
  readonly path: string;
  /** Set when a stale lock (this host, process gone) was reclaimed: what it said. */
  readonly reclaimed: RunLockHolder | undefined;
  release(): void;
}

/**
 * Takes the exclusive lock of `folder` for this process. The lock file is created with O_EXCL, so of two processes
 * only one gets it. A lock whose holder ran on this machine and is gone is reclaimed; any other is refused with a
 * RunLockedError naming the holder — unless `breakLock`, which removes it first.
 */
export function acquireRunLock(folder: string, options: { command: string; breakLock?: boolean }): RunLock {
  const path = lockPathOf(folder);
  const holder: RunLockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: options.command };
  let reclaimed: RunLockHolder | undefined;
  if (options.breakLock) rmSync(path, { force: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(holder) + '\n', { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(path);
      const stale = current !== undefined && current.host === hostname() && current.pid !== process.pid && !isAlive(current.pid);
      if (!stale || attempt > 0) throw new RunLockedError(folder, current);
      reclaimed = current;
      rmSync(path, { force: true });
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    // only our own lock: a --break-lock from elsewhere may have replaced it
    if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, reclaimed, release };
}
