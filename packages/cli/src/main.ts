import { ConfideError, fileSystemError, fileSystemReason, isErrnoError } from '@confide/core';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { tuneJitForBatchRun } from './jit-tiering.js';

/** The path a user named, for a temporary file or staging folder Confide writes beside it (`.<name>.<pid>.<time>.tmp`). */
function userPathOf(path: string): string {
  return path.replace(/(^|[\\/])\.([^\\/]+)\.\d+\.\d+\.(tmp|staging|old)(?=$|[\\/])/, '$1$2');
}

/**
 * The last resort for a raw Node error no code path mapped (an errno error with a `code` and usually a `path`, or a
 * zlib error): an IO_ERROR in the one-line format, naming the user's path, never a temporary file's.
 */
export function asConfideError(error: unknown): unknown {
  if (ConfideError.isInstance(error) || !isErrnoError(error)) return error;
  if (error.path !== undefined) return fileSystemError(error, userPathOf(error.path));
  // no path: a full disk while writing a stream, or gzip data cut short
  if (/^(Z_[A-Z_]+|ENOSPC|EDQUOT|EIO|EROFS)$/.test(error.code)) return new ConfideError('IO_ERROR', fileSystemReason(error, ''), { cause: error });
  return error;
}

/** Runs the CLI; errors become one clear line on stderr (a stack too with --verbose) and a non-zero exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed help or its own one-line error
      return error.exitCode;
    }
    const shown = asConfideError(error);
    const message = shown instanceof Error ? shown.message : String(shown);
    const code = ConfideError.isInstance(shown) ? ` [${shown.code}]` : '';
    console.error(`confide: error${code}: ${message.split('\n')[0]}`);
    if (verbose && error instanceof Error && error.stack) console.error(error.stack);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  tuneJitForBatchRun();
  process.exitCode = await runCli(process.argv.slice(2));
}
