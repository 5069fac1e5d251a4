import { Argument, type Command } from 'commander';
import { topLevelCommand } from '../command-table.js';
import { checkScaffoldName, commandTypes, SCAFFOLD_KINDS, scaffoldFiles, scaffoldPluginId, writeScaffold, type ScaffoldKind } from './scaffold.js';

/** What to run next, by kind: each command with what it gives. */
function nextSteps(kind: ScaffoldKind, name: string, id: string): string[] {
  const steps: Array<[string, string]> = [[`confide test ${name}.test.ts`, 'its tests']];
  if (kind === 'model') steps.push([`confide run ${name}-live`, 'with your endpoint up (the experiment names its baseUrl)']);
  else {
    steps.push([`confide ablate --experiment ${name}-ablation`, `the report: reports/${name}-ablation/report.html`]);
    steps.push([`confide view ${name}-ablation`, `the page: confide-view/${name}-ablation/index.html`]);
  }
  steps.push([`confide plugins show ${id} --plugin ./${name}.ts`, 'its options, as confide reads them']);
  const width = Math.max(...steps.map(([command]) => command.length));
  return steps.map(([command, what]) => `${command.padEnd(width)}  # ${what}`);
}

/** What each scaffolded file is, for the listing. */
function describeFile(kind: ScaffoldKind, name: string, id: string, path: string): string {
  if (path === `${name}.ts`) return `the ${kind} ${id}`;
  if (path === `${name}.test.ts`) return 'its test (node:test and @confide/core/testing)';
  if (path === 'tsconfig.json') return "for your editor: @confide/core is the confide command's own";
  return kind === 'model' ? 'a live run that uses it' : 'an ablation that uses it, on the bundled MATH-500 runs';
}

/**
 * `confide new router|evaluator|model <name>`: a plugin of one file in the current folder, its test, an experiment that
 * uses it and a tsconfig.json whose paths point at this command's @confide/core. Nothing is overwritten.
 */
export function registerNewCommand(program: Command): void {
  topLevelCommand(program, 'new')
    .addArgument(new Argument('<kind>', 'what to write').choices(SCAFFOLD_KINDS))
    .argument('<name>', 'its name: lowercase words joined by dashes (my-router); the files are named after it')
    .option('--id <namespace/name>', 'the plugin id (default: me/<name>)')
    .action((kind: ScaffoldKind, name: string, options: { id?: string }) => {
      checkScaffoldName(name);
      const id = scaffoldPluginId(name, options.id);
      const files = scaffoldFiles(kind, name, id, commandTypes());
      const { written, kept } = writeScaffold(process.cwd(), files);
      const width = Math.max(...files.map((file) => file.path.length));
      for (const path of written) console.log(`wrote ${path.padEnd(width)}  ${describeFile(kind, name, id, path)}`);
      for (const path of kept) console.log(`kept  ${path.padEnd(width)}  already there, the same`);
      console.log('\nnext:');
      for (const step of nextSteps(kind, name, id)) console.log(`  ${step}`);
    });
}
