import { InvalidConfigError, type PluginKind, type PluginRegistry } from '@confide/core';
import { SftDatasetConfig } from '@confide/data';
import { TrainAdapterConfig } from '@confide/training';
import { z } from 'zod';
import { VllmServeOptions } from '@confide/inference';
import { experimentHeader } from '../experiment-header.js';
import { LivePairExperiment } from '../live/live-experiment.js';

/**
 * Values the pipeline fills into plugin options once an earlier step has made them:
 * - `{baseModel}`: the base model (a hub id, or the folder of the tiny model built here);
 * - `{adapter}`: the adapter folder the train step wrote (delegate step only);
 * - `{adapterName}`: the adapter's served name in vLLM (delegate step only);
 * - `{vllmUrl}`: the OpenAI-compatible root of a vLLM server the pipeline starts for that step and stops after it.
 */
export const PIPELINE_PLACEHOLDERS = ['baseModel', 'adapter', 'adapterName', 'vllmUrl'] as const;
export type PipelinePlaceholder = (typeof PIPELINE_PLACEHOLDERS)[number];
const DATASET_PLACEHOLDERS: readonly PipelinePlaceholder[] = ['baseModel', 'vllmUrl'];

/** The train step: the runner's settings (the seed's defaults); the base model, data and output folder come from the pipeline. */
const PipelineTrainStep = TrainAdapterConfig.omit({ baseModel: true, trainFile: true, outputDir: true, manifest: true }).extend({
  /** Processes on this machine, one per GPU, started by torchrun; 1 runs the runner directly. */
  processes: z.number().int().positive().default(1),
});

/** The vLLM server started for a step whose client options use `{vllmUrl}`; the base model and adapter come from the pipeline. */
const PipelineVllm = VllmServeOptions.omit({ baseModel: true, adapter: true });

/** The delegate step: a live experiment without its own identity (the pipeline's name and title are used). */
const PipelineDelegateStep = LivePairExperiment.omit({ kind: true, name: true, title: true, plugins: true });

/**
 * All four steps of the seed as one experiment: build the confidence-annotated dataset, fine-tune the adapter, then
 * generate with it, grade, route and delegate through the live path, and report.
 */
export const PipelineExperiment = z.strictObject({
  ...experimentHeader('pipeline'),
  /** A run that checks the plumbing, not the method (a tiny random model): every report says so. */
  pipelineCheck: z.boolean().default(false),
  /** A hub id or model folder, or `{ "tinyModel": true }` for the random Qwen2-architecture model built by tools/tiny-model. */
  baseModel: z.union([z.string().min(1), z.strictObject({ tinyModel: z.literal(true) })]),
  dataset: SftDatasetConfig,
  train: PipelineTrainStep.prefault({}),
  vllm: PipelineVllm.prefault({}),
  delegate: PipelineDelegateStep,
});
export type PipelineExperiment = z.infer<typeof PipelineExperiment>;

const PLACEHOLDER = /\{(\w+)\}/g;

/** The placeholders a value uses (in any string inside it). */
export function placeholdersIn(value: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (inner: unknown) => {
    if (typeof inner === 'string') for (const match of inner.matchAll(PLACEHOLDER)) found.add(match[1]!);
    else if (Array.isArray(inner)) inner.forEach(visit);
    else if (inner !== null && typeof inner === 'object') Object.values(inner).forEach(visit);
  };
  visit(value);
  return found;
}

/** `value` with every known placeholder replaced; a placeholder without a value is left for the check to report. */
export function fillPlaceholders<Value>(value: Value, values: Partial<Record<PipelinePlaceholder, string>>): Value {
  const fill = (inner: unknown): unknown => {
    if (typeof inner === 'string') {
      return inner.replace(PLACEHOLDER, (whole, name: string) => (name in values ? values[name as PipelinePlaceholder]! : whole));
    }
    if (Array.isArray(inner)) return inner.map(fill);
    if (inner !== null && typeof inner === 'object') return Object.fromEntries(Object.entries(inner).map(([key, item]) => [key, fill(item)]));
    return inner;
  };
  return fill(value) as Value;
}

/** Every plugin the pipeline names, with where in the file it is named. */
export function pipelinePluginChoices(experiment: PipelineExperiment): Array<{ key: string; kind: PluginKind; id: string; options: Record<string, unknown> }> {
  const { dataset, delegate } = experiment;
  return [
    { key: 'dataset.client', kind: 'model' as const, ...dataset.client },
    { key: 'dataset.evaluator', kind: 'evaluator' as const, ...dataset.evaluator },
    { key: 'delegate.small.client', kind: 'model' as const, ...delegate.small.client },
    { key: 'delegate.large.client', kind: 'model' as const, ...delegate.large.client },
    ...(delegate.orchestrator ? [{ key: 'delegate.orchestrator.client', kind: 'model' as const, ...delegate.orchestrator.client }] : []),
    // a routing policy file names its router itself (checked when it is read)
    ...('policy' in delegate.router ? [] : [{ key: 'delegate.router', kind: 'router' as const, ...delegate.router }]),
    { key: 'delegate.evaluator', kind: 'evaluator' as const, ...delegate.evaluator },
    ...delegate.alsoGradeWith.map((choice, index) => ({ key: `delegate.alsoGradeWith.${index}`, kind: 'evaluator' as const, ...choice })),
  ];
}

/**
 * Checks, before anything runs, that every plugin the pipeline names is registered with that kind and that its
 * options are valid once the placeholders are filled (with stand-in values), and that each placeholder is used where
 * its value exists. Creates nothing: no key or server is needed. Throws one InvalidConfigError naming the file and key.
 */
export function checkPipelinePlugins(experiment: PipelineExperiment, registry: PluginRegistry, source: string): void {
  const sample: Record<PipelinePlaceholder, string> = {
    baseModel: typeof experiment.baseModel === 'string' ? experiment.baseModel : '/tiny-model',
    adapter: '/adapter',
    adapterName: experiment.vllm.adapterName,
    vllmUrl: `http://127.0.0.1:${experiment.vllm.port}/v1`,
  };
  for (const choice of pipelinePluginChoices(experiment)) {
    const allowed: readonly string[] = choice.key.startsWith('dataset.') ? DATASET_PLACEHOLDERS : PIPELINE_PLACEHOLDERS;
    for (const name of placeholdersIn(choice.options)) {
      if (!(PIPELINE_PLACEHOLDERS as readonly string[]).includes(name)) {
        throw new InvalidConfigError(`${source}: key "${choice.key}.options": unknown placeholder {${name}} (known: ${PIPELINE_PLACEHOLDERS.map((known) => `{${known}}`).join(', ')})`);
      }
      if (!allowed.includes(name)) {
        throw new InvalidConfigError(`${source}: key "${choice.key}.options": {${name}} has no value in this step (it exists after training)`);
      }
    }
    let plugin;
    try {
      plugin = registry.get(choice.kind, choice.id);
    } catch (error) {
      throw new InvalidConfigError(`${source}: key "${choice.key}.id": ${(error as Error).message}`);
    }
    const parsed = plugin.optionsSchema.safeParse(fillPlaceholders(choice.options, sample));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidConfigError(`${source}: key "${choice.key}.options${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}": ${issue.message}`);
    }
  }
}

