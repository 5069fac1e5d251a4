import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { closestIds, InvalidConfigError, NotFoundError, type PluginRegistry } from '@confide/core';
import { readConfigFile } from '@confide/data';
import { z } from 'zod';
import { AblationExperiment, checkAblationPlugins, checkAblationReferences } from './ablation/ablation-experiment.js';
import { DatasetExperiment } from './dataset/dataset-experiment.js';
import kinds from './experiment-kinds.json' with { type: 'json' };
import { LiveExperiment } from './live/live-experiment.js';
import { PaperExperiment } from './paper/paper-experiment.js';
import { PipelineExperiment } from './pipeline/pipeline-experiment.js';
import { RegradeExperiment } from './regrade/regrade-experiment.js';

/** The file an experiment folder holds. */
export const EXPERIMENT_FILE = 'experiment.json';

/**
 * Every kind of experiment and the `confide` command that runs it. The table is JSON so the Nx experiments plugin
 * (tools/nx-experiments) reads the same one; the schema below must cover exactly these kinds (a test checks).
 */
export const EXPERIMENT_KINDS: Readonly<Record<string, { command: string; description: string }>> = kinds;

/** One experiment file, whatever its kind: the CLI, the executors and the Nx plugin all read it through this schema. */
export const Experiment = z.discriminatedUnion('kind', [PaperExperiment, AblationExperiment, LiveExperiment, PipelineExperiment, DatasetExperiment, RegradeExperiment]);
export type Experiment = z.infer<typeof Experiment>;
export type ExperimentKind = Experiment['kind'];

export type ExperimentOfKind<Kind extends ExperimentKind> = Extract<Experiment, { kind: Kind }>;

/** A loaded experiment and the folder it came from (relative run paths in it resolve against this folder). */
export interface LoadedExperiment<Kind extends ExperimentKind = ExperimentKind> {
  folder: string;
  file: string;
  experiment: ExperimentOfKind<Kind>;
}

/** Experiment folders beside `folder` (those holding an experiment.json), for "did you mean". */
function siblingExperiments(folder: string): string[] {
  try {
    return readdirSync(dirname(folder), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(dirname(folder), entry.name, EXPERIMENT_FILE)))
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** Refuses, in plain words, a folder that is not there or holds no experiment.json (NOT_FOUND, never a raw ENOENT). */
function checkExperimentFolder(folder: string): void {
  if (existsSync(folder) && statSync(folder).isFile()) {
    const hint = basename(folder) === EXPERIMENT_FILE ? `; give its folder: ${dirname(folder)}` : '';
    throw new NotFoundError(`${folder} is a file, not an experiment folder${hint}`);
  }
  if (existsSync(join(folder, EXPERIMENT_FILE))) return;
  const suggestions = closestIds(basename(folder), siblingExperiments(folder));
  const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((name) => join(dirname(folder), name)).join(' or ')}?` : '';
  if (!existsSync(folder)) throw new NotFoundError(`no experiment folder ${folder}: it does not exist${hint}`);
  throw new NotFoundError(`${folder} is not an experiment folder: it has no ${EXPERIMENT_FILE}${hint}`);
}

/** The `kind` of `<folder>/experiment.json`, checked against the known kinds before the rest is validated. */
export function experimentKindOf(folder: string): ExperimentKind {
  checkExperimentFolder(folder);
  const file = join(folder, EXPERIMENT_FILE);
  const kind = readConfigFile(file, z.looseObject({ kind: z.string() })).kind;
  if (!(kind in EXPERIMENT_KINDS)) {
    throw new InvalidConfigError(`${file}: key "kind": "${kind}" is not one of ${Object.keys(EXPERIMENT_KINDS).join(', ')}`);
  }
  return kind as ExperimentKind;
}

export interface LoadOptions {
  /** With the command's registry, every plugin a paper or ablation experiment names is checked as it loads. */
  registry?: PluginRegistry;
}

/** The router of each paper delegation, checked against the registry, naming the file and the delegation. */
function checkPaperPlugins(experiment: PaperExperiment, file: string, registry: PluginRegistry): void {
  for (const delegation of experiment.delegations) {
    registry.parseOptions('router', delegation.router.id, delegation.router.options, `${file}: delegation "${delegation.id}"`);
  }
}

/** Reads and validates `<folder>/experiment.json`: unknown keys, bad values and dangling references name the file and key. */
export function loadExperiment(folder: string, options: LoadOptions = {}): LoadedExperiment {
  const file = join(folder, EXPERIMENT_FILE);
  experimentKindOf(folder);
  let experiment = readConfigFile(file, Experiment);
  if (experiment.kind === 'ablation') {
    experiment = checkAblationReferences(experiment, file, folder);
    if (options.registry) checkAblationPlugins(experiment, file, options.registry);
  }
  if (experiment.kind === 'paper' && options.registry) checkPaperPlugins(experiment, file, options.registry);
  return { folder, file, experiment };
}

/** Like loadExperiment, but the experiment must be of `kind` (a paper folder given to `confide ablate` says so). */
export function loadExperimentOfKind<Kind extends ExperimentKind>(folder: string, kind: Kind, options: LoadOptions = {}): LoadedExperiment<Kind> {
  const found = experimentKindOf(folder);
  if (found !== kind) {
    throw new InvalidConfigError(
      `${join(folder, EXPERIMENT_FILE)}: key "kind": this command runs "${kind}" experiments, the file is "${found}" (run it with confide ${EXPERIMENT_KINDS[found]!.command})`,
    );
  }
  return loadExperiment(folder, options) as unknown as LoadedExperiment<Kind>;
}
