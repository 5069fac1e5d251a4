import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, InvalidConfigError, PLUGIN_SPECIFICATION_VERSION, PluginRegistry } from '@confide/core';
import { workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { replayModel, vllmModel } from '@confide/inference';
import { transformersModel } from '@confide/inference';
import { experimentKindOf, loadExperimentOfKind } from '../experiment.js';
import { checkPipelinePlugins, fillPlaceholders, PipelineExperiment, placeholdersIn } from './pipeline-experiment.js';

const loadPipelineExperiment = (folder: string) => loadExperimentOfKind(folder, 'pipeline').experiment;

const router = definePlugin({
  id: 'core/confidence-token',
  kind: 'router',
  description: 'test stand-in',
  optionsSchema: z.strictObject({ delegate: z.array(z.string()) }),
  create: () => ({ specificationVersion: PLUGIN_SPECIFICATION_VERSION, capabilities: { decides: 'after-first-answer', reads: ['small'] }, decide: () => Promise.reject(new Error('not used')) }),
});
const evaluator = definePlugin({
  id: 'core/math',
  kind: 'evaluator',
  description: 'test stand-in',
  optionsSchema: z.strictObject({}),
  create: () => ({ specificationVersion: PLUGIN_SPECIFICATION_VERSION, grade: () => Promise.reject(new Error('not used')), close: () => Promise.resolve() }),
});
const registry = new PluginRegistry().register(transformersModel).register(vllmModel).register(replayModel).register(router).register(evaluator);

const tinyE2e = join(workspaceRoot(), 'experiments', 'tiny-e2e');

function withChange(change: (experiment: PipelineExperiment) => void): PipelineExperiment {
  const experiment = structuredClone(loadPipelineExperiment(tinyE2e));
  change(experiment);
  return experiment;
}

describe('placeholders', () => {
  it('finds and fills them anywhere in plugin options, leaving others alone', () => {
    const options = { baseModel: '{baseModel}', nested: { list: ['{adapter}/x', '{other}'], url: '{vllmUrl}' }, n: 3 };
    expect([...placeholdersIn(options)].sort()).toEqual(['adapter', 'baseModel', 'other', 'vllmUrl']);
    expect(fillPlaceholders(options, { baseModel: '/m', adapter: '/a', vllmUrl: 'http://h/v1' })).toEqual({
      baseModel: '/m',
      nested: { list: ['/a/x', '{other}'], url: 'http://h/v1' },
      n: 3,
    });
  });
});

describe('experiments/tiny-e2e', () => {
  it("is a pipeline with the tiny model and the seed's LoRA shape, and names only registered plugins", () => {
    expect(experimentKindOf(tinyE2e)).toBe('pipeline');
    const experiment = loadPipelineExperiment(tinyE2e);
    expect(experiment).toMatchObject({
      pipelineCheck: true,
      baseModel: { tinyModel: true },
      dataset: { split: 'math-train-sft', limit: 64, evaluator: { id: 'core/math' } },
      train: { lora: { rank: 8, alpha: 32, dropout: 0.05, targetModules: ['q_proj', 'v_proj'] }, processes: 1 },
      delegate: { dataset: 'math500', limit: 16, large: { client: { id: 'core/replay', options: { run: 'gemini-flash' } } } },
    });
    expect(() => checkPipelinePlugins(experiment, registry, 'tiny-e2e')).not.toThrow();
  });
});

describe('checkPipelinePlugins', () => {
  it.each([
    [
      'an adapter in the dataset step',
      (experiment: PipelineExperiment) => (experiment.dataset.client.options['adapter'] = '{adapter}'),
      'x.json: key "dataset.client.options": {adapter} has no value in this step (it exists after training)',
    ],
    [
      'an unknown placeholder',
      (experiment: PipelineExperiment) => (experiment.delegate.small.client.options['adapter'] = '{adpter}'),
      'x.json: key "delegate.small.client.options": unknown placeholder {adpter}',
    ],
    [
      'an unknown plugin',
      (experiment: PipelineExperiment) => (experiment.delegate.large.client.id = 'core/gemni'),
      'x.json: key "delegate.large.client.id": ',
    ],
    [
      'a router where a model belongs',
      (experiment: PipelineExperiment) => (experiment.delegate.small.client.id = 'core/confidence-token'),
      'x.json: key "delegate.small.client.id": ',
    ],
    [
      'options the plugin rejects',
      (experiment: PipelineExperiment) => delete experiment.delegate.small.client.options['baseModel'],
      'x.json: key "delegate.small.client.options.baseModel": ',
    ],
  ])('rejects %s, naming the key', (_name, change, message) => {
    const experiment = withChange(change);
    expect(() => checkPipelinePlugins(experiment, registry, 'x.json')).toThrow(InvalidConfigError);
    expect(() => checkPipelinePlugins(experiment, registry, 'x.json')).toThrow(message);
  });

  it('accepts a vLLM client for either step, filled with the server the pipeline starts', () => {
    const experiment = withChange((value) => {
      value.dataset.client = { id: 'core/vllm', options: { model: 'qwen2.5-math-1.5b-instruct', servedModel: '{baseModel}', baseUrl: '{vllmUrl}' } };
      value.delegate.small.client = { id: 'core/vllm', options: { model: 'm', servedModel: '{adapterName}', baseUrl: '{vllmUrl}' } };
    });
    expect(() => checkPipelinePlugins(experiment, registry, 'x.json')).not.toThrow();
  });
});

describe('loadPipelineExperiment', () => {
  it.each([
    [{ train: { lr: 1 } }, 'key "train.lr": unknown key'],
    [{ baseModel: { tiny: true } }, 'key "baseModel.tinyModel"'],
    [{ vllm: { port: 0 } }, 'key "vllm.port"'],
  ])('rejects %j naming the file and key', (change, message) => {
    const folder = mkdtempSync(join(tmpdir(), 'pipeline-config-'));
    const experiment = { ...structuredClone(loadPipelineExperiment(tinyE2e)), ...change };
    writeFileSync(join(folder, 'experiment.json'), JSON.stringify(experiment));
    expect(() => loadPipelineExperiment(folder)).toThrow(`${join(folder, 'experiment.json')}: ${message}`);
  });
});
