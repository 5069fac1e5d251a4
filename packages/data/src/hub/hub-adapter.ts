import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIDENT_TOKEN, InvalidInputError, NotFoundError, UNCERTAIN_TOKEN } from '@confide/core';
import { z } from 'zod';
import { describeZodIssue } from '../io/json-lines.js';
import { commitToHub } from './hub-commit.js';
import { type HubConnection, hubConnectionFromEnvironment } from './hub-connection.js';
import type { HubProgressListener } from './hub-progress.js';
import { type HubProvenance, provenanceMarkdown, provenanceYaml } from './hub-provenance.js';
import { parseHubRepo } from './hub-repo.js';
import { pullHubSnapshot } from './hub-snapshot.js';
import { renderCard } from './yaml-front-matter.js';

/**
 * The keys of PEFT's `adapter_config.json` Confide reads. PEFT writes many more, varying by version, so the other
 * keys are kept as they are rather than rejected.
 */
export const PeftAdapterConfig = z.looseObject({
  peft_type: z.string().min(1),
  base_model_name_or_path: z.string().min(1),
  task_type: z.string().nullable().optional(),
  r: z.number().int().positive().optional(),
  lora_alpha: z.number().optional(),
  lora_dropout: z.number().optional(),
  target_modules: z.union([z.array(z.string()), z.string()]).nullable().optional(),
});
export type PeftAdapterConfig = z.infer<typeof PeftAdapterConfig>;

const WEIGHT_FILES = ['adapter_model.safetensors', 'adapter_model.bin'];

export interface AdapterFolder {
  folder: string;
  config: PeftAdapterConfig;
  /** Repository paths of every file to upload (hidden files skipped), sorted. */
  files: string[];
  hasCard: boolean;
}

/** Reads and checks a PEFT adapter folder: `adapter_config.json` (validated) and adapter weights are required. */
export function readAdapterFolder(folder: string): AdapterFolder {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new NotFoundError(`adapter folder ${folder} does not exist`);
  const configFile = join(folder, 'adapter_config.json');
  if (!existsSync(configFile)) throw new InvalidInputError({ file: folder, problem: 'is not a PEFT adapter folder: it has no adapter_config.json' });
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (error) {
    throw new InvalidInputError({ file: configFile, problem: `not valid JSON (${(error as Error).message})` });
  }
  const parsed = PeftAdapterConfig.safeParse(value);
  if (!parsed.success) throw new InvalidInputError({ file: configFile, ...describeZodIssue(parsed.error) });
  if (!WEIGHT_FILES.some((name) => existsSync(join(folder, name)))) {
    throw new InvalidInputError({ file: folder, problem: `is not a PEFT adapter folder: it has neither ${WEIGHT_FILES.join(' nor ')}` });
  }
  const files: string[] = [];
  const visit = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) files.push(relative(folder, full).split(sep).join('/'));
    }
  };
  visit(folder);
  files.sort();
  return { folder, config: parsed.data, files, hasCard: files.includes('README.md') };
}

export interface AdapterCardOptions {
  repo: string;
  config: PeftAdapterConfig;
  provenance: HubProvenance;
  license?: string;
  description?: string;
  /** The training dataset reference (e.g. `hf://datasets/<repo>@<commit>`), listed in the card metadata. */
  dataset?: string;
}

