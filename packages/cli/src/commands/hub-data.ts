import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  currentProvenance,
  hubConnectionFromEnvironment,
  progressLineWriter,
  pullHubDataset,
  pushHubDataset,
  readBuiltDataset,
  writeFileAtomic,
  writeJsonLines,
} from '@confide/data';
import { type Command, Option } from 'commander';
import { parseCount } from '../options/parse-count.js';
import { formatTable } from '../output/format-table.js';
import { topLevelCommand } from '../command-table.js';

/** `confide <version>`, for the provenance of what is published. */
export function confideVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `confide ${packageJson.version}`;
}

/** commander collector for a repeatable option. */
export const collect = (value: string, previous: string[]) => [...previous, value];

interface PullOptions {
  revision: string;
  split?: string;
  config?: string;
  file: string[];
  offline?: boolean;
  refresh?: boolean;
  cache?: string;
  hubUrl?: string;
  out?: string;
  format: 'table' | 'json';
}

interface PushOptions {
  repo: string;
  title?: string;
  description?: string;
  license?: string;
  rowsPerShard: number;
  private?: boolean;
  branch: string;
  source: string[];
  hubUrl?: string;
}

/** `confide data pull` and `confide data push`: datasets on the Hugging Face hub (HF_TOKEN from the environment). */
export function registerHubDataCommands(program: Command): void {
  const data = topLevelCommand(program, 'data');

  data
    .command('pull')
    .description('download a dataset repository from the Hugging Face hub into the local cache and read its splits')
    .argument('<repo>', 'dataset repository, e.g. HuggingFaceH4/MATH-500 or Akirayasha/math-20')
    .option('--revision <rev>', 'branch, tag or commit id', 'main')
    .option('--split <split>', 'only this split')
    .option('--config <name>', "the card config whose data files to read (the card's default otherwise)")
    .option('--file <path>', 'only this data file (repeatable)', collect, [])
    .option('--offline', 'read the cache only; send no request')
    .option('--refresh', 'ask the hub where the revision points now instead of reusing the cached commit')
    .option('--cache <folder>', 'cache folder (default: CONFIDE_HUB_CACHE or .cache/hub/ in the workspace)')
    .option('--hub-url <url>', 'hub URL (default: HF_ENDPOINT or https://huggingface.co)')
    .option('--out <folder>', 'also write each split as <split>.jsonl (seed rows mapped to Confide tokens) and source.json')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (repo: string, options: PullOptions) => {
      const pulled = await pullHubDataset({
        repo,
        revision: options.revision,
        split: options.split,
        config: options.config,
        files: options.file,
        offline: options.offline,
        refresh: options.refresh,
        cacheFolder: options.cache === undefined ? undefined : resolve(options.cache),
        connection: hubConnectionFromEnvironment(process.env, options.hubUrl),
        onProgress: progressLineWriter(),
      });
      if (options.out !== undefined) {
        const folder = resolve(options.out);
        for (const split of pulled.splits) writeJsonLines(join(folder, `${split.name}.jsonl`), split.examples ?? split.rows);
        writeFileAtomic(join(folder, 'source.json'), `${JSON.stringify({ reference: pulled.reference, ...pulled.source }, null, 2)}\n`);
        console.error(`data pull: wrote ${pulled.splits.map((split) => `${split.name}.jsonl`).join(', ')} and source.json to ${folder}`);
      }
      const splits = pulled.splits.map((split) => ({
        split: split.name,
        rows: split.rows.length,
        files: split.files.length,
        mapped: split.examples === undefined ? '' : `${split.examples.length} examples (<|c_math|>/<|u_math|>)`,
      }));
      if (options.format === 'json') {
        console.log(JSON.stringify({ reference: pulled.reference, source: pulled.source, folder: pulled.folder, fromCache: pulled.fromCache, splits }, null, 2));
        return;
      }
      console.log(`dataset  ${pulled.source.repo}\ncommit   ${pulled.source.commit} (revision ${pulled.source.revision}${pulled.fromCache ? ', from cache' : ''})\nfolder   ${pulled.folder}\n\n${formatTable(splits)}`);
    });

  data
    .command('push')
    .description('publish a built dataset folder (<split>.jsonl / .jsonl.gz / .parquet) as Parquet shards with a dataset card')
    .argument('<folder>', 'folder with one file (or Parquet shards) per split; a source.json from data pull is cited')
    .requiredOption('--repo <owner/name>', 'dataset repository to publish to (created when missing)')
    .option('--title <title>', 'pretty name in the card')
    .option('--description <text>', 'first paragraph of the card')
    .option('--license <spdx>', 'licence in the card metadata', 'mit')
    .option('--rows-per-shard <n>', 'rows per Parquet shard', parseCount, 100_000)
    .option('--private', 'create the repository private')
    .option('--branch <branch>', 'branch to commit to', 'main')
    .option('--source <reference>', 'what the dataset was built from, for the provenance (repeatable)', collect, [])
    .option('--hub-url <url>', 'hub URL (default: HF_ENDPOINT or https://huggingface.co)')
    .action(async (folderArgument: string, options: PushOptions) => {
      const folder = resolve(folderArgument);
      const sourceFile = join(folder, 'source.json');
      const sources = [...options.source];
      if (existsSync(sourceFile)) {
        const reference = (JSON.parse(readFileSync(sourceFile, 'utf8')) as { reference?: unknown }).reference;
        if (typeof reference === 'string') sources.push(reference);
      }
      const splits = await readBuiltDataset(folder);
      console.error(`data push: ${splits.map((split) => `${split.name} ${split.rows.length} rows`).join(', ')} -> ${options.repo}`);
      const pushed = await pushHubDataset({
        repo: options.repo,
        splits,
        title: options.title,
        description: options.description,
        license: options.license,
        rowsPerShard: options.rowsPerShard,
        private: options.private,
        branch: options.branch,
        provenance: currentProvenance({ builtBy: confideVersion(), sources, command: `confide data push ${folderArgument} --repo ${options.repo}` }),
        connection: hubConnectionFromEnvironment(process.env, options.hubUrl),
        onProgress: progressLineWriter(),
      });
      console.log(`dataset  ${pushed.repo}\ncommit   ${pushed.commit}\nurl      ${pushed.url}\n\n${formatTable(pushed.files.map((file) => ({ ...file })), 64)}`);
    });
}
