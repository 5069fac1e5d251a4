import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currentProvenance, RunStore } from '@confide/data';
import { EXPERIMENT_FILE, mergeDatasetShards, mergeRegradeShards, mergeShards, readShardManifest, shardStatus } from '@confide/experiments';
import type { Command } from 'commander';
import { InvalidConfigError } from '@confide/core';
import { topLevelCommand } from '../command-table.js';
import { experimentWithPlugins, pluginOption, registryWithPlugins, type PluginFlags } from '../options/plugin-modules.js';
import { confideVersion } from './hub-data.js';
import { formatTable } from '../output/format-table.js';

interface MergeOptions extends PluginFlags {
  out?: string;
  experiment?: string;
}

const usd = (value: number) => `$${value.toFixed(6)}`;

/** `confide merge <shards…> --out <run>`: the shards of a live run joined into the run they are parts of. */
export function registerMergeCommand(program: Command): void {
  topLevelCommand(program, 'merge')
    .argument('<shards...>', 'the run folders of the shards (confide run <experiment> --shard i/n)')
    .requiredOption('--out <folder>', 'the merged run folder (must not hold anything yet)')
    .option('--experiment <folder>', "the experiment folder (its plugins, dataset and recorded runs); default: the one the shards were run from")
    .addOption(pluginOption())
    .action(async (folders: string[], options: MergeOptions) => {
      const shardFolders = folders.map((folder) => resolve(folder));
      const first = readShardManifest(shardFolders[0]!);
      const command = `confide merge ${folders.join(' ')} --out ${options.out}`;
      if (first.kind === 'regrade') {
        const outFolder = resolve(options.out!);
        const { summary } = await mergeRegradeShards({ shardFolders, outFolder, loadRun: (source) => new RunStore().load(source) });
        console.log(
          `regrade ${summary.run} with ${summary.evaluator.id}, from ${shardFolders.length} shards: recorded ${(summary.accuracy.recorded * 100).toFixed(1)}%, regraded ${(summary.accuracy.regraded * 100).toFixed(1)}%` +
            `${summary.accuracy.firstStep === null ? '' : ` (first step alone ${(summary.accuracy.firstStep * 100).toFixed(1)}%)`}; ` +
            `${summary.flips.toCorrect + summary.flips.toWrong} flips; lent clients ${summary.clientCalls.calls} calls, $${summary.clientCalls.costUsd.toFixed(6)}; report in ${outFolder}`,
        );
        return;
      }
      if (first.kind === 'dataset') {
        // a dataset experiment's plugins come with its folder; a `dataset build` config's with --plugin
        const folder = options.experiment ?? first.experimentFolder;
        const { registry } = folder !== undefined && existsSync(join(folder, EXPERIMENT_FILE)) ? await experimentWithPlugins(resolve(folder), 'dataset', options) : await registryWithPlugins(options);
        const outFolder = resolve(options.out!);
        const merged = await mergeDatasetShards({
          shardFolders,
          outFolder,
          registry,
          ...(options.experiment !== undefined ? { baseFolder: resolve(options.experiment) } : {}),
          provenance: (config) => currentProvenance({ builtBy: confideVersion(), sources: [`dataset:${config.split}`], command }),
          command,
          write: (text) => process.stderr.write(text),
        });
        const { summary } = merged;
        const skipped = summary.skippedWithoutAnswer.length > 0 ? ` (${summary.skippedWithoutAnswer.length} without a reference answer left out)` : '';
        console.log(
          `${merged.name}: ${summary.problems} problems of ${summary.split}${skipped} answered by ${summary.model}, graded by ${summary.evaluator}: ` +
            `${summary.correct} correct, ${summary.incorrect} incorrect, from ${shardFolders.length} shards`,
        );
        console.log(`${summary.rows} examples${summary.balanced ? ' (balanced)' : ''}: ${summary.tokens.confident} <|c_math|>, ${summary.tokens.uncertain} <|u_math|>`);
        console.log(`spent: ${usd(merged.spentUsd)} (the shards: ${merged.shardSpentUsd.map(usd).join(' + ')})`);
        console.error(`merge: wrote ${summary.files.map((file) => file.path).join(', ')} to ${outFolder}`);
        return;
      }
      const experimentFolder = options.experiment ?? first.experimentFolder;
      if (experimentFolder === undefined) throw new InvalidConfigError('merge: the shards do not name their experiment folder: pass --experiment <folder>');
      const baseFolder = resolve(experimentFolder);
      const { registry } = await experimentWithPlugins(baseFolder, 'live', options);
      const outFolder = resolve(options.out!);
      const result = await mergeShards({
        shardFolders,
        outFolder,
        registry,
        baseFolder,
        runs: new RunStore().relativeTo(baseFolder),
        command,
        write: (text) => process.stderr.write(text),
      });
      const { summary } = result;
      console.log(`${summary.name}: ${summary.accuracy.correct}/${summary.accuracy.total} correct (${summary.accuracy.percent.toFixed(1)} %) graded by ${summary.evaluator}, from ${shardFolders.length} shards`);
      console.log(`cost: answers ${usd(summary.costUsd.answers)} · with router ${usd(summary.costUsd.withRouter)} · all calls ${usd(summary.costUsd.allCalls)}`);
      console.log(`spent: ${usd(summary.spentUsd)} (the shards: ${result.shardSpentUsd.map(usd).join(' + ')}); ${result.calls} calls, tokens in ${result.usage.input}, out ${result.usage.output}, thinking ${result.usage.thinking}`);
      if (summary.expected) {
        const { correct, costUsd } = summary.expected;
        console.log(`expected: ${correct.expected} correct ${correct.ok ? '✓' : '✗'} · $${costUsd.expected} ${costUsd.ok ? '✓' : '✗'}`);
      }
      console.error(`merge: wrote ${result.files.length} files to ${outFolder}`);
    });
}

/** `confide status <shards…>`: each shard's progress and spend, and their sum. */
export function registerStatusCommand(program: Command): void {
  topLevelCommand(program, 'status')
    .argument('<shards...>', 'the run folders of the shards')
    .action((folders: string[]) => {
      const { shards, total } = shardStatus(folders.map((folder) => resolve(folder)));
      const rows = shards.map((progress) => ({
        shard: `${progress.shard.manifest.index}/${progress.shard.manifest.count}`,
        state: progress.shard.finished ? 'finished' : 'unfinished',
        done: `${progress.done}/${progress.shard.manifest.problems}`,
        calls: progress.calls,
        spent: usd(progress.spentUsd),
        folder: progress.shard.folder,
      }));
      console.log(formatTable(rows, 200));
      console.log(`total: ${total.done}/${total.problems} problems done, ${total.finished}/${shards.length} shards finished, ${total.calls} calls, tokens in ${total.usage.input}, out ${total.usage.output}; spent ${usd(total.spentUsd)}`);
    });
}
