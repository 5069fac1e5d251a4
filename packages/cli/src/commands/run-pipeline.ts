import { join, resolve } from 'node:path';
import { resolveCachePath } from '@confide/data';
import { EXPERIMENT_FILE, runPipelineExperiment } from '@confide/experiments';
import { BudgetExceededError, CancelledError } from '@confide/inference';
import { withInterrupts } from '../options/interrupts.js';
import { parseUsd } from '../options/parse-usd.js';
import { experimentWithPlugins, type PluginFlags } from '../options/plugin-modules.js';
import { confideVersion } from './hub-data.js';
import { TrainProgressDisplay } from './train.js';

export interface PipelineCommandOptions extends PluginFlags {
  out?: string;
  resume?: boolean;
  force?: boolean;
  breakLock?: boolean;
  budget?: string;
  cache: string | boolean;
  alsoGrade?: string[];
}

/**
 * `confide run <experiment>` for an experiment of kind "pipeline": dataset → train → generate + grade → delegate →
 * report, in `<experiment>/run` (or --out). Ctrl-C stops the current step cleanly; --resume continues.
 */
export async function runPipelineCommand(folder: string, experimentFolder: string, options: PipelineCommandOptions): Promise<void> {
  const { registry, loaded: { experiment: loaded } } = await experimentWithPlugins(experimentFolder, 'pipeline', options);
  const experiment = options.alsoGrade
    ? { ...loaded, delegate: { ...loaded.delegate, alsoGradeWith: [...loaded.delegate.alsoGradeWith, ...options.alsoGrade.map((id) => ({ id, options: {} }))] } }
    : loaded;
  const outFolder = resolve(options.out ?? join(experimentFolder, 'run'));
  const cachePath = resolveCachePath(options.cache);
  const command = `confide run ${folder}${options.out ? ` --out ${options.out}` : ''}`;
  const budgetUsd = options.budget === undefined ? undefined : parseUsd(options.budget, '--budget');
  const interactive = process.stderr.isTTY === true;
  const trainDisplay = new TrainProgressDisplay((text) => process.stderr.write(text), interactive);
  let lastDatasetTenth = -1;
  await withInterrupts('run: stopping the current step cleanly (training writes a checkpoint); Ctrl-C again to abandon requests in flight', async ({ stop, abandon }) => {
    const result = await runPipelineExperiment({
      experiment,
      registry,
      outFolder,
      resume: options.resume === true,
      force: options.force === true,
      breakLock: options.breakLock === true,
      command,
      source: join(experimentFolder, EXPERIMENT_FILE),
      builtBy: confideVersion(),
      resumeCommand: `${command} --resume`,
      ...(budgetUsd !== undefined ? { budgetUsd } : {}),
      cachePath,
      stopSignal: stop,
      abortSignal: abandon,
      write: (text) => {
        trainDisplay.finish();
        process.stderr.write(text);
      },
      interactive,
      onDatasetProgress: ({ done, total, correct }) => {
        const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
        if (tenth === lastDatasetTenth) return;
        lastDatasetTenth = tenth;
        process.stderr.write(`dataset: ${done}/${total} answered and graded, ${correct} correct\n`);
      },
      onTrainProgress: (progress) => trainDisplay.update(progress),
    });
    trainDisplay.finish();
    if (result.status === 'stopped') {
      throw result.reason === 'budget' ? new BudgetExceededError(result.message) : new CancelledError(result.message);
    }
    const summary = result.summary;
    const label = summary.pipelineCheck ? ' (pipeline check: a tiny random model, not a result)' : '';
    console.log(`${experiment.name}${label}`);
    console.log(`1 dataset: ${summary.dataset.problems} problems answered, ${summary.dataset.correct} correct -> ${summary.dataset.rows} examples`);
    const loss = summary.train.firstLoss !== null && summary.train.finalLoss !== null ? `, loss ${summary.train.firstLoss.toFixed(4)} -> ${summary.train.finalLoss.toFixed(4)}` : '';
    console.log(`2 train: ${summary.train.steps} steps on ${summary.train.examples} examples${loss}`);
    console.log(
      `3 generate + grade: ${summary.generate.correct}/${summary.generate.problems} correct; tokens ${summary.generate.tokens.confident} c, ${summary.generate.tokens.uncertain} u, ${summary.generate.tokens.none} none`,
    );
    const delegated = summary.delegate.handOff.find((row) => row.side === 'large')?.problems ?? 0;
    console.log(
      `4 delegate: ${summary.delegate.accuracy.correct}/${summary.delegate.accuracy.total} correct, ${delegated} delegated, answers $${summary.delegate.costUsd.answers.toFixed(6)}`,
    );
    console.error(`run: report at ${join(outFolder, 'report.md')}`);
  }).finally(() => trainDisplay.finish());
}
