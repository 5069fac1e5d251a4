import { join, resolve } from 'node:path';
import { loadBundledRun, loadDataset, workspaceRoot } from '@confide/data';
import { computePaperResults, loadPaperExperiment, usd6, writePaperReport } from '@confide/reports';
import type { Command } from 'commander';
import { createPluginRegistry } from '../plugin-registry.js';

export function registerPaperCommand(program: Command): void {
  program
    .command('paper')
    .description("regenerate the seed's MATH-500 tables and charts from the bundled recorded runs (offline)")
    .option('--experiment <folder>', 'experiment folder with experiment.json (default: experiments/paper-math500)')
    .option('--out <folder>', 'report folder (default: reports/<experiment name>)')
    .action(async (options: { experiment?: string; out?: string }) => {
      const started = performance.now();
      const experiment = loadPaperExperiment(resolve(options.experiment ?? join(workspaceRoot(), 'experiments', 'paper-math500')));
      const outputFolder = resolve(options.out ?? `${workspaceRoot()}/reports/${experiment.name}`);
      console.error(`paper: computing ${experiment.name} (${experiment.runs.length} runs, ${experiment.delegations.length} delegations)`);
      const results = await computePaperResults({
        experiment,
        registry: createPluginRegistry(),
        problems: loadDataset(experiment.dataset),
        loadRun: (runId) => loadBundledRun(runId),
      });
      const written = await writePaperReport(results, outputFolder);
      console.error(`paper: wrote ${written.length} files to ${outputFolder} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      for (const row of results.experiment.table1) {
        const [kind, id] = row.source.split(':');
        const measured = kind === 'run' ? results.runs.find((run) => run.id === id)! : results.delegations.find((d) => d.id === id)!;
        console.log(`${row.label.padEnd(14)} accuracy ${measured.accuracy.percent.toFixed(1).padStart(5)} %   cost $${usd6(measured.costUsd)}`);
      }
    });
}
