import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIDENT_TOKEN, PRICE_TABLES, UNCERTAIN_TOKEN, type Evaluator } from '@confide/core';
import { loadSftDatasetConfig, workspaceRoot } from '@confide/data';
import { checkPipelinePlugins, experimentKindOf, fillPlaceholders, loadExperimentOfKind, pipelinePluginChoices } from '@confide/experiments';
import { buildVllmServeCommand, VllmServeOptions } from '@confide/inference';
import { SEED_SYSTEM_PROMPT, SEED_USER_TEMPLATE, TrainAdapterConfig } from '@confide/training';
import { afterEach, describe, expect, it } from 'vitest';
import { createPluginRegistry } from '../plugin-registry.js';

const folder = join(workspaceRoot(), 'experiments', 'paper-math500-full');
const savedKey = process.env['GEMINI_API_KEY'];
afterEach(() => {
  if (savedKey === undefined) delete process.env['GEMINI_API_KEY'];
  else process.env['GEMINI_API_KEY'] = savedKey;
});

describe('experiments/paper-math500-full: the real run', () => {
  const experiment = loadExperimentOfKind(folder, 'pipeline').experiment;

  it("fine-tunes Qwen2.5-Math-1.5B-Instruct with the seed's training settings on the seed's 6,750 MATH train problems", () => {
    expect(experimentKindOf(folder)).toBe('pipeline');
    expect(experiment.pipelineCheck).toBe(false);
    expect(experiment.baseModel).toBe('Qwen/Qwen2.5-Math-1.5B-Instruct');
    expect(experiment.dataset).toMatchObject({ split: 'math-train-sft', temperature: 0, evaluator: { id: 'core/math' } });
    expect(experiment.dataset.limit).toBeUndefined();
    expect(experiment.dataset.prompt).toEqual({ system: SEED_SYSTEM_PROMPT, user: SEED_USER_TEMPLATE });
    expect(experiment.train).toMatchObject({
      confidenceTokens: 'text',
      lora: { rank: 8, alpha: 32, dropout: 0.05, targetModules: ['q_proj', 'v_proj'], bias: 'none' },
      learningRate: 5e-5,
      epochs: 5,
      perDeviceBatchSize: 5,
      gradientAccumulationSteps: 4,
      maxLength: 512,
      maxSteps: null,
      balance: true,
      seed: 42,
      precision: 'bf16',
      systemPrompt: SEED_SYSTEM_PROMPT,
      userTemplate: SEED_USER_TEMPLATE,
    });
  });

  it('serves the adapter with vLLM (LoRA rank 8) and delegates <|u_math|> and no token to Gemini 2.5 Flash', () => {
    const { delegate, vllm } = experiment;
    const { command, args } = buildVllmServeCommand(VllmServeOptions.parse({ ...vllm, baseModel: experiment.baseModel, adapter: '/adapter' }));
    expect([command, ...args].join(' ')).toBe(
      'vllm serve Qwen/Qwen2.5-Math-1.5B-Instruct --host 127.0.0.1 --port 8000 --enable-lora --lora-modules qwen-math-confidence=/adapter --max-lora-rank 8 --max-model-len 4096',
    );
    expect(delegate.small.client).toEqual({
      id: 'core/vllm',
      options: { model: 'qwen2.5-math-1.5b-instruct-lora-confidence', servedModel: '{adapterName}', baseUrl: '{vllmUrl}' },
    });
    expect(delegate.small.prompt).toEqual({ system: SEED_SYSTEM_PROMPT, user: SEED_USER_TEMPLATE });
    expect(delegate.large.client).toEqual({ id: 'core/gemini', options: { model: 'gemini-2.5-flash', thinkingBudget: 2048 } });
    expect(delegate.router).toEqual({ id: 'core/confidence-token', options: { delegate: [UNCERTAIN_TOKEN, 'none'] } });
    expect('options' in delegate.router ? delegate.router.options['delegate'] : null).not.toContain(CONFIDENT_TOKEN);
    expect(delegate).toMatchObject({ dataset: 'math500', priceTable: 'seed-math500', evaluator: { id: 'core/math' } });
    expect(delegate.limit).toBeUndefined();
    // prompt + answer must fit the model's 4,096-token context (vLLM refuses a request that does not): the longest
    // MATH-500 prompt is 847 tokens with the seed's chat template, so the seed's max_tokens 4068 cannot be kept
    expect(delegate.small.maxOutputTokens).toBeLessThanOrEqual(4096 - 1024);
  });

  it('has step-by-step configs (confide dataset build, confide train, confide run) that say the same as the pipeline', () => {
    const steps = join(folder, 'steps');
    const filled = { baseModel: 'Qwen/Qwen2.5-Math-1.5B-Instruct', adapterName: 'qwen-math-confidence', vllmUrl: 'http://127.0.0.1:8000/v1' };
    expect(loadSftDatasetConfig(join(steps, 'dataset.json'))).toEqual(fillPlaceholders(experiment.dataset, filled));
    const { processes: _processes, ...train } = experiment.train;
    expect(TrainAdapterConfig.parse(JSON.parse(readFileSync(join(steps, 'train.json'), 'utf8')))).toEqual({
      ...train,
      baseModel: experiment.baseModel,
      trainFile: 'experiments/paper-math500-full/steps/dataset/train.jsonl',
      outputDir: 'finetuned_models/paper-math500-full',
      runName: 'paper-math500-full',
    });
    const { kind, name: _name, title: _title, ...delegate } = loadExperimentOfKind(join(steps, 'delegate'), 'live').experiment;
    expect(kind).toBe('live');
    expect(delegate).toEqual(fillPlaceholders(experiment.delegate, filled));
  });

  it('names only registered plugins, each of which builds from its options once the placeholders are filled', async () => {
    const registry = createPluginRegistry();
    expect(() => checkPipelinePlugins(experiment, registry, join(folder, 'experiment.json'))).not.toThrow();
    process.env['GEMINI_API_KEY'] = 'test-key-not-sent-anywhere';
    const prices = PRICE_TABLES[experiment.delegate.priceTable]!;
    const filled = { baseModel: 'Qwen/Qwen2.5-Math-1.5B-Instruct', adapter: '/adapter', adapterName: experiment.vllm.adapterName, vllmUrl: 'http://127.0.0.1:8000/v1' };
    const choices = pipelinePluginChoices(experiment);
    expect(choices.map((choice) => `${choice.kind} ${choice.id}`)).toEqual([
      'model core/vllm',
      'evaluator core/math',
      'model core/vllm',
      'model core/gemini',
      'router core/confidence-token',
      'evaluator core/math',
    ]);
    for (const choice of choices) {
      const created = registry.create(choice.kind, choice.id, fillPlaceholders(choice.options, filled), { priceTable: prices });
      if (choice.kind === 'model') {
        const model = (created.instance as { model: string }).model;
        expect(prices.models[model], `${choice.key}: ${model} is priced`).toBeDefined();
      }
      if (choice.kind === 'evaluator') await (created.instance as Evaluator).close();
    }
  });
});
