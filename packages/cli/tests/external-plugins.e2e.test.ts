import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { workspaceRoot } from '@confide/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';

/**
 * Plugins from a user's own folder, run by the built command as a user runs it: from a temporary folder outside the
 * checkout, with no node_modules there (their `@confide/core` is the command's own). The routers, the model client
 * and the bad modules below are what a user would write, by hand. The cli's test target depends on its build.
 */
const root = workspaceRoot();
const bin = join(root, 'packages', 'cli', 'bin', 'confide.js');
const folder = mkdtempSync(join(tmpdir(), 'confide-own-plugins-'));
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command, from `cwd` (default: the temporary folder); never throws, so a refusal can be read. */
async function confide(args: string[], cwd = folder): Promise<Outcome> {
  const env = { ...process.env, NODE_OPTIONS: '', XDG_CACHE_HOME: join(folder, '.cache') };
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function write(files: Record<string, string>, base = folder): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(base, name)), { recursive: true });
    writeFileSync(join(base, name), text);
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A TypeScript router in an ES-module folder (`"type": "module"`): delegates long small answers; its threshold sweeps by prefix sums. */
const LONG_ANSWERS_TS = `import { definePlugin, z, type RouteInput } from '@confide/core';

export const longAnswers = definePlugin({
  id: 'me/long-answers',
  kind: 'router',
  description: 'delegate small answers longer than maxOutputTokens',
  optionsSchema: z.strictObject({ maxOutputTokens: z.number().int().positive().default(600) }),
  create: (options) => ({
    specificationVersion: 'v2',
    capabilities: {
      decides: 'after-first-answer',
      reads: ['small'],
      sweepableScore: { option: 'maxOutputTokens', score: 'generation.usage.output', direction: 'keep-low' },
    },
    async decide({ answers }: RouteInput) {
      const length: number = answers['small']!.generation.usage.output;
      return { router: 'me/long-answers', model: length > options.maxOutputTokens ? 'large' : 'small', reason: \`\${length} tokens\`, score: length };
    },
  }),
});

export const notAPlugin = 'other exports are ignored';
`;

/** A CommonJS JavaScript router: delegates unless the small answer carries the confident token. */
const UNCERTAIN_CJS = `const { definePlugin, z } = require('@confide/core');

exports.uncertain = definePlugin({
  id: 'me/uncertain',
  kind: 'router',
  description: 'delegate unless the small answer says <|c_math|>',
  optionsSchema: z.strictObject({ confidentToken: z.string().default('<|c_math|>') }),
  create: (options) => ({
    specificationVersion: 'v2',
    capabilities: { decides: 'after-first-answer', reads: ['small'] },
    async decide({ answers }) {
      const token = answers.small.generation.confidenceToken;
      return { router: 'me/uncertain', model: token === options.confidentToken ? 'small' : 'large', reason: String(token) };
    },
  }),
});
`;

/** A model client for an OpenAI-compatible endpoint, written against core's live client contract only. */
const CHAT_CLIENT_TS = `import { ApiError, definePlugin, inputTokenBound, z, type LiveModelClient } from '@confide/core';

interface ChatResponse {
  choices: Array<{ message: { content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number };
}

export const chatClient = definePlugin({
  id: 'me/chat-over-http',
  kind: 'model',
  description: 'an OpenAI-compatible chat endpoint, over fetch',
  optionsSchema: z.strictObject({ model: z.string().min(1), baseUrl: z.string().min(1) }),
  create: (options): LiveModelClient => ({
    specificationVersion: 'v2',
    model: options.model,
    identity: { provider: 'me/chat-over-http', baseUrl: options.baseUrl },
    cacheable: true,
    maxUsage: (request) => ({ input: inputTokenBound(request), output: request.maxOutputTokens ?? 4096, thinking: 0 }),
    async generate(request, generateOptions) {
      const started = Date.now();
      const response = await fetch(\`\${options.baseUrl}/chat/completions\`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: options.model, messages: request.messages, max_tokens: request.maxOutputTokens }),
        ...(generateOptions?.signal ? { signal: generateOptions.signal } : {}),
      });
      if (!response.ok) throw new ApiError({ kind: 'http', status: response.status, message: await response.text() });
      const body = (await response.json()) as ChatResponse;
      const text = body.choices[0]!.message.content;
      return {
        model: options.model,
        text,
        answer: /\\\\boxed\\{([^}]*)\\}/.exec(text)?.[1] ?? null,
        confidenceToken: null,
        usage: { input: body.usage.prompt_tokens, output: body.usage.completion_tokens, thinking: 0 },
        latencyMs: Date.now() - started,
        finishReason: body.choices[0]!.finish_reason,
      };
    },
  }),
});
`;

