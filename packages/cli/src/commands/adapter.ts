import { resolve } from 'node:path';
import { currentProvenance, hubConnectionFromEnvironment, progressLineWriter, pullHubAdapter, pushHubAdapter } from '@confide/data';
import { type Command, Option } from 'commander';
import { formatTable } from '../output/format-table.js';
import { confideVersion } from './hub-data.js';
import { topLevelCommand } from '../command-table.js';

interface AdapterPushOptions {
  repo: string;
  dataset?: string;
  description?: string;
  license: string;
  private?: boolean;
  branch: string;
  hubUrl?: string;
}

interface AdapterPullOptions {
  revision: string;
  offline?: boolean;
  refresh?: boolean;
  cache?: string;
  hubUrl?: string;
  format: 'table' | 'json';
}

/** `confide adapter push` and `confide adapter pull`: PEFT adapters on the Hugging Face hub (HF_TOKEN from the environment). */
export function registerAdapterCommand(program: Command): void {
  const adapter = topLevelCommand(program, 'adapter');

  adapter
    .command('push')
    .description('publish a PEFT adapter folder (adapter_config.json + weights) to a model repository, with a model card')
    .argument('<folder>', 'the adapter folder, e.g. finetuned_models/<run>/')
    .requiredOption('--repo <owner/name>', 'model repository to publish to (created when missing)')
    .option('--dataset <reference>', 'training data reference for the card, e.g. hf://datasets/<repo>@<commit>')
    .option('--description <text>', 'first paragraph of the card')
    .option('--license <spdx>', 'licence in the card metadata', 'mit')
    .option('--private', 'create the repository private')
    .option('--branch <branch>', 'branch to commit to', 'main')
    .option('--hub-url <url>', 'hub URL (default: HF_ENDPOINT or https://huggingface.co)')
    .action(async (folder: string, options: AdapterPushOptions) => {
      const pushed = await pushHubAdapter({
        repo: options.repo,
        folder: resolve(folder),
        dataset: options.dataset,
        description: options.description,
        license: options.license,
        private: options.private,
        branch: options.branch,
        provenance: currentProvenance({
          builtBy: confideVersion(),
          sources: options.dataset === undefined ? [] : [options.dataset],
          command: `confide adapter push ${folder} --repo ${options.repo}`,
        }),
        connection: hubConnectionFromEnvironment(process.env, options.hubUrl),
        onProgress: progressLineWriter(),
      });
      console.log(
        `adapter  ${pushed.repo}\ncommit   ${pushed.commit}\nurl      ${pushed.url}\ncard     ${pushed.generatedCard ? 'generated README.md' : "the folder's own README.md"}\n\n${formatTable(pushed.files.map((file) => ({ ...file })), 64)}`,
      );
    });

  adapter
    .command('pull')
    .description('download an adapter repository into the local cache and print its folder')
    .argument('<repo>', 'model repository with a PEFT adapter')
    .option('--revision <rev>', 'branch, tag or commit id', 'main')
    .option('--offline', 'read the cache only; send no request')
    .option('--refresh', 'ask the hub where the revision points now instead of reusing the cached commit')
    .option('--cache <folder>', 'cache folder (default: CONFIDE_HUB_CACHE or .cache/hub/ in the workspace)')
    .option('--hub-url <url>', 'hub URL (default: HF_ENDPOINT or https://huggingface.co)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (repo: string, options: AdapterPullOptions) => {
      const pulled = await pullHubAdapter({
        repo,
        revision: options.revision,
        offline: options.offline,
        refresh: options.refresh,
        cacheFolder: options.cache === undefined ? undefined : resolve(options.cache),
        connection: hubConnectionFromEnvironment(process.env, options.hubUrl),
        onProgress: progressLineWriter(),
      });
      if (options.format === 'json') {
        console.log(JSON.stringify(pulled, null, 2));
        return;
      }
      console.log(
        `adapter  ${pulled.repo}\ncommit   ${pulled.commit} (revision ${pulled.revision}${pulled.fromCache ? ', from cache' : ''})\nbase     ${pulled.config.base_model_name_or_path}\nfolder   ${pulled.folder}`,
      );
    });
}
