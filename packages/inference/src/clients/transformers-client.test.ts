import { CONFIDENT_TOKEN, Generation, InvalidConfigError, PluginRegistry, SEED_PRICES_2025_11, UNCERTAIN_TOKEN } from '@confide/core';
import type { GenerateWithRunnerInput, GenerateWithRunnerOptions, GenerateWithRunnerResult, RunnerGeneration } from '@confide/training';
import { describe, expect, it, vi } from 'vitest';
import { isLiveModelClient, type LiveGenerationRequest } from '../live-model-client.js';
import { TransformersClient, transformersModel, type TransformersClientOptions } from './transformers-client.js';

const SYSTEM = 'Reason step by step.';

function request(id: string, overrides: Partial<LiveGenerationRequest> = {}): LiveGenerationRequest {
  return {
    problem: { id, problem: `problem ${id}`, answer: '1' },
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: `Solve: problem ${id}` },
    ],
    maxOutputTokens: 32,
    temperature: 0,
    ...overrides,
  };
}

interface RecordedRun {
  input: GenerateWithRunnerInput;
  signal: AbortSignal | undefined;
  startedAt: number;
  endedAt: number;
}

/**
 * Answers like the runner does (one `generation` event per problem, then the result), deterministically from the
 * problem text: odd-length prompts get <|c_math|>, even ones <|u_math|>. `hold` keeps a run open until released.
 */
function fakeRunner(options: { fail?: Error; hold?: Promise<void>; topLogprobs?: (id: string) => number[][] | undefined } = {}) {
  const runs: RecordedRun[] = [];
  let clock = 0;
  const generate = async (input: GenerateWithRunnerInput, runOptions: GenerateWithRunnerOptions): Promise<GenerateWithRunnerResult> => {
    const run: RecordedRun = { input, signal: runOptions.signal, startedAt: clock++, endedAt: -1 };
    runs.push(run);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (options.hold) await options.hold;
    if (options.fail) throw options.fail;
    const generations: RunnerGeneration[] = input.problems.map((problem, index) => {
      const token = problem.problem.length % 2 === 1 ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN;
      return {
        id: problem.id,
        text: `answer to ${problem.problem} \\boxed{1} ${token}`,
        confidenceToken: token,
        confidenceProbabilities: token === CONFIDENT_TOKEN ? { confident: 0.75, uncertain: 0.2 } : { confident: 0.1, uncertain: 0.85 },
        usage: { input: 40 + index, output: 12 },
        finishReason: 'stop',
        latencyMs: 25,
        ...(options.topLogprobs?.(problem.id) !== undefined ? { topLogprobs: options.topLogprobs(problem.id)! } : {}),
      };
    });
    for (const generation of generations) runOptions.onGeneration?.(generation);
    run.endedAt = clock++;
    return { generations, outputTokens: generations.length * 12, durationSeconds: 0.01, device: 'cpu' };
  };
  return { runs, generate };
}

function client(generate: TransformersClientOptions['generate'], overrides: Partial<TransformersClientOptions> = {}) {
  return new TransformersClient({
    ...transformersModel.optionsSchema.parse({ model: 'qwen2.5-math-1.5b-instruct-lora-confidence', baseModel: '/models/base', adapter: '/models/adapter' }),
    batchWindowMs: 5,
    generate,
    ...overrides,
  });
}

