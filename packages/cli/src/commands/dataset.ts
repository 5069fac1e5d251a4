import { basename, dirname, join, resolve } from 'node:path';
import { ConfideError, type PluginRegistry } from '@confide/core';
import { currentProvenance, parseSftDatasetConfig, readConfigJson, resolveCachePath, type SftDatasetConfig, type SftDatasetProgress } from '@confide/data';
import { parseShardSpec, runDatasetBuild, runDatasetShard, shardFolderSuffix, type DatasetBuildOptions, type ShardSpec } from '@confide/experiments';
import { BudgetExceededError } from '@confide/inference';
import { withInterrupts } from '../options/interrupts.js';
import { parseUsd } from '../options/parse-usd.js';
import type { Command } from 'commander';
import { parseCount } from '../options/parse-count.js';
import { pluginOption, registryWithPlugins, type PluginFlags } from '../options/plugin-modules.js';
import { confideVersion } from './hub-data.js';
import { topLevelCommand } from '../command-table.js';

interface BuildOptions extends PluginFlags {
  out?: string;
  name?: string;
  limit?: number;
  resume?: boolean;
  force?: boolean;
  breakLock?: boolean;
  budget?: string;
  cache: string | boolean;
  shard?: string;
}

/** A progress line on stderr: rewritten in place on a terminal, every tenth of the way otherwise. */
function progressWriter(): (progress: SftDatasetProgress & { spentUsd: number }) => void {
  const interactive = process.stderr.isTTY === true;
  let lastTenth = -1;
  return ({ done, total, correct, resumed, spentUsd }) => {
    const line = `dataset: ${done}/${total} answered and graded, ${correct} correct${resumed > 0 ? ` (${resumed} from the log)` : ''}, spent $${spentUsd.toFixed(6)}`;
    if (interactive) {
      process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      process.stderr.write(`${line}\n`);
    }
  };
}

/** Builds a dataset (step 1) and prints what it made: `confide dataset build` and `confide run` on a dataset experiment. */
export async function buildDataset(input: {
  config: SftDatasetConfig;
  configPath: string;
  outFolder: string;
  name: string;
  resume: boolean;
  force?: boolean;
  breakLock?: boolean;
  budget: string | undefined;
  cache: string | boolean;
  /** The command as typed, for provenance and the resume hint. */
  command: string;
  /** Confide's plugins and the user's modules. */
  registry: PluginRegistry;
  /** One shard of the build (`--shard i/n`): its graded answers only, into `<out>.shard-i-of-n`; `confide merge` writes the files. */
  shard?: ShardSpec;
}): Promise<void> {
  const { config, name } = input;
  const outFolder = input.outFolder + (input.shard ? shardFolderSuffix(input.shard) : '');
  await withInterrupts('dataset: stopping: no new requests; answers already graded stay in the log', async ({ stop }) => {
    const options: DatasetBuildOptions = {
      config,
      registry: input.registry,
      outFolder,
      name,
      resume: input.resume,
      force: input.force === true,
      breakLock: input.breakLock === true,
      command: input.command,
      write: (text) => process.stderr.write(text),
      signal: stop,
      source: input.configPath,
      baseFolder: dirname(input.configPath),
      onProgress: progressWriter(),
      provenance: currentProvenance({ builtBy: confideVersion(), sources: [`dataset:${config.split}`], command: input.command }),
      ...(input.budget !== undefined ? { budgetUsd: parseUsd(input.budget, '--budget') } : {}),
      cachePath: resolveCachePath(input.cache),
    };
    if (input.shard) {
      const shard = input.shard;
      const outcome = await runDatasetShard({ ...options, shard: { spec: shard, confideVersion: confideVersion() } });
      if (outcome.status === 'stopped') {
        const message = outcome.message.replace('--resume', `${input.command} --resume`);
        throw outcome.reason === 'budget' ? new BudgetExceededError(message) : new ConfideError('CANCELLED', message);
      }
      console.log(`${name}: shard ${shard.index}/${shard.count}: ${outcome.problems} problems answered and graded, ${outcome.correct} correct; spent $${outcome.spentUsd.toFixed(6)}; join the shards with confide merge`);
      console.error(`dataset: wrote the shard's graded answers to ${outFolder}`);
      return;
    }
    const outcome = await runDatasetBuild(options);
    if (outcome.status === 'stopped') {
      const message = outcome.message.replace('--resume', `${input.command} --resume`);
      throw outcome.reason === 'budget' ? new BudgetExceededError(message) : new ConfideError('CANCELLED', message);
    }
    const { summary } = outcome;
    const skipped = summary.skippedWithoutAnswer.length > 0 ? ` (${summary.skippedWithoutAnswer.length} without a reference answer left out)` : '';
    console.log(
      `${name}: ${summary.problems} problems of ${summary.split}${skipped} answered by ${summary.model}, graded by ${summary.evaluator}: ` +
        `${summary.correct} correct, ${summary.incorrect} incorrect`,
    );
    console.log(`${summary.rows} examples${summary.balanced ? ' (balanced)' : ''}: ${summary.tokens.confident} <|c_math|>, ${summary.tokens.uncertain} <|u_math|>`);
    console.error(`dataset: wrote ${summary.files.map((file) => file.path).join(', ')} to ${outFolder} (publish with: confide data push ${outFolder} --repo <owner/name>)`);
  });
}

