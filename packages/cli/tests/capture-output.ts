import { vi } from 'vitest';

/**
 * Captures what the CLI prints during a test: console.log (and, with `stdout`, direct stdout writes) into `out`;
 * console.error and stderr writes into `err`. Restored by `vi.restoreAllMocks()`.
 */
export function captureOutput(options: { stdout?: boolean; trimStderr?: boolean } = {}): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
  if (options.stdout) vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (chunk) => (err.push(options.trimStderr ? String(chunk).trimEnd() : String(chunk)), true),
  );
  return { out, err };
}
