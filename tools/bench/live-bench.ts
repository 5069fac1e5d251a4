/**
 * Live-path benchmark: 500 problems through `runLiveExperiment` (scheduler, budget, stage logs, grading, the
 * delegation engine) against a vLLM-compatible stand-in with 200 ms latency, in a process of its own, at
 * concurrency 32. Prints the wall time as a ratio to the ideal 500 × 0.2 / 32 s (goal ≤ 1.15) and peak memory
 * (goal ≤ 300 MB).
 *
 *   node --conditions=@confide/source --import tsx tools/bench/live-bench.ts [--problems 500] [--concurrency 32] [--latency-ms 200]
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { definePlugin, PLUGIN_SPECIFICATION_VERSION, PluginRegistry } from '@confide/core';
import { LiveExperiment, runLiveExperiment } from '@confide/experiments';
import { vllmModel } from '@confide/inference';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    problems: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '32' },
    'latency-ms': { type: 'string', default: '200' },
  },
});
const problems = Number(values.problems);
const concurrency = Number(values.concurrency);
const latencyMs = Number(values['latency-ms']);
const here = dirname(fileURLToPath(import.meta.url));

// The stand-in runs in a process of its own, so the client's overhead is not hidden by the server's, nor added to it.
const server = spawn(process.execPath, ['--import', 'tsx', join(here, '..', 'stand-ins', 'main.ts'), 'openai', '--latency-ms', String(latencyMs)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  server.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  server.on('exit', (code) => reject(new Error(`stand-in exited ${code}`)));
});

const passEvaluator = definePlugin({
  id: 'bench/boxed',
  kind: 'evaluator',
  description: 'reads the last \\boxed{}',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    async grade({ gold, response }) {
      const answer = [...response.matchAll(/\\boxed\{([^}]*)\}/g)].at(-1)?.[1] ?? null;
      return { correct: answer === gold, evaluator: 'bench/boxed', answer };
    },
    async close() {
      // nothing to release
    },
  }),
});
const keepSmall = definePlugin({
  id: 'bench/keep-small',
  kind: 'router',
  description: 'every problem stays with the small model: one request per problem',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities: { decides: 'after-first-answer', reads: ['small'] },
    async decide() {
      return { router: 'bench/keep-small', model: 'small', reason: 'benchmark' };
    },
  }),
});
const registry = new PluginRegistry().register(vllmModel).register(passEvaluator).register(keepSmall);
const slot = {
  client: { id: 'core/vllm', options: { model: 'qwen2.5-math-1.5b-instruct-lora-confidence', servedModel: 'bench', baseUrl: `${url}/v1` } },
  prompt: { user: 'Solve: {problem}' },
  maxOutputTokens: 1024,
  temperature: 0,
  concurrency,
};
const experiment = LiveExperiment.parse({
  kind: 'live',
  name: 'live-bench',
  title: 'live-path benchmark',
  dataset: 'synthetic',
  priceTable: 'seed-math500',
  small: slot,
  large: slot,
  router: { id: 'bench/keep-small' },
  evaluator: { id: 'bench/boxed' },
  concurrency,
});
/** The floor on this machine now: the same 500 requests with a bare keep-alive HTTP client and nothing else. */
async function bareHttpSeconds(): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const endpoint = new URL(`${url}/v1/chat/completions`);
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const outgoing = request(endpoint, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (JSON.parse(Buffer.concat(chunks).toString('utf8')), resolve()));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  let next = 0;
  const begun = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < problems) {
        const index = next++;
        await post(JSON.stringify({ model: 'bare', messages: [{ role: 'user', content: `Solve: What is ${index} modulo 10? (bare)` }], max_tokens: 1024, logprobs: true, top_logprobs: 5 }));
      }
    }),
  );
  agent.destroy();
  return (performance.now() - begun) / 1000;
}

const folder = mkdtempSync(join(tmpdir(), 'live-bench-'));
const bareSeconds = await bareHttpSeconds();
let firstLineAt = 0;
let lastProgressAt = 0;
const started = performance.now();
const result = await runLiveExperiment({
  experiment,
  registry,
  outFolder: join(folder, 'run'),
  cachePath: join(folder, 'cache.sqlite'),
  write: (text) => {
    if (firstLineAt === 0) firstLineAt = performance.now();
    if (text.startsWith(`run: ${problems}/${problems}`)) lastProgressAt = performance.now();
  },
  problems: Array.from({ length: problems }, (_, index) => ({ id: `bench/${index}`, problem: `What is ${index} modulo 10?`, answer: String(index % 10) })),
});
const wallSeconds = (performance.now() - started) / 1000;
server.kill('SIGTERM');
rmSync(folder, { recursive: true, force: true });
const ideal = (problems * (latencyMs / 1000)) / concurrency;
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(`live-bench: ${problems} problems, concurrency ${concurrency}, stand-in latency ${latencyMs} ms, ${result.status}`);
console.log(`wall time ${wallSeconds.toFixed(3)} s; ideal ${ideal.toFixed(3)} s; ratio ${(wallSeconds / ideal).toFixed(3)} (goal <= 1.15)`);
console.log(`peak memory (max RSS) ${peakMb.toFixed(1)} MB (goal <= 300 MB)`);
console.log(
  `phases: setup ${((firstLineAt - started) / 1000).toFixed(3)} s, requests ${((lastProgressAt - firstLineAt) / 1000).toFixed(3)} s, ` +
    `records and report ${((performance.now() - lastProgressAt) / 1000 - 0).toFixed(3)} s; ` +
    `a bare keep-alive HTTP client on this machine now: ${bareSeconds.toFixed(3)} s (ratio ${(bareSeconds / ideal).toFixed(3)})`,
);