/** `confide dataset build <config>`: step 1 of the seed (answer, grade, annotate, balance, write JSONL + Parquet + card). */
export function registerDatasetCommand(program: Command): void {
  const dataset = topLevelCommand(program, 'dataset');
  dataset
    .command('build')
    .description('run a model on a split, grade with an evaluator, annotate <|c_math|>/<|u_math|>, optionally balance; write JSONL, Parquet and a dataset card')
    .argument('<config>', 'JSON config: {split, limit?, client, prompt, maxOutputTokens, evaluator?, balance?, seed?, concurrency?}')
    .option('--out <folder>', 'output folder (default: <config folder>/<config name>-dataset)')
    .option('--name <name>', "the dataset's name in its card (default: the output folder's name)")
    .option('--limit <n>', 'only the first N problems of the split', parseCount)
    .option('--resume', 'continue an interrupted build without asking the model again for answers it logged')
    .option('--force', 'start over in a folder that holds a build: the old one is moved aside, and deleted when the new one completes')
    .option('--break-lock', "remove the folder's lock even when its holder cannot be shown to be gone")
    .option('--budget <usd>', 'hard cap in US dollars: a request that could take the spend past it is not sent')
    .option('--cache <file>', 'SQLite response cache (default: responses.sqlite in $XDG_CACHE_HOME/confide or ~/.cache/confide)')
    .option('--no-cache', 'send every request, with no response cache')
    .option('--shard <i/n>', "build shard i of n (1-based; by sha256 of the problem id) into <out>.shard-i-of-n: its graded answers only; confide merge balances and writes the files")
    .addOption(pluginOption())
    .action(async (configArgument: string, options: BuildOptions) => {
      const { registry } = await registryWithPlugins(options);
      const configPath = resolve(configArgument);
      let json = readConfigJson(configPath);
      if (options.limit !== undefined && typeof json === 'object' && json !== null) json = { ...json, limit: options.limit };
      const config = parseSftDatasetConfig(json, configPath);
      const outFolder = resolve(options.out ?? join(dirname(configPath), `${basename(configPath, '.json')}-dataset`));
      const name = options.name ?? basename(outFolder);
      await buildDataset({
        config,
        configPath,
        outFolder,
        name,
        resume: options.resume === true,
        force: options.force === true,
        breakLock: options.breakLock === true,
        budget: options.budget,
        cache: options.cache,
        command: `confide dataset build ${configArgument}${options.out ? ` --out ${options.out}` : ''}${options.shard ? ` --shard ${options.shard}` : ''}`,
        registry,
        ...(options.shard !== undefined ? { shard: parseShardSpec(options.shard) } : {}),
      });
    });
}