const SOLVE_PROMPT = { user: 'Solve this problem and put the answer in \\boxed{}.\n\n{problem}' };

beforeAll(() => {
  if (!existsSync(join(root, 'packages', 'cli', 'dist', 'main.js'))) throw new Error('packages/cli is not built: run "npm run build" (the test target depends on it)');
  expect(relative(root, folder).startsWith('..')).toBe(true);
  write({
    'lib/package.json': '{ "type": "module" }',
    'lib/long-answers.ts': LONG_ANSWERS_TS,
    'my-ablation/uncertain.js': UNCERTAIN_CJS,
    'my-ablation/experiment.json': JSON.stringify({
      kind: 'ablation',
      name: 'my-ablation',
      title: 'My routers on the bundled Qwen 1.5B LoRA / Gemini 2.5 Flash pair',
      plugins: ['../lib/long-answers.ts', './uncertain.js'],
      dataset: 'math500',
      priceTable: 'seed-math500',
      grades: 'recorded',
      small: { run: 'qwen-1.5b-lora-confidence', label: 'Qwen 1.5B LoRA' },
      large: { run: 'gemini-flash', label: 'Gemini 2.5 Flash' },
      routers: [
        { id: 'long', label: 'long answers', router: { id: 'me/long-answers' }, sweep: { option: 'maxOutputTokens', values: [200, 400, 600, 800] } },
        { id: 'uncertain', label: 'uncertain', router: { id: 'me/uncertain' } },
      ],
      bootstrap: { resamples: 20, seed: 0 },
    }),
  });
  expect(existsSync(join(folder, 'node_modules'))).toBe(false);
});

describe('routers from my own folder, with the built command', () => {
  it('ablate sweeps a TypeScript ES-module router and a CommonJS one, and the summary names each module with its hash', async () => {
    const outcome = await confide(['ablate', '--experiment', './my-ablation']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^long answers .* delegated /m);
    expect(outcome.stdout).toMatch(/^uncertain .* delegated /m);
    const summary = JSON.parse(readFileSync(join(folder, 'reports', 'my-ablation', 'summary.json'), 'utf8')) as {
      routers: Array<{ id: string; points: unknown[] }>;
      provenance: { plugins: Array<{ id: string; options: Record<string, unknown>; module?: { name: string; sha256: string } }> };
    };
    expect(summary.routers.find((router) => router.id === 'long')!.points).toHaveLength(4);
    expect(summary.provenance.plugins).toEqual([
      { id: 'me/long-answers', kind: 'router', options: { maxOutputTokens: 600 }, module: { name: '../lib/long-answers.ts', sha256: sha256(join(folder, 'lib', 'long-answers.ts')) } },
      { id: 'me/uncertain', kind: 'router', options: { confidentToken: '<|c_math|>' }, module: { name: 'uncertain.js', sha256: sha256(join(folder, 'my-ablation', 'uncertain.js')) } },
    ]);
  }, 120_000);

  it('view --router moves the threshold of my router (the page reads its score)', async () => {
    const outcome = await confide(['view', './my-ablation', '--router', 'long', '--out', 'my-view']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toMatch(/view: 500 problems/);
    // the threshold the page moves is my router's declared score, under its entry's label
    expect(readFileSync(join(folder, 'my-view', 'index.html'), 'utf8')).toContain('"score":{"score":"generation.usage.output","direction":"keep-low","label":"long answers"}');
  }, 300_000);

  it('run applies my CommonJS router with replay clients, and the manifest names its module and hash', async () => {
    write({
      'my-live/experiment.json': JSON.stringify({
        kind: 'live',
        name: 'my-live',
        title: 'my router, applied live with replay clients',
        plugins: ['../my-ablation/uncertain.js'],
        dataset: 'math500',
        limit: 20,
        priceTable: 'seed-math500',
        small: { client: { id: 'core/replay', options: { run: 'qwen-1.5b-lora-confidence' } }, prompt: SOLVE_PROMPT, maxOutputTokens: 4068 },
        large: { client: { id: 'core/replay', options: { run: 'delegation-2-flash', model: 'gemini-2.5-flash' } }, prompt: SOLVE_PROMPT, maxOutputTokens: 8192 },
        router: { id: 'me/uncertain' },
        evaluator: { id: 'core/recorded', options: { runs: ['qwen-1.5b-lora-confidence', 'delegation-2-flash'] } },
      }),
    });
    const outcome = await confide(['run', './my-live', '--no-cache']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(folder, 'my-live', 'run', 'manifest.json'), 'utf8')) as { records: number; plugins: Array<{ id: string; module?: { name: string; sha256: string } }> };
    expect(manifest.records).toBe(20);
    expect(manifest.plugins.find((use) => use.id === 'me/uncertain')!.module).toEqual({ name: '../my-ablation/uncertain.js', sha256: sha256(join(folder, 'my-ablation', 'uncertain.js')) });
    expect(manifest.plugins.filter((use) => use.module !== undefined).map((use) => use.id)).toEqual(['me/uncertain']);
    const summary = JSON.parse(readFileSync(join(folder, 'my-live', 'run', 'summary.json'), 'utf8')) as { plugins: unknown[] };
    expect(summary.plugins).toEqual(manifest.plugins);
  }, 120_000);
});

