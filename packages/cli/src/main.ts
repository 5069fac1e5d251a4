import { ConfideError } from '@confide/core';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';

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
    const message = error instanceof Error ? error.message : String(error);
    const code = ConfideError.isInstance(error) ? ` [${error.code}]` : '';
    console.error(`confide: error${code}: ${message.split('\n')[0]}`);
    if (verbose && error instanceof Error && error.stack) console.error(error.stack);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runCli(process.argv.slice(2));
}
