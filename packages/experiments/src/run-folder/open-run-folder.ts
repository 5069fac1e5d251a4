import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfideError, InvalidConfigError } from '@confide/core';
import { checkRunOutFolder } from '@confide/data';
import { discardFailedStart, producedNothing } from './failed-start.js';
import { acquireRunLock, type RunLock } from './run-lock.js';

/** What the command line asked for an existing run folder: nothing (a new run), `--resume`, or `--force`. */
export type RunFolderMode = 'fresh' | 'resume' | 'force';

/** The mode the flags name; `--resume` and `--force` together are refused. */
export function runFolderMode(flags: { resume?: boolean | undefined; force?: boolean | undefined }): RunFolderMode {
  if (flags.resume && flags.force) throw new InvalidConfigError('--resume and --force exclude each other: --resume tops the run up, --force starts it over');
  return flags.force ? 'force' : flags.resume ? 'resume' : 'fresh';
}

/** The flags every command that writes a run folder takes (and the command line, for the lock). */
export interface RunFolderFlags {
  /** Continue a started run (or top up a finished one) without sending any finished request again. */
  resume?: boolean;
  /** Start over in a folder that holds a run: the old one is moved aside and deleted when the new one completes. */
  force?: boolean;
  /** Remove the folder's lock even when its holder cannot be shown to be gone. */
  breakLock?: boolean;
  /** The command as typed, recorded in the folder's lock. */
  command?: string;
}

export interface OpenRunFolderOptions {
  folder: string;
  mode: RunFolderMode;
  /** What is written there, for messages: "live run", "pipeline run", "dataset build", "import", "regrade". */
  kind: string;
  /** The command as typed: recorded in the lock, and the base of the hints. */
  command: string;
  /** The file a run writes at its start (its config): a folder holding it and anything produced is a started run. */
  configFile: string;
  /** Other files a run writes at its start that are not work done (the problems and prices it carries). */
  carriedFiles?: readonly string[];
  /** The file a finished run holds. */
  finishedFile: string;
  /** The config of this run: a resume of a run started with another config is refused. */
  configText?: string;
  /** When a file counts as produced nothing (default: empty). */
  isEmpty?: (path: string) => boolean;
  breakLock?: boolean;
  /** Whether --resume means anything for this kind (an import is written whole: it only has --force). */
  resumable?: boolean;
  /** Notes (a reclaimed lock, the previous run moved aside). */
  write?: (text: string) => void;
}

/** A run folder this process holds: `complete()` when the run completed, `close()` when it stopped or failed. */
export interface OpenedRunFolder {
  readonly folder: string;
  /** Whether a started run is being continued (else the run starts from nothing). */
  readonly resuming: boolean;
  /** With --force: where the previous run waits until the new one completes. */
  readonly previous: string | undefined;
  complete(): void;
  close(): void;
}

/**
 * Opens a run folder for writing — the one place every command that writes a run (live run, pipeline, dataset build,
 * regrade, import) goes through: checks `--out` is usable, takes the folder's exclusive lock, and applies the
 * fresh / resume / force rule:
 * - a folder holding nothing a run produced is (re)started;
 * - a started or finished run is refused without a flag, naming the choices;
 * - `--resume` continues it (a finished one is topped up: only what is missing is sent), if its config is the same;
 * - `--force` moves it aside atomically, and deletes it only when the new run completes (restored if the new run
 *   produced nothing).
 * `close()` after a failure discards what a start that produced nothing left (so a rerun needs no flag).
 */
export function openRunFolder(options: OpenRunFolderOptions): OpenedRunFolder {
  const { folder, kind } = options;
  const startFiles = [options.configFile, ...(options.carriedFiles ?? [])];
  checkRunOutFolder(folder);
  mkdirSync(dirname(folder), { recursive: true });
  const lock: RunLock = acquireRunLock(folder, { command: options.command, ...(options.breakLock ? { breakLock: true } : {}) });
  try {
    if (lock.reclaimed) {
      options.write?.(`${kind}: took over the lock of ${folder} from pid ${lock.reclaimed.pid} (${lock.reclaimed.command}, since ${lock.reclaimed.startedAt}): that process is gone\n`);
    }
    const createdFolder = !existsSync(folder);
    const configPath = join(folder, options.configFile);
    const finished = existsSync(join(folder, options.finishedFile));
    const started = finished || (existsSync(configPath) && !producedNothing(folder, startFiles, options.isEmpty));
    let previous: string | undefined;
    let resuming = false;
    if (started) {
      if (options.mode === 'fresh' || (options.mode === 'resume' && options.resumable === false)) {
        throw new ConfideError(
          'RUN_EXISTS',
          options.resumable === false
            ? `${folder} holds ${finished ? 'a finished' : 'an unfinished'} ${kind}: pass --force to replace it (the old one is deleted once the new one is written), or --out <another folder>`
            : `${folder} holds ${finished ? 'a finished' : 'an unfinished'} ${kind}: pass --resume to ${finished ? 'top it up (only what is missing is sent)' : 'continue it'}, ` +
                `--force to start over (the response cache is reused unless --no-cache), or --out <another folder>`,
        );
      }
      if (options.mode === 'resume') {
        if (options.configText !== undefined && existsSync(configPath) && readFileSync(configPath, 'utf8').trim() !== options.configText.trim()) {
          throw new InvalidConfigError(`${configPath}: the ${kind} there was started with another config; it cannot be resumed with this one (--force starts it over)`);
        }
        resuming = true;
      } else {
        previous = join(dirname(folder), `.${basename(folder)}.replaced-${Date.now()}`);
        renameSync(folder, previous);
        options.write?.(`${kind}: the previous run in ${folder} is kept aside until this one completes\n`);
      }
    } else if (existsSync(folder)) {
      // a start that produced nothing: its config and empty logs go, anything of the user's stays
      discardFailedStart(folder, startFiles, false, options.isEmpty);
    }
    mkdirSync(folder, { recursive: true });
    let closed = false;
    return {
      folder,
      resuming,
      previous,
      complete() {
        if (closed) return;
        closed = true;
        if (previous !== undefined) rmSync(previous, { recursive: true, force: true });
        lock.release();
      },
      close() {
        if (closed) return;
        closed = true;
        try {
          discardFailedStart(folder, startFiles, createdFolder || previous !== undefined, options.isEmpty);
          if (previous !== undefined) {
            if (!existsSync(folder) || readdirSync(folder).length === 0) {
              rmSync(folder, { recursive: true, force: true });
              renameSync(previous, folder);
            } else {
              options.write?.(`${kind}: the run this one replaces is kept in ${previous} (the new one did not complete)\n`);
            }
          }
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * Runs `work` in a run folder opened with `options`: the folder is completed when the work's outcome is `complete`
 * (the lock goes; a run replaced with --force is deleted), else closed (a start that produced nothing is cleaned up).
 */
export async function withRunFolder<Outcome extends { status: string }>(options: OpenRunFolderOptions, work: (folder: OpenedRunFolder) => Promise<Outcome>): Promise<Outcome> {
  const runFolder = openRunFolder(options);
  let outcome: Outcome | undefined;
  try {
    outcome = await work(runFolder);
    return outcome;
  } finally {
    if (outcome?.status === 'complete') runFolder.complete();
    else runFolder.close();
  }
}