describe('an evaluator from my own folder', () => {
  it('regrade --run grades a bundled run with it, named by --plugin', async () => {
    write({
      'evaluators/exact.ts': `import { definePlugin, z, type EvaluatorInput } from '@confide/core';

/** Correct when the answer, spaces removed, is the gold answer as written. */
export const exact = definePlugin({
  id: 'me/exact',
  kind: 'evaluator',
  description: 'the answer equals the gold answer, spaces removed',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: 'v2',
    async grade({ gold, response }: EvaluatorInput) {
      const answer = response.replace(/\\s+/g, '');
      return { correct: answer === gold.replace(/\\s+/g, ''), evaluator: 'me/exact', answer };
    },
    async close() {},
  }),
});
`,
    });
    const outcome = await confide(['regrade', '--run', 'qwen-1.5b', '--evaluator', 'me/exact', '--plugin', './evaluators/exact.ts']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toMatch(/regrade qwen-1\.5b with me\/exact: recorded \d+\/500, regraded \d+\/500; \d+ flips/);
    const flips = outcome.stdout.trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { recorded: boolean; regraded: boolean });
    expect(flips.length).toBeGreaterThan(0);
    expect(flips.every((flip) => flip.recorded !== flip.regraded)).toBe(true);
  }, 120_000);
});