describe('core/transformers', () => {
  it('is a live model client made from its options by the registry, with the runner defaults', () => {
    const registry = new PluginRegistry().register(transformersModel);
    const created = registry.create('model', 'core/transformers', { model: 'tiny', baseModel: '/m' }, { priceTable: SEED_PRICES_2025_11 });
    expect(isLiveModelClient(created.instance)).toBe(true);
    expect(created.use.options).toEqual({
      model: 'tiny',
      baseModel: '/m',
      adapter: null,
      confidenceTokens: null,
      batchSize: 8,
      maxProblemsPerRun: 256,
      batchWindowMs: 250,
      precision: 'auto',
    });
    expect(created.instance.model).toBe('tiny');
  });

  it('gathers requests that arrive together into one runner process and maps each answer to a Generation', async () => {
    const runner = fakeRunner();
    const transformers = client(runner.generate);
    const ids = ['a', 'bb', 'ccc'];
    const generations = await Promise.all(ids.map((id) => transformers.generate(request(id))));
    expect(runner.runs).toHaveLength(1);
    expect(runner.runs[0]!.input).toMatchObject({
      baseModel: '/models/base',
      adapter: '/models/adapter',
      systemPrompt: SYSTEM,
      userTemplate: '{problem}',
      maxNewTokens: 32,
      batchSize: 8,
      problems: ids.map((id, index) => ({ id: `r${index}`, problem: `Solve: problem ${id}` })),
    });
    generations.forEach((generation, index) => {
      expect(Generation.parse(generation)).toEqual(generation);
      expect(generation).toMatchObject({
        model: 'qwen2.5-math-1.5b-instruct-lora-confidence',
        text: `answer to Solve: problem ${ids[index]} \\boxed{1} ${generation.confidenceToken}`,
        answer: null,
        usage: { input: 40 + index, output: 12, thinking: 0 },
        latencyMs: 25,
        finishReason: 'stop',
      });
    });
    expect(generations.map((generation) => generation.confidenceToken)).toEqual([UNCERTAIN_TOKEN, CONFIDENT_TOKEN, UNCERTAIN_TOKEN]);
    expect(generations[1]!.confidenceProbabilities).toEqual({ confident: 0.75, uncertain: 0.2 });
  });

  it.each([
    ['another system prompt', { messages: [{ role: 'system' as const, content: 'Other.' }, { role: 'user' as const, content: 'x' }] }],
    ['another token limit', { maxOutputTokens: 64 }],
  ])('runs requests with %s in a process of their own, one process at a time', async (_name, change) => {
    const runner = fakeRunner();
    const transformers = client(runner.generate);
    await Promise.all([transformers.generate(request('a')), transformers.generate(request('b', change)), transformers.generate(request('c'))]);
    expect(runner.runs.map((run) => run.input.problems.length)).toEqual([2, 1]);
    expect(runner.runs[1]!.startedAt).toBeGreaterThan(runner.runs[0]!.endedAt);
  });

  it('splits a crowd into processes of at most maxProblemsPerRun', async () => {
    const runner = fakeRunner();
    const transformers = client(runner.generate, { maxProblemsPerRun: 4 });
    const generations = await Promise.all(Array.from({ length: 10 }, (_, index) => transformers.generate(request(`p${index}`))));
    expect(runner.runs.map((run) => run.input.problems.length)).toEqual([4, 4, 2]);
    expect(transformers.runs).toBe(3);
    expect(generations.map((generation) => generation.text)).toEqual(Array.from({ length: 10 }, (_, index) => expect.stringContaining(`problem p${index} `)));
  });

  it('rejects a cancelled request at once and stops the process when every request in it is cancelled', async () => {
    let release!: () => void;
    const runner = fakeRunner({ hold: new Promise((resolve) => (release = resolve)) });
    const transformers = client(runner.generate);
    const first = new AbortController();
    const second = new AbortController();
    const answers = [transformers.generate(request('a'), { signal: first.signal }), transformers.generate(request('b'), { signal: second.signal })];
    await new Promise((resolve) => setTimeout(resolve, 20));
    first.abort();
    await expect(answers[0]).rejects.toThrow(/aborted/);
    expect(runner.runs[0]!.signal?.aborted).toBe(false);
    second.abort(new Error('timeout'));
    await expect(answers[1]).rejects.toThrow('timeout');
    expect(runner.runs[0]!.signal?.aborted).toBe(true);
    release();
  });

  it('listens once to a signal many requests share, and cancels them all with it', async () => {
    let release!: () => void;
    const runner = fakeRunner({ hold: new Promise((resolve) => (release = resolve)) });
    const transformers = client(runner.generate);
    const shared = new AbortController();
    const listen = vi.spyOn(shared.signal, 'addEventListener');
    const answers = Array.from({ length: 40 }, (_, index) => transformers.generate(request(`p${index}`), { signal: shared.signal }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    shared.abort();
    expect((await Promise.allSettled(answers)).every((result) => result.status === 'rejected')).toBe(true);
    expect(listen).toHaveBeenCalledTimes(1);
    expect(runner.runs[0]!.signal?.aborted).toBe(true);
    release();
  });

  it('fails every request of a process whose runner failed, with the runner error', async () => {
    const failure = new Error('runner exited without a result (exit code 1): CUDA out of memory');
    const transformers = client(fakeRunner({ fail: failure }).generate);
    const results = await Promise.allSettled([transformers.generate(request('a')), transformers.generate(request('b'))]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it.each([
    ['no system prompt', { messages: [{ role: 'user' as const, content: 'x' }] }, /a system prompt and one user message/],
    ['sampling', { temperature: 0.7 }, /greedily; temperature must be 0/],
    ['no token limit', { maxOutputTokens: undefined }, /needs maxOutputTokens/],
    ['a response schema', { responseSchema: { name: 'hand_off', schema: {} } }, /structured output/],
  ])('refuses a request with %s before starting anything', async (_name, change, message) => {
    const runner = fakeRunner();
    const transformers = client(runner.generate);
    await expect(async () => transformers.generate(request('a', change))).rejects.toThrow(InvalidConfigError);
    await expect(async () => transformers.generate(request('a', change))).rejects.toThrow(message);
    expect(runner.runs).toHaveLength(0);
  });

  it('bounds a request by its prompt bytes and token limit for the budget, thinking 0', () => {
    const transformers = client(fakeRunner().generate);
    const usage = transformers.maxUsage(request('a'));
    expect(usage.output).toBe(32);
    expect(usage.thinking).toBe(0);
    expect(usage.input).toBeGreaterThanOrEqual(Buffer.byteLength(SYSTEM + 'Solve: problem a'));
  });

  it('asks the runner for each token\'s top-k logprobs with logprobs: k, and fails an answer that lacks them', async () => {
    const rows = [
      [-0.1, -2.5],
      [-0.3, -1.5],
    ];
    const runner = fakeRunner({ topLogprobs: (id) => (id === 'r1' ? undefined : rows) });
    const transformers = client(runner.generate, { logprobs: 2 });
    expect(transformers.identity).toMatchObject({ recordLogprobs: 2 });
    const [first, second] = await Promise.allSettled([transformers.generate(request('a')), transformers.generate(request('b'))]);
    expect(runner.runs[0]!.input.logprobs).toBe(2);
    expect(first).toMatchObject({ status: 'fulfilled', value: { tokenLogprobs: { k: 2, positions: rows } } });
    expect(second).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/asked for logprobs: 2, the runner's topLogprobs positions: /) } });
    const plain = fakeRunner();
    expect((await client(plain.generate).generate(request('c'))).tokenLogprobs).toBeUndefined();
    expect(plain.runs[0]!.input).not.toHaveProperty('logprobs');
  });
});

describe('core/transformers with the ray engine', () => {
  const registry = new PluginRegistry().register(transformersModel);
  const create = (ray: unknown) =>
    registry.create('model', 'core/transformers', { model: 'tiny', baseModel: '/m', ray }, { priceTable: SEED_PRICES_2025_11 });

  it("hands the runner the ray engine's options, every default filled, and answers as without it", async () => {
    const created = create({ workers: 3, batchesPerBlock: 2 });
    const options = transformersModel.optionsSchema.parse(created.use.options);
    expect(options.ray).toEqual({
      workers: 3,
      cpusPerWorker: 1,
      gpusPerWorker: 0,
      batchesPerBlock: 2,
      maxRetries: 3,
      backend: 'transformers',
      vllm: { tensorParallelSize: 1, maxLoraRank: 8, topLogprobs: 5 },
    });
    const runner = fakeRunner();
    const transformers = client(runner.generate, { ray: options.ray });
    const generations = await Promise.all(['a', 'bb'].map((id) => transformers.generate(request(id))));
    expect(runner.runs).toHaveLength(1);
    expect(runner.runs[0]!.input.ray).toEqual(options.ray);
    expect(generations.map((generation) => generation.text)).toEqual([expect.stringContaining('problem a '), expect.stringContaining('problem bb ')]);
    // Without `ray` the runner's config has no ray key at all (the plain path).
    const plain = fakeRunner();
    await client(plain.generate).generate(request('a'));
    expect(plain.runs[0]!.input).not.toHaveProperty('ray');
  });

  it('names the GPU variant in its identity; the transformers backend keeps the plain identity', () => {
    const plainIdentity = (create(undefined).instance as TransformersClient).identity;
    expect((create({}).instance as TransformersClient).identity).toEqual(plainIdentity);
    expect((create({ backend: 'vllm', gpusPerWorker: 1 }).instance as TransformersClient).identity).toEqual({ ...plainIdentity, engine: 'ray/vllm' });
  });

  it.each([
    ['an unknown key', { worker: 2 }, /key "ray\.worker": unknown key; did you mean "workers"/],
    ['no CPU and no GPU per worker', { cpusPerWorker: 0 }, /key "ray\.cpusPerWorker": a worker needs a CPU or a GPU/],
    ['an object store for a cluster it joins', { address: 'auto', objectStoreMemoryMb: 100 }, /key "ray\.objectStoreMemoryMb": only for a local cluster/],
    ['an unknown backend', { backend: 'sglang' }, /key "ray\.backend": Invalid option: expected one of "transformers"\|"vllm"/],
  ])('refuses %s, naming the key', (_name, ray, message) => {
    expect(() => create(ray)).toThrow(InvalidConfigError);
    expect(() => create(ray)).toThrow(message);
  });
});
