import { join, resolve } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { resolveCachePath, RunStore } from '@confide/data';
import { experimentKindOf, parseShardSpec, runLiveExperiment, shardFolderSuffix } from '@confide/experiments';
import { BudgetExceededError, CancelledError } from '@confide/inference';
import type { Command } from 'commander';
import { withInterrupts } from '../options/interrupts.js';
import { parseUsd } from '../options/parse-usd.js';
import { experimentWithPlugins, pluginOption, type PluginFlags } from '../options/plugin-modules.js';
import { buildDataset } from './dataset.js';
import { runPipelineCommand } from './run-pipeline.js';
import { topLevelCommand } from '../command-table.js';
import { confideVersion } from './hub-data.js';

interface RunOptions extends PluginFlags {
  experiment?: string;
  out?: string;
  resume?: boolean;
  force?: boolean;
  breakLock?: boolean;
  budget?: string;
  cache: string | boolean;
  alsoGrade?: string[];
  shard?: string;
}


export function registerRunCommand(program: Command): void {
  topLevelCommand(program, 'run')
    .argument('[experiment]', 'experiment folder with experiment.json (kind "live"; "pipeline": dataset, train, generate, delegate; "dataset": step 1 alone)')
    .option('--experiment <folder>', 'the experiment folder (instead of the argument)')
    .option('--out <folder>', 'run directory (default: <experiment>/run)')
    .option('--resume', 'continue an interrupted run in the run directory (or top up a finished one) without sending any finished request again')
    .option('--force', 'start over in a run directory that holds a run: the old run is moved aside, and deleted when the new one completes')
    .option('--break-lock', "remove the run directory's lock even when its holder cannot be shown to be gone (another machine's)")
    .option('--budget <usd>', 'hard cap in US dollars: a request that could take the ledger past it is not sent')
    .option('--cache <file>', 'SQLite response cache (default: responses.sqlite in $XDG_CACHE_HOME/confide or ~/.cache/confide)')
    .option('--no-cache', 'send every request, with no response cache')
    .option('--also-grade <evaluator...>', 'also grade the answers with these evaluator ids (e.g. core/math) and show both')
    .option('--shard <i/n>', 'run shard i of n (1-based) of the problems, by sha256 of the problem id, into <out>.shard-i-of-n; --budget is per shard; confide merge joins them')
    .addOption(pluginOption())
    .action(async (argument: string | undefined, options: RunOptions) => {
      const folder = options.experiment ?? argument;
      if (folder === undefined) throw new InvalidConfigError('name the experiment folder, e.g. confide run experiments/paper-math500-live');
      const experimentFolder = resolve(folder);
      const kind = experimentKindOf(experimentFolder);
      const shard = options.shard === undefined ? undefined : parseShardSpec(options.shard);
      if (shard !== undefined && kind === 'pipeline') throw new InvalidConfigError(`--shard: a pipeline does not run in shards (${folder}): shard its dataset step and its delegate step`);
      if (kind === 'pipeline') return runPipelineCommand(folder, experimentFolder, options);
      if (kind === 'dataset') {
        const { registry, loaded: { experiment: built, file } } = await experimentWithPlugins(experimentFolder, 'dataset', options);
        const { kind: _kind, name, title: _title, plugins: _plugins, ...config } = built;
        return buildDataset({
          config,
          configPath: file,
          outFolder: resolve(options.out ?? join(experimentFolder, 'run')),
          name,
          resume: options.resume === true,
          force: options.force === true,
          breakLock: options.breakLock === true,
          budget: options.budget,
          cache: options.cache,
          command: `confide run ${folder}${options.out ? ` --out ${options.out}` : ''}${options.shard ? ` --shard ${options.shard}` : ''}`,
          registry,
          ...(shard ? { shard } : {}),
        });
      }
      const { registry, loaded: { experiment: loaded } } = await experimentWithPlugins(experimentFolder, 'live', options);
      const experiment = options.alsoGrade
        ? { ...loaded, alsoGradeWith: [...loaded.alsoGradeWith, ...options.alsoGrade.map((id) => ({ id, options: {} }))] }
        : loaded;
      const outFolder = resolve(options.out ?? join(experimentFolder, 'run')) + (shard ? shardFolderSuffix(shard) : '');
      const cachePath = resolveCachePath(options.cache);
      const command = `confide run ${folder}${options.out ? ` --out ${options.out}` : ''}${options.shard ? ` --shard ${options.shard}` : ''}`;
      await withInterrupts('run: stopping: no new requests; waiting for those in flight (Ctrl-C again to abandon them)', async ({ stop, abandon }) => {
        const result = await runLiveExperiment({
          experiment,
          registry,
          runs: new RunStore().relativeTo(experimentFolder),
          baseFolder: experimentFolder,
          outFolder,
          resume: options.resume === true,
          force: options.force === true,
          breakLock: options.breakLock === true,
          command,
          ...(options.budget !== undefined ? { budgetUsd: parseUsd(options.budget, '--budget') } : {}),
          cachePath,
          stopSignal: stop,
          abortSignal: abandon,
          write: (text) => process.stderr.write(text),
          interactive: process.stderr.isTTY === true,
          resumeCommand: `${command} --resume${options.budget !== undefined ? ' --budget <more>' : ''}`,
          ...(shard ? { shard: { spec: shard, confideVersion: confideVersion(), experimentFolder } } : {}),
        });
        if (result.status === 'stopped') {
          throw result.reason === 'budget' ? new BudgetExceededError(result.message) : new CancelledError(result.message);
        }
        const summary = result.summary;
        console.log(`${experiment.name}: ${summary.accuracy.correct}/${summary.accuracy.total} correct (${summary.accuracy.percent.toFixed(1)} %) graded by ${summary.evaluator}`);
        for (const other of summary.otherEvaluators) console.log(`${experiment.name}: ${other.correct}/${other.total} correct (${other.percent.toFixed(1)} %) graded by ${other.id}`);
        console.log(`cost: answers $${summary.costUsd.answers.toFixed(6)} · with router $${summary.costUsd.withRouter.toFixed(6)} · all calls $${summary.costUsd.allCalls.toFixed(6)}`);
        if (summary.failed.length > 0) console.log(`failed: ${summary.failed.length} problems (listed in report.md)`);
        if (shard) {
          console.log(`shard ${shard.index}/${shard.count}: spent $${summary.spentUsd.toFixed(6)}; join the shards with confide merge`);
        } else if (summary.expected) {
          const { correct, costUsd } = summary.expected;
          console.log(`expected: ${correct.expected} correct ${correct.ok ? '✓' : '✗'} · $${costUsd.expected} ${costUsd.ok ? '✓' : '✗'}`);
        }
        console.error(`run: wrote ${result.files.length} files to ${outFolder}`);
      });
    });
}
