import { ConfideError, NotFoundError } from './errors.js';

/**
 * A file-system failure, or an output folder refused before any work, told as `<the user's path>: <plain reason>`:
 * the path the user named (never a temporary file's), and what went wrong in words.
 */
export class FileSystemError extends ConfideError {
  /** The path the user named (a file or folder), not a temporary file beside it. */
  readonly path: string;
  readonly reason: string;

  constructor(code: 'IO_ERROR' | 'OUTPUT_REFUSED', path: string, reason: string, options?: { cause?: unknown }) {
    super(code, `${path}: ${reason}`, options);
    this.name = 'FileSystemError';
    this.path = path;
    this.reason = reason;
  }
}

/** What Node puts on a failed file-system call (and zlib on a failed gunzip). */
export interface ErrnoLike {
  code: string;
  syscall?: string;
  path?: string;
  message: string;
}

export function isErrnoError(value: unknown): value is ErrnoLike {
  return value instanceof Error && typeof (value as { code?: unknown }).code === 'string';
}

/** Plain reasons by Node error code; a code not listed keeps Node's own words. */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied (operation not permitted)',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'part of this path is a file, not a folder',
  ENOTEMPTY: 'the folder is not empty',
  ENOENT: 'no such file or folder',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EBUSY: 'busy (in use by another process)',
  EIO: 'input/output error',
  Z_BUF_ERROR: 'file is truncated (the gzip data ends early)',
  Z_DATA_ERROR: 'file is corrupt or not gzip',
};

/** The plain reason for a Node file-system or zlib error at `path`. */
export function fileSystemReason(error: ErrnoLike, path: string): string {
  if (error.code === 'EEXIST') {
    // mkdir found something that is not a folder (recursive mkdir names the part of the path it could not make)
    if (error.syscall === 'mkdir') return error.path === undefined || error.path === path ? 'is a file, not a folder' : `${error.path} is a file, not a folder`;
    return 'already exists';
  }
  const reason = REASONS[error.code];
  if (reason !== undefined) return reason;
  // Node's message without the code prefix and the (possibly temporary) path it names
  const words = error.message.replace(/^[A-Z_]+: /, '').replace(/, \w+ '.*'$/, '');
  return `${words} (${error.code})`;
}

/**
 * A Node file-system (or zlib) error at `path` as a ConfideError naming `path`, the user's path: NOT_FOUND for a
 * missing file, IO_ERROR otherwise. A ConfideError, or anything that is not an errno error, is given back as it is.
 */
export function fileSystemError(error: unknown, path: string): unknown {
  if (ConfideError.isInstance(error) || !isErrnoError(error)) return error;
  if (error.code === 'ENOENT') return new NotFoundError(`${path}: ${REASONS['ENOENT']}`);
  return new FileSystemError('IO_ERROR', path, fileSystemReason(error, path), { cause: error });
}
