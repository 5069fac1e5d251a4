import type { Command } from 'commander';

/** Adds a command's options and action to the program (a command's module exports one or two of these). */
export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  name: string;
  description: string;
  /** The command's modules, imported only when the command runs (or its help is asked for). */
  load: () => Promise<RegisterCommand[]>;
}

/**
 * Every top-level command: its name, the line `confide --help` prints, and where its code is. `confide <name> …` loads
 * only that command's modules, so start-up does not pay for the others (their SDKs, mathjs, vega, SQLite…).
 */
export const COMMAND_TABLE: readonly CommandEntry[] = [
  {
    name: 'data',
    description: 'datasets: bundled, recorded runs, imports and the Hugging Face hub',
    load: async () => [(await import('./commands/data.js')).registerDataCommand, (await import('./commands/hub-data.js')).registerHubDataCommands],
  },
  { name: 'dataset', description: 'confidence-annotated training data (step 1 of the seed)', load: async () => [(await import('./commands/dataset.js')).registerDatasetCommand] },
  { name: 'adapter', description: 'LoRA adapters (PEFT format) on the Hugging Face hub', load: async () => [(await import('./commands/adapter.js')).registerAdapterCommand] },
  {
    name: 'paper',
    description: "regenerate a paper-style report (the seed's MATH-500 tables and charts by default) from recorded runs, offline",
    load: async () => [(await import('./commands/paper.js')).registerPaperCommand],
  },
  {
    name: 'grade',
    description: 'grade answer pairs with an evaluator (default core/math): lines {"id","gold","pred"} -> {"id","equivalent","reason","ms","found","evaluator"}',
    load: async () => [(await import('./commands/grade.js')).registerGradeCommand],
  },
  { name: 'regrade', description: 'grade a run again with an evaluator (default core/math) and write the flips, or run a regrade experiment', load: async () => [(await import('./commands/regrade.js')).registerRegradeCommand] },
  {
    name: 'ablate',
    description: 'sweep routers (thresholds, baselines, agreement, cascades) on a small/large pair of runs, with intervals and tests',
    load: async () => [(await import('./commands/ablate.js')).registerAblateCommand],
  },
  {
    name: 'compare',
    description: 'compare two runs of the same problems (or a run under two graders): flips, McNemar p, bootstrap interval, cost',
    load: async () => [(await import('./commands/compare.js')).registerCompareCommand],
  },
  { name: 'calibrate', description: "recalibrate a run's score (isotonic, Platt or temperature scaling, cross-fitted): ECE, Brier and AUROC before and after, with intervals", load: async () => [(await import('./commands/calibrate.js')).registerCalibrateCommand] },
  {
    name: 'view',
    description: 'write a self-contained page to explore a run problem by problem, move a threshold live, and compare two runs or two graders',
    load: async () => [(await import('./commands/view.js')).registerViewCommand],
  },
  { name: 'run', description: 'run a live experiment: generate, grade, route, delegate, report (Ctrl-C stops sending; --resume continues)', load: async () => [(await import('./commands/run.js')).registerRunCommand] },
  { name: 'merge', description: "join the shards of a live run (confide run --shard i/n) into one run, checking they are one run's shards and cover its problems once", load: async () => [(await import('./commands/merge.js')).registerMergeCommand] },
  { name: 'status', description: 'the progress and spend of the shards of a run, each and added up', load: async () => [(await import('./commands/merge.js')).registerStatusCommand] },
  { name: 'serve', description: 'start vllm serve with the LoRA adapter, wait until it is healthy, and stop it cleanly on Ctrl-C', load: async () => [(await import('./commands/serve.js')).registerServeCommand] },
  {
    name: 'new',
    description: 'write a plugin of your own (router, evaluator or model) in the current folder: one file, its test, an experiment that uses it, a tsconfig.json',
    load: async () => [(await import('./commands/new.js')).registerNewCommand],
  },
  { name: 'test', description: "run your plugin's tests (node:test files) with this command's @confide/core and its test kit", load: async () => [(await import('./commands/test.js')).registerTestCommand] },
  { name: 'plugins', description: 'list the plugins this command knows (yours with --plugin or --experiment): ids, kinds, modules, options and defaults', load: async () => [(await import('./commands/plugins.js')).registerPluginsCommand] },
  { name: 'train', description: 'fine-tune a LoRA adapter with the Python runner (seed defaults); Ctrl-C saves a checkpoint, --resume continues', load: async () => [(await import('./commands/train.js')).registerTrainCommand] },
];

/** The top-level command `name`, created with its description from the table (or the one already there). */
export function topLevelCommand(program: Command, name: string): Command {
  const existing = program.commands.find((command) => command.name() === name);
  if (existing) return existing;
  const entry = COMMAND_TABLE.find((candidate) => candidate.name === name);
  if (entry === undefined) throw new Error(`command "${name}" is not in COMMAND_TABLE`);
  return program.command(name).description(entry.description);
}
