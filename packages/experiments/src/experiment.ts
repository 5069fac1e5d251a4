import { join } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { readConfigFile } from '@confide/data';
import { z } from 'zod';
import { AblationExperiment, checkAblationReferences } from './ablation/ablation-experiment.js';
import { DatasetExperiment } from './dataset/dataset-experiment.js';
import kinds from './experiment-kinds.json' with { type: 'json' };
import { LiveExperiment } from './live/live-experiment.js';
import { PaperExperiment } from './paper/paper-experiment.js';
import { PipelineExperiment } from './pipeline/pipeline-experiment.js';

/** The file an experiment folder holds. */
export const EXPERIMENT_FILE = 'experiment.json';

/**
 * Every kind of experiment and the `confide` command that runs it. The table is JSON so the Nx experiments plugin
 * (tools/nx-experiments) reads the same one; the schema below must cover exactly these kinds (a test checks).
 */
export const EXPERIMENT_KINDS: Readonly<Record<string, { command: string; description: string }>> = kinds;

/** One experiment file, whatever its kind: the CLI, the executors and the Nx plugin all read it through this schema. */
export const Experiment = z.discriminatedUnion('kind', [PaperExperiment, AblationExperiment, LiveExperiment, PipelineExperiment, DatasetExperiment]);
export type Experiment = z.infer<typeof Experiment>;
export type ExperimentKind = Experiment['kind'];

export type ExperimentOfKind<Kind extends ExperimentKind> = Extract<Experiment, { kind: Kind }>;

/** A loaded experiment and the folder it came from (relative run paths in it resolve against this folder). */
export interface LoadedExperiment<Kind extends ExperimentKind = ExperimentKind> {
  folder: string;
  file: string;
  experiment: ExperimentOfKind<Kind>;
}

/** The `kind` of `<folder>/experiment.json`, checked against the known kinds before the rest is validated. */
export function experimentKindOf(folder: string): ExperimentKind {
  const file = join(folder, EXPERIMENT_FILE);
  const kind = readConfigFile(file, z.looseObject({ kind: z.string() })).kind;
  if (!(kind in EXPERIMENT_KINDS)) {
    throw new InvalidConfigError(`${file}: key "kind": "${kind}" is not one of ${Object.keys(EXPERIMENT_KINDS).join(', ')}`);
  }
  return kind as ExperimentKind;
}

/** Reads and validates `<folder>/experiment.json`: unknown keys, bad values and dangling references name the file and key. */
export function loadExperiment(folder: string): LoadedExperiment {
  const file = join(folder, EXPERIMENT_FILE);
  experimentKindOf(folder);
  const experiment = readConfigFile(file, Experiment);
  if (experiment.kind === 'ablation') checkAblationReferences(experiment, file);
  return { folder, file, experiment };
}

/** Like loadExperiment, but the experiment must be of `kind` (a paper folder given to `confide ablate` says so). */
export function loadExperimentOfKind<Kind extends ExperimentKind>(folder: string, kind: Kind): LoadedExperiment<Kind> {
  const found = experimentKindOf(folder);
  if (found !== kind) {
    throw new InvalidConfigError(
      `${join(folder, EXPERIMENT_FILE)}: key "kind": this command runs "${kind}" experiments, the file is "${found}" (run it with confide ${EXPERIMENT_KINDS[found]!.command})`,
    );
  }
  return loadExperiment(folder) as unknown as LoadedExperiment<Kind>;
}