describe('a model client from my own folder, in a live run against a stand-in server on 127.0.0.1', () => {
  let server: StandInServer;
  beforeAll(async () => {
    server = await startOpenAIStandIn({ responder: defaultResponder() });
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends every request through my client and records it, with --plugin naming the module', async () => {
    write({
      'clients/chat-client.ts': CHAT_CLIENT_TS,
      'my-live-client/experiment.json': JSON.stringify({
        kind: 'live',
        name: 'my-live-client',
        title: 'both models through my own client',
        dataset: 'math500',
        limit: 4,
        priceTable: 'seed-math500',
        small: { client: { id: 'me/chat-over-http', options: { model: 'qwen2.5-math-1.5b-instruct', baseUrl: `${server.url}/v1` } }, prompt: SOLVE_PROMPT, maxOutputTokens: 300 },
        large: { client: { id: 'me/chat-over-http', options: { model: 'gemini-2.5-flash', baseUrl: `${server.url}/v1` } }, prompt: SOLVE_PROMPT, maxOutputTokens: 300 },
        router: { id: 'core/always-large' },
        evaluator: { id: 'core/math' },
      }),
    });
    const outcome = await confide(['run', './my-live-client', '--no-cache', '--plugin', './clients/chat-client.ts']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    // always-large decides before generation: only the large model is asked, once per problem
    expect(server.billing.entries.map((entry) => entry.model)).toEqual(Array(4).fill('gemini-2.5-flash'));
    const manifest = JSON.parse(readFileSync(join(folder, 'my-live-client', 'run', 'manifest.json'), 'utf8')) as { records: number; plugins: Array<{ id: string; kind: string; module?: { name: string } }> };
    expect(manifest.records).toBe(4);
    expect(manifest.plugins.filter((use) => use.kind === 'model').map((use) => [use.id, use.module?.name])).toEqual([
      ['me/chat-over-http', '../clients/chat-client.ts'],
      ['me/chat-over-http', '../clients/chat-client.ts'],
    ]);
  }, 120_000);
});

describe('bad modules are refused in one coded line naming the file, and nothing is written', () => {
  const good = `const { definePlugin, z } = require('@confide/core');\nexports.fine = definePlugin({ id: 'me/fine', kind: 'router', description: 'x', optionsSchema: z.strictObject({}), create: () => ({}) });\n`;
  it.each([
    ['a syntax error', { 'bad.ts': "import { z } from '@confide/core';\nexport const broken = z.object({ a: 1 ;\n" }, ['./bad.ts'], 'PLUGIN_LOAD_FAILED', /plugin module bad\.ts:2:\d+: syntax error: /],
    ['a throw at import', { 'throws.js': "throw new Error('MY_API_KEY is not set');\n" }, ['./throws.js'], 'PLUGIN_LOAD_FAILED', /plugin module throws\.js threw while it was imported: MY_API_KEY is not set/],
    ['no plugin exported', { 'empty.ts': 'export const helper = (x: number) => x + 1;\n' }, ['./empty.ts'], 'INVALID_PLUGIN', /plugin module empty\.ts exports no plugin: export one made with definePlugin from @confide\/core \(exports: helper\)/],
    [
      'a plugin-looking export that fails validation',
      { 'half.js': `${good}exports.half = { id: 'me/half', kind: 'router' };\n` },
      ['./half.js'],
      'INVALID_PLUGIN',
      /plugin module half\.js, export "half": key "description"/,
    ],
    [
      'a plugin for another specification',
      { 'future.js': `exports.future = { specificationVersion: 'v9', id: 'me/future', kind: 'router', description: 'x', optionsSchema: require('@confide/core').z.strictObject({}), create: () => ({}) };\n` },
      ['./future.js'],
      'INVALID_PLUGIN',
      /export "future": plugin "me\/future" was written for plugin specification "v9"; this Confide reads v1 and v2/,
    ],
    [
      'a core/ id',
      { 'mine.js': good.replace('me/fine', 'core/threshold') },
      ['./mine.js'],
      'INVALID_PLUGIN',
      /plugin "core\/threshold": the namespace "core\/" is Confide's own/,
    ],
    ['two modules with one id', { 'a.js': good, 'b.js': good }, ['./a.js', './b.js'], 'DUPLICATE_PLUGIN', /plugin id "me\/fine" is registered twice: by a\.js \(export "fine"\) and by b\.js \(export "fine"\)/],
  ])('%s', async (name, files, plugins, code, message) => {
    const experiment = join(folder, 'bad', name.replace(/\W+/g, '-'));
    write({ ...files, 'experiment.json': JSON.stringify({ ...JSON.parse(readFileSync(join(folder, 'my-ablation', 'experiment.json'), 'utf8')), name: 'bad', plugins }) }, experiment);
    const outcome = await confide(['ablate', '--experiment', experiment, '--out', join(experiment, 'report')]);
    expect(outcome.code).toBe(1);
    const lines = outcome.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^confide: error \\[${code}\\]: `));
    expect(lines[0]).toMatch(message);
    expect(readdirSync(experiment).sort()).toEqual([...Object.keys(files), 'experiment.json'].sort());
  }, 60_000);
});
