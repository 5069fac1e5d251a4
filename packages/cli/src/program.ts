import { Command } from 'commander';
import { COMMAND_TABLE } from './command-table.js';

/** The top-level command an argument list runs (`help <name>` included), if it names one. */
function commandOf(argv: readonly string[]): string | undefined {
  const words = argv.filter((word) => !word.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMAND_TABLE.some((entry) => entry.name === name) ? name : undefined;
}

/**
 * The `confide` command. With `argv`, only the command it runs is loaded (the others are listed for `--help` by name
 * and description only); without, every command is loaded (for tests that walk them all).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('confide')
    .description('Confide: confidence-aware task delegation between language models')
    .option('--verbose', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const wanted = argv === undefined ? undefined : commandOf(argv);
  for (const entry of COMMAND_TABLE) {
    if (argv === undefined || entry.name === wanted) {
      for (const register of await entry.load()) register(program);
    } else {
      program.command(entry.name).description(entry.description);
    }
  }
  return program;
}
