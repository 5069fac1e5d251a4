import { Command } from 'commander';
import { registerAblateCommand } from './commands/ablate.js';
import { registerAdapterCommand } from './commands/adapter.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerDataCommand } from './commands/data.js';
import { registerDatasetCommand } from './commands/dataset.js';
import { registerGradeCommand } from './commands/grade.js';
import { registerHubDataCommands } from './commands/hub-data.js';
import { registerPaperCommand } from './commands/paper.js';
import { registerRegradeCommand } from './commands/regrade.js';
import { registerRunCommand } from './commands/run.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTrainCommand } from './commands/train.js';
import { registerViewCommand } from './commands/view.js';

/** The `confide` command with every subcommand registered (one line per command). */
export function buildProgram(): Command {
  const program = new Command('confide')
    .description('Confide: confidence-aware task delegation between language models')
    .option('--verbose', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDataCommand(program);
  registerDatasetCommand(program);
  registerHubDataCommands(program);
  registerAdapterCommand(program);
  registerPaperCommand(program);
  registerGradeCommand(program);
  registerRegradeCommand(program);
  registerAblateCommand(program);
  registerCompareCommand(program);
  registerViewCommand(program);
  registerRunCommand(program);
  registerServeCommand(program);
  registerTrainCommand(program);
  return program;
}
