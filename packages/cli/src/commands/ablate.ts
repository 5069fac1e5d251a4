import { join, resolve } from 'node:path';
import { ConfideError, startLogisticFitWorker } from '@confide/core';
import { checkReportOutFolder, checkWritableOutFolder, defaultFitCacheFolder, logisticFitCacheIn, resolveCachePath } from '@confide/data';
import { runAblationExperiment } from '@confide/experiments';
import { costLabel } from '@confide/metrics';
import { startChartRenderer, unscoredNotes } from '@confide/reports';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { experimentFolderOption } from '../options/default-experiment.js';
import { parseCount } from '../options/parse-count.js';
import { withInterrupts } from '../options/interrupts.js';
import { parseUsd } from '../options/parse-usd.js';
import { StepProgress } from '../output/step-progress.js';
import { defaultReportFolder } from '../options/report-folder.js';
import { experimentWithPlugins, pluginOption, type PluginFlags } from '../options/plugin-modules.js';
import { topLevelCommand } from '../command-table.js';

export function registerAblateCommand(program: Command): void {
  topLevelCommand(program, 'ablate')
    .option('--experiment <folder>', 'experiment folder with experiment.json (default: experiments/ablation-math500)')
    .option('--out <folder>', 'report folder (default: reports/<experiment name>, in the workspace for its own experiments, else in the current folder)')
    .option('--routerarena-predictions <folder>', "also write each router's per-problem choices in RouterArena's prediction-file format (predictions/ and config/)")
    .addOption(new Option('--grades <grades>', 'override the experiment\'s grading ("grades", "evaluator"): the recorded verdicts, or core/math\'s').choices(['recorded', 'math']))
    .option('--budget <usd>', "stop the experiment's evaluator's lent clients (a verifier) at this spend")
    .option('--cache <file>', "response cache for the evaluator's lent clients (default: responses.sqlite in $XDG_CACHE_HOME/confide or ~/.cache/confide)")
    .option('--no-cache', 'send every verifier request (no cache)')
    .option('--no-fit-cache', "fit the learned routers afresh, neither reading nor keeping their fits (kept by default in fits/ of $XDG_CACHE_HOME/confide or ~/.cache/confide, by the sha256 of everything a fit depends on)")
    .option('--resamples <count>', "bootstrap resamples, instead of the experiment's (a quick look: e.g. 100)", parseCount)
    .option('--grid <count>', 'the most thresholds a sweep keeps in its stored curve and resamples for its AIQ interval (default 1001; point estimates use every threshold)', parseCount)
    .addOption(new Option('--progress <which>', 'progress lines on stderr: of steps that outlast a second, of every step, or none').choices(['long', 'all', 'none']).default('long'))
    .addOption(pluginOption())
    .action(async (options: { experiment?: string; out?: string; grades?: 'recorded' | 'math'; routerarenaPredictions?: string; budget?: string; cache?: string | false; fitCache: boolean; resamples?: number; grid?: number; progress: 'long' | 'all' | 'none' } & PluginFlags) => {
      const started = performance.now();
      startChartRenderer(); // the chart worker loads vega while the experiment computes
      const { registry, loaded } = await experimentWithPlugins(resolve(experimentFolderOption('ablate', options.experiment, 'ablation-math500')), 'ablation', options);
      const experiment = loaded.experiment;
      // a learned router's fit starts in a worker as soon as the small run is read: that worker starts now, meanwhile
      if (experiment.routers?.some((entry) => entry.router.id === 'core/learned')) startLogisticFitWorker();
      const grades = options.grades ?? experiment.grades;
      // Another grading than the experiment's own goes to its own folder, so the committed report is not overwritten.
      const overridden = options.grades !== undefined && (options.grades !== experiment.grades || experiment.evaluator !== undefined);
      const suffix = overridden ? `-${grades}-grades` : '';
      const outFolder = resolve(options.out ?? defaultReportFolder(loaded.folder, `${experiment.name}${suffix}`));
      checkReportOutFolder(outFolder, 'ablation');
      if (options.routerarenaPredictions) checkWritableOutFolder(resolve(options.routerarenaPredictions));
      const modelsPart = experiment.models
        ? `${experiment.models.length} models${experiment.referenceRuns.length > 0 ? ` and ${experiment.referenceRuns.length} reference runs` : ''} (${experiment.modelRouters.length} routers and ${experiment.chains.length} chains listed over them), `
        : '';
      const pairPart = experiment.routers ? `${experiment.routers.length} routers and ${experiment.cascades.length} cascades on the pair, ` : '';
      if (options.resamples !== undefined && options.resamples < 10) throw new InvalidArgumentError(`--resamples: at least 10, got ${options.resamples}`);
      if (options.grid !== undefined && options.grid < 2) throw new InvalidArgumentError(`--grid: at least 2, got ${options.grid}`);
      console.error(`ablate: ${experiment.name}: ${modelsPart}${pairPart}${options.resamples ?? experiment.bootstrap.resamples} bootstrap resamples`);
      const progress = new StepProgress(
        (text) => (options.progress === 'none' ? undefined : process.stderr.write(text)),
        process.stderr.isTTY === true,
        undefined,
        options.progress === 'all' ? 0 : 1000,
      );
      const outcome = await withInterrupts('ablate: stopping at the next step; no report is written, the previous one stays as it was', ({ stop }) =>
        runAblationExperiment({
        loaded,
        registry,
        outFolder,
        control: { signal: stop, onProgress: (event) => progress.report(event) },
        ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
        ...(options.grid !== undefined ? { sweepGrid: options.grid } : {}),
        ...(options.grades !== undefined ? { grades: options.grades } : {}),
        ...(options.budget !== undefined ? { budgetUsd: parseUsd(options.budget, '--budget') } : {}),
        cachePath: resolveCachePath(options.cache),
        ...(options.fitCache ? { fitCache: logisticFitCacheIn(defaultFitCacheFolder()) } : {}),
        ...(options.routerarenaPredictions ? { routerArenaFolder: resolve(options.routerarenaPredictions) } : {}),
      }),
      );
      // a stop (Ctrl-C, the verifier's budget) is one coded line and a non-zero exit; nothing was written
      if (outcome.status !== 'complete') throw new ConfideError(outcome.reason === 'budget' ? 'BUDGET_EXCEEDED' : 'CANCELLED', outcome.message);
      console.error(`ablate: wrote ${outcome.files.length} files to ${outFolder} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      const experimentFolder = options.experiment ?? join('experiments', 'ablation-math500');
      const results = outcome.results;
      if (results.pair !== null) {
        console.error(`ablate: explore the pair problem by problem, with the threshold live: npx confide view ${experimentFolder} (writes confide-view/${experimentFolder.replace(/[\\/]+/g, '-')}/index.html)`);
      }
      for (const check of results.pipelineCheck) console.error(`ablate: pipeline check, not a result: ${check.run}: ${check.reason}`);
      for (const note of unscoredNotes(results)) console.error(`ablate: ${note}`);
      for (const curve of results.curves) {
        console.log(
          `${curve.label.padEnd(60)} acc ${(curve.reported.accuracy * 100).toFixed(1).padStart(5)}%  ${costLabel('allCalls')} $${curve.reported.costUsd.toFixed(4)}  delegated ${(curve.reported.delegationRate * 100).toFixed(1)}%${curve.aiq === null || !Number.isFinite(curve.aiq) ? '' : `  AIQ ${(curve.aiq * 100).toFixed(2)}`}`,
        );
      }
      const models = results.modelsEvaluation;
      if (models !== null) {
        const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
        console.log(
          `models (${models.labels.length}): oracle ${percent(models.oracle.meanScore)}, best single ${models.bestSingle.label} ${percent(models.bestSingle.meanScore)}, headroom ${(models.headroom.value * 100).toFixed(1)} points; best pair ${models.bestPair.labels.join(' + ')} AIQ ${percent(models.bestPair.aiq)}; pairwise envelope AIQ ${percent(models.envelope.aiq)}`,
        );
      }
    });
}
