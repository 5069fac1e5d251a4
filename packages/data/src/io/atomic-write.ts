import { accessSync, closeSync, constants, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileSystemError, fileSystemReason, FileSystemError, isErrnoError } from '@confide/core';

/**
 * The one file-writing seam: every file Confide writes goes through `writeFileAtomic`, and folders through
 * `makeFolder`. A failure names the path the caller meant (never the temporary file beside it) in plain words, as a
 * FileSystemError (`confide: error [IO_ERROR]: <path>: permission denied`).
 */

/** A failure to inject in tests (they run as root, so permissions do not stop them): every write under `under` fails with `code`. */
export interface FileSystemFault {
  code: 'EACCES' | 'EPERM' | 'ENOSPC' | 'EROFS' | 'EIO';
  under: string;
}

let fault: FileSystemFault | undefined;

/** Test-only: makes every write (and folder made) under `fault.under` fail with `fault.code`; `undefined` clears it. */
export function setFileSystemFaultForTests(next: FileSystemFault | undefined): void {
  fault = next === undefined ? undefined : { code: next.code, under: resolve(next.under) };
}

/** Throws the injected fault, worded as Node words it, when `path` lies under the injected folder. */
function injectFault(path: string, syscall: string): void {
  if (fault === undefined) return;
  const absolute = resolve(path);
  if (absolute !== fault.under && !absolute.startsWith(fault.under + sep)) return;
  throw Object.assign(new Error(`${fault.code}: injected fault, ${syscall} '${path}'`), { code: fault.code, syscall, path });
}

/** The nearest part of `path` that exists (the path itself, a parent, …), with what it is. */
function nearestExisting(path: string): { path: string; folder: boolean } {
  let current = resolve(path);
  for (;;) {
    try {
      const stat = statSync(current, { throwIfNoEntry: false });
      if (stat) return { path: current, folder: stat.isDirectory() };
    } catch (error) {
      if (!isErrnoError(error) || error.code !== 'ENOTDIR') throw error;
    }
    const parent = dirname(current);
    if (parent === current) return { path: current, folder: true };
    current = parent;
  }
}

/** A file-system error at `userPath` in plain words; a file in the way of a folder is named. */
function seamError(error: unknown, userPath: string): unknown {
  if (isErrnoError(error) && (error.code === 'ENOTDIR' || (error.code === 'EEXIST' && error.syscall === 'mkdir'))) {
    const existing = nearestExisting(userPath);
    if (!existing.folder) {
      return new FileSystemError('IO_ERROR', userPath, existing.path === resolve(userPath) ? 'is a file, not a folder' : `${existing.path} is a file, not a folder`, { cause: error });
    }
  }
  return fileSystemError(error, userPath);
}

/** Runs a file-system step, mapping its failure to `userPath`. */
function mapped<T>(userPath: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw seamError(error, userPath);
  }
}

/** Makes `folder` and its parents (a failure names `userPath`). */
function makeFolderFor(folder: string, userPath: string): void {
  mapped(userPath, () => {
    if (statSync(folder, { throwIfNoEntry: false })?.isDirectory()) return;
    injectFault(folder, 'mkdir');
    mkdirSync(folder, { recursive: true });
  });
}

/**
 * Makes a folder and its parents; a file in the way, or no permission, is a FileSystemError naming `userPath` (the
 * folder itself unless the caller makes it for a file in it).
 */
export function makeFolder(path: string, userPath = path): void {
  makeFolderFor(path, userPath);
}

/** Renames `from` to `to` (same file system); a failure names `userPath`. */
export function renameInPlace(from: string, to: string, userPath: string): void {
  mapped(userPath, () => {
    injectFault(to, 'rename');
    renameSync(from, to);
  });
}

/**
 * Whether a folder can be written: its nearest existing part is a folder we may write in. A FileSystemError
 * (OUTPUT_REFUSED) naming `path` otherwise. Writes nothing.
 */
export function assertFolderWritable(path: string): void {
  const target = resolve(path);
  const existing = mapped(path, () => nearestExisting(path));
  if (!existing.folder) {
    throw new FileSystemError('OUTPUT_REFUSED', path, existing.path === target ? 'is a file, not a folder' : `${existing.path} is a file, not a folder`);
  }
  try {
    injectFault(join(existing.path, '.confide-probe'), 'access');
    accessSync(existing.path, constants.W_OK);
  } catch (error) {
    if (!isErrnoError(error)) throw error;
    const where = existing.path === target ? '' : ` (in ${existing.path})`;
    throw new FileSystemError('OUTPUT_REFUSED', path, `not writable: ${fileSystemReason(error, existing.path)}${where}`, { cause: error });
  }
}

/**
 * Writes `content` to `path` through a temporary file in the same folder and a rename, so readers never see half a
 * file. A path that is a device or pipe (`/dev/stdout`, `/dev/full`) is written directly: it cannot be renamed over.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const existing = mapped(path, () => statSync(path, { throwIfNoEntry: false }));
  if (existing && !existing.isFile() && !existing.isDirectory()) {
    mapped(path, () => {
      injectFault(path, 'write');
      writeFileSync(path, content);
    });
    return;
  }
  const folder = dirname(path);
  makeFolderFor(folder, path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    injectFault(temporary, 'open');
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw seamError(error, path);
  }
}

/** A file written a piece at a time (see openFileAtomic): nothing is at its path until `commit`. */
export interface AtomicFile {
  /** The path the caller meant. */
  readonly path: string;
  append(content: string | Uint8Array): void;
  /** Closes the temporary file and renames it into place. */
  commit(): void;
  /** Closes and removes the temporary file; the path is left as it was. Safe to call after commit (does nothing). */
  abort(): void;
}

/**
 * Opens `path` for writing a piece at a time, through a temporary file in the same folder that `commit` renames into
 * place, so a failure or a kill part-way leaves the path as it was (a kill leaves only the dot-named temporary file).
 * A device or pipe (`/dev/stdout`) is written directly, as writeFileAtomic does. Failures name `path`.
 */
export function openFileAtomic(path: string): AtomicFile {
  const existing = mapped(path, () => statSync(path, { throwIfNoEntry: false }));
  const direct = existing !== undefined && !existing.isFile() && !existing.isDirectory();
  const folder = dirname(path);
  if (!direct) makeFolderFor(folder, path);
  const target = direct ? path : join(folder, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const descriptor = mapped(path, () => {
    injectFault(target, 'open');
    return openSync(target, 'w');
  });
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    closeSync(descriptor);
  };
  const abort = () => {
    close();
    if (!direct) rmSync(target, { force: true });
  };
  return {
    path,
    append(content) {
      try {
        injectFault(target, 'write');
        const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
        for (let written = 0; written < bytes.length; ) written += writeSync(descriptor, bytes, written, bytes.length - written);
      } catch (error) {
        abort();
        throw seamError(error, path);
      }
    },
    commit() {
      if (!open) return;
      try {
        close();
        if (!direct) {
          injectFault(path, 'rename');
          renameSync(target, path);
        }
      } catch (error) {
        abort();
        throw seamError(error, path);
      }
    },
    abort,
  };
}