/** The model card (README.md) of an adapter: YAML metadata (base model, PEFT, tags, provenance) and usage. */
export function renderAdapterCard(options: AdapterCardOptions): string {
  const { config } = options;
  const datasetName = options.dataset?.replace(/^hf:\/\/datasets\//, '').replace(/@.*$/, '');
  const metadata = {
    base_model: config.base_model_name_or_path,
    library_name: 'peft',
    license: options.license ?? 'mit',
    pipeline_tag: 'text-generation',
    tags: ['confide', 'lora', 'peft', 'confidence-tokens'],
    datasets: datasetName === undefined ? undefined : [datasetName],
    confide_provenance: provenanceYaml(options.provenance),
  };
  const targets = Array.isArray(config.target_modules) ? config.target_modules.join(', ') : (config.target_modules ?? 'PEFT default');
  const body = [
    `# ${options.repo}`,
    '',
    options.description ??
      `A ${config.peft_type} adapter for \`${config.base_model_name_or_path}\`, fine-tuned with Confide to end each answer with a confidence token: \`${CONFIDENT_TOKEN}\` when it is confident, \`${UNCERTAIN_TOKEN}\` when it is not, so uncertain problems can be delegated to a larger model.`,
    '',
    '## Adapter',
    '',
    '| setting | value |',
    '|---|---|',
    `| PEFT type | ${config.peft_type} |`,
    `| base model | \`${config.base_model_name_or_path}\` |`,
    ...(config.r === undefined ? [] : [`| r | ${config.r} |`]),
    ...(config.lora_alpha === undefined ? [] : [`| lora_alpha | ${config.lora_alpha} |`]),
    ...(config.lora_dropout === undefined ? [] : [`| lora_dropout | ${config.lora_dropout} |`]),
    `| target modules | ${targets} |`,
    ...(options.dataset === undefined ? [] : [`| training data | \`${options.dataset}\` |`]),
    '',
    '## Usage',
    '',
    '```python',
    'from peft import PeftModel',
    'from transformers import AutoModelForCausalLM, AutoTokenizer',
    '',
    `base = AutoModelForCausalLM.from_pretrained("${config.base_model_name_or_path}")`,
    `model = PeftModel.from_pretrained(base, "${options.repo}")`,
    '```',
    '',
    provenanceMarkdown(options.provenance),
  ].join('\n');
  return renderCard(metadata, body);
}

export interface PushHubAdapterOptions {
  /** `owner/name` of the model repository. */
  repo: string;
  folder: string;
  provenance: HubProvenance;
  license?: string;
  description?: string;
  dataset?: string;
  private?: boolean;
  branch?: string;
  connection?: HubConnection;
  onProgress?: HubProgressListener;
}

export interface PushedHubAdapter {
  repo: string;
  commit: string;
  url: string;
  files: { path: string; sha256: string; bytes: number }[];
  /** Whether the model card was written by Confide (false when the folder had its own README.md). */
  generatedCard: boolean;
}

/**
 * Publishes a PEFT adapter folder to a model repository in one commit: every file of the folder (weights streamed
 * from disk) plus a model card, generated unless the folder has its own README.md.
 */
export async function pushHubAdapter(options: PushHubAdapterOptions): Promise<PushedHubAdapter> {
  const repo = parseHubRepo(options.repo, 'model');
  const adapter = readAdapterFolder(options.folder);
  const connection = options.connection ?? hubConnectionFromEnvironment();
  const card = adapter.hasCard
    ? undefined
    : renderAdapterCard({
        repo: repo.name,
        config: adapter.config,
        provenance: options.provenance,
        license: options.license,
        description: options.description,
        dataset: options.dataset,
      });
  const result = await commitToHub({
    repo,
    connection,
    branch: options.branch,
    private: options.private,
    title: `Publish ${adapter.config.peft_type} adapter for ${adapter.config.base_model_name_or_path}`,
    description: `Built by ${options.provenance.builtBy}${options.provenance.gitCommit ? ` at ${options.provenance.gitCommit}` : ''}`,
    files: [
      ...adapter.files.map((path) => ({ path, content: pathToFileURL(join(adapter.folder, ...path.split('/'))) })),
      ...(card === undefined ? [] : [{ path: 'README.md', content: new Blob([card]) }]),
    ],
    onProgress: options.onProgress,
  });
  const files = adapter.files.map((path) => {
    const bytes = readFileSync(join(adapter.folder, ...path.split('/')));
    return { path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  });
  if (card !== undefined) files.push({ path: 'README.md', sha256: createHash('sha256').update(card).digest('hex'), bytes: Buffer.byteLength(card) });
  return { ...result, files, generatedCard: card !== undefined };
}

export interface PullHubAdapterOptions {
  repo: string;
  revision?: string;
  offline?: boolean;
  refresh?: boolean;
  cacheFolder?: string;
  connection?: HubConnection;
  onProgress?: HubProgressListener;
}

export interface PulledHubAdapter {
  repo: string;
  revision: string;
  commit: string;
  /** The snapshot folder: load it with `PeftModel.from_pretrained(base, folder)`. */
  folder: string;
  config: PeftAdapterConfig;
  files: { path: string; sha256: string; bytes: number }[];
  fromCache: boolean;
}

/** Pulls every file of an adapter's model repository into the cache and checks it is a PEFT adapter. */
export async function pullHubAdapter(options: PullHubAdapterOptions): Promise<PulledHubAdapter> {
  const repo = parseHubRepo(options.repo, 'model');
  const snapshot = await pullHubSnapshot({
    repo,
    revision: options.revision,
    offline: options.offline,
    refresh: options.refresh,
    cacheFolder: options.cacheFolder,
    connection: options.connection,
    onProgress: options.onProgress,
    select: (files) => files.filter((entry) => entry.path !== '.gitattributes'),
    read: async (file) => createHash('sha256').update(readFileSync(file)).digest('hex'),
  });
  const adapter = readAdapterFolder(snapshot.folder);
  return {
    repo: repo.name,
    revision: snapshot.revision,
    commit: snapshot.commit,
    folder: snapshot.folder,
    config: adapter.config,
    files: snapshot.files.map(({ entry, result }) => ({ path: entry.path, sha256: result, bytes: entry.size })),
    fromCache: snapshot.fromCache,
  };
}
