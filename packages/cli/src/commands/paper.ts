import { resolve } from 'node:path';
import { checkReportOutFolder } from '@confide/data';
import { runPaperExperiment } from '@confide/experiments';
import { startChartRenderer, usd6 } from '@confide/reports';
import type { Command } from 'commander';
import { experimentFolderOption } from '../options/default-experiment.js';
import { defaultReportFolder } from '../options/report-folder.js';
import { experimentWithPlugins, pluginOption, type PluginFlags } from '../options/plugin-modules.js';
import { topLevelCommand } from '../command-table.js';

export function registerPaperCommand(program: Command): void {
  topLevelCommand(program, 'paper')
    .option('--experiment <folder>', 'experiment folder with experiment.json (default: experiments/paper-math500)')
    .option('--out <folder>', 'report folder (default: reports/<experiment name>, in the workspace for its own experiments, else in the current folder)')
    .addOption(pluginOption())
    .action(async (options: { experiment?: string; out?: string } & PluginFlags) => {
      const started = performance.now();
      startChartRenderer(); // the chart worker loads vega while the experiment computes
      const { registry, loaded } = await experimentWithPlugins(resolve(experimentFolderOption('paper', options.experiment, 'paper-math500')), 'paper', options);
      const { experiment } = loaded;
      const outFolder = resolve(options.out ?? defaultReportFolder(loaded.folder, experiment.name));
      checkReportOutFolder(outFolder, 'paper');
      console.error(`paper: computing ${experiment.name} (${experiment.runs.length} runs, ${experiment.delegations.length} delegations)`);
      const outcome = await runPaperExperiment({ loaded, registry, outFolder });
      if (outcome.status !== 'complete') throw new Error(outcome.message);
      console.error(`paper: wrote ${outcome.files.length} files to ${outFolder} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      const { results } = outcome;
      for (const row of experiment.table1) {
        const [kind, id] = row.source.split(':');
        const measured = kind === 'run' ? results.runs.find((run) => run.id === id)! : results.delegations.find((d) => d.id === id)!;
        console.log(`${row.label.padEnd(14)} accuracy ${measured.accuracy.percent.toFixed(1).padStart(5)} %   cost $${usd6(measured.costUsd)}`);
      }
      const compared = experiment.delegations.map((delegation) => delegation.checkAgainst ?? delegation.recordedRoutes).filter((run): run is string => run !== undefined);
      if (compared.length >= 2) {
        console.error(`paper: explore its runs problem by problem: npx confide view ${compared[1]} --compare ${compared[0]} (writes confide-view/${compared[1]}/index.html; any run: npx confide view <run> [--large <run>] [--compare <run>])`);
      }
    });
}
