import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileSystemError, FileSystemError, isErrnoError } from '@confide/core';
import { z } from 'zod';
import { assertFolderWritable, makeFolder, renameInPlace, writeFileAtomic } from './atomic-write.js';

/**
 * Output folders: a command's `--out` is checked before any work, and a report folder is written whole.
 *
 * A report folder Confide wrote carries REPORT_MARKER_FILE (`{"writtenBy": "confide", "kind": …}`, no time, so a
 * regenerated committed report stays byte-identical). A run folder carries `manifest.json`. A report is never written
 * into a run folder nor a run into a report folder, and a non-empty folder without the marker is refused, never emptied.
 */

export const REPORT_MARKER_FILE = '.confide-report.json';

/** The commands that write a report folder. */
export const ReportKind = z.enum(['paper', 'ablation', 'regrade', 'view', 'calibration']);
export type ReportKind = z.infer<typeof ReportKind>;

const ReportMarker = z.object({ writtenBy: z.literal('confide'), kind: ReportKind });

/** The run folder's marker: a run folder is one that holds it. */
const RUN_MANIFEST_FILE = 'manifest.json';

function refuse(path: string, reason: string): FileSystemError {
  return new FileSystemError('OUTPUT_REFUSED', path, reason);
}

/** The kind of Confide report in `folder`, or undefined when it holds no (readable) marker. */
function reportKindOf(folder: string): ReportKind | undefined {
  const file = join(folder, REPORT_MARKER_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return ReportMarker.parse(JSON.parse(readFileSync(file, 'utf8'))).kind;
  } catch {
    return undefined;
  }
}

/** The entries of `path` when it is an existing folder, undefined when nothing is there (a file is refused before). */
function entriesOf(path: string): string[] | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat?.isDirectory() ? readdirSync(path) : undefined;
}

/**
 * Checks, before any work, that a `kind` report may be written at `path`: a folder that can be written (or made), not
 * a run folder, and empty or a Confide report folder of the same kind. A refusal is an OUTPUT_REFUSED FileSystemError
 * naming `path`; nothing is written.
 */
export function checkReportOutFolder(path: string, kind: ReportKind): void {
  assertFolderWritable(path);
  const entries = entriesOf(path);
  if (entries === undefined || entries.length === 0) return;
  if (entries.includes(RUN_MANIFEST_FILE)) {
    throw refuse(path, `is a run folder (it holds ${RUN_MANIFEST_FILE}); ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} report goes in a folder of its own: choose another --out`);
  }
  const found = entries.includes(REPORT_MARKER_FILE) ? reportKindOf(path) : undefined;
  if (found === kind) return;
  if (found !== undefined) throw refuse(path, `holds a Confide ${found} report; write the ${kind} report to another --out`);
  throw refuse(
    path,
    `is not empty and Confide did not write it (no ${REPORT_MARKER_FILE}); Confide replaces only report folders it wrote: choose another --out or an empty folder`,
  );
}

/**
 * Checks, before any work, that a run may be written at `path`: a folder that can be written (or made), and not a
 * report folder. Whether an existing run there may be resumed or replaced is the run's own decision.
 */
export function checkRunOutFolder(path: string): void {
  assertFolderWritable(path);
  const entries = entriesOf(path);
  if (entries === undefined || !entries.includes(REPORT_MARKER_FILE)) return;
  const kind = reportKindOf(path);
  throw refuse(path, `is a Confide ${kind ?? ''}${kind ? ' ' : ''}report folder; a run goes in a folder of its own: choose another --out`);
}

/**
 * Checks, before any work, that files may be added to the folder at `path` (a folder that can be written or made), for
 * outputs merged into a folder the user keeps, such as RouterArena's predictions.
 */
export function checkWritableOutFolder(path: string): void {
  assertFolderWritable(path);
}

/** An error about a path inside `staging`, told about the same path inside `folder` (the user's). */
function inUserFolder(error: unknown, staging: string, folder: string): unknown {
  const errorPath = error instanceof FileSystemError ? error.path : isErrnoError(error) ? error.path : undefined;
  if (errorPath === undefined) return error;
  const inside = relative(staging, resolve(errorPath));
  if (inside.startsWith('..')) return error;
  const userPath = inside === '' ? folder : join(folder, inside);
  if (error instanceof FileSystemError) return new FileSystemError(error.code === 'OUTPUT_REFUSED' ? 'OUTPUT_REFUSED' : 'IO_ERROR', userPath, error.reason, { cause: error });
  return fileSystemError(error, userPath);
}

/**
 * Writes a `kind` report folder whole: `write` fills a fresh staging folder beside `path`, the marker is added, and
 * the staging folder is renamed into place (an earlier report moved aside first, then deleted), so nothing of an
 * earlier report survives and a failed write leaves the earlier report as it was. Checked as checkReportOutFolder.
 * Errors name `path` (and the file in it), never the staging folder.
 */
export async function writeReportFolder<T>(path: string, kind: ReportKind, write: (stagingFolder: string) => T | Promise<T>): Promise<T> {
  const folder = resolve(path);
  checkReportOutFolder(path, kind);
  const parent = dirname(folder);
  makeFolder(parent);
  const stamp = `${process.pid}.${Date.now()}`;
  const staging = join(parent, `.${basename(folder)}.${stamp}.staging`);
  let result: T;
  try {
    makeFolder(staging);
    result = await write(staging);
    writeFileAtomic(join(staging, REPORT_MARKER_FILE), `${JSON.stringify({ writtenBy: 'confide', kind } satisfies z.infer<typeof ReportMarker>)}\n`);
    // checked again: another process may have put something there while the report was computed
    checkReportOutFolder(path, kind);
    if (existsSync(folder)) {
      const aside = join(parent, `.${basename(folder)}.${stamp}.old`);
      renameInPlace(folder, aside, path);
      try {
        renameInPlace(staging, folder, path);
      } catch (error) {
        renameInPlace(aside, folder, path);
        throw error;
      }
      rmSync(aside, { recursive: true, force: true });
    } else {
      renameInPlace(staging, folder, path);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw inUserFolder(error, staging, path);
  }
  return result;
}
