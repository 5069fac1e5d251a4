import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfideError } from '@confide/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWithRunner, type RunnerGeneration } from './generate-with-runner.js';

// A stand-in for the runner's interpreter (a node script): it reads the generate config the wrapper wrote and answers
// with the lines a test gives it, so the wrapper's handling of the runner's answers is tested without Python.
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'confide-generate-stand-in-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const READY = { type: 'ready', protocolVersion: 1, command: 'generate', runnerVersion: 'test', pid: 1, device: 'cpu', precision: 'fp32', worldSize: 1, versions: {} };
const RESULT = { type: 'result', command: 'generate', status: 'completed', count: 2, outputTokens: 4, durationSeconds: 0 };

function answer(id: string): Record<string, unknown> {
  return {
    type: 'generation', id, text: `answer ${id}`, confidenceToken: null, confidenceProbabilities: { confident: 0.5, uncertain: 0.25 },
    usage: { input: 3, output: 2 }, finishReason: 'stop', latencyMs: 1,
  };
}

/** An interpreter that prints `events` (each a JSON object, or the string "ray" for an error event carrying the config's `ray`). */
async function standIn(name: string, events: (Record<string, unknown> | 'ray')[]): Promise<string> {
  const file = path.join(folder, name);
  const script = `
const fs = require('node:fs');
const config = JSON.parse(fs.readFileSync(process.argv[process.argv.indexOf('--config') + 1], 'utf8'));
for (const event of ${JSON.stringify(events)}) {
  const line = event === 'ray' ? { type: 'error', code: 'RUNNER_FAILED', message: 'ray=' + JSON.stringify(config.ray ?? null) } : event;
  console.log(JSON.stringify(line));
}
process.exit(${JSON.stringify(events)}.includes('ray') ? 1 : 0);
`;
  await writeFile(file, `#!${process.execPath}\n${script}`);
  await chmod(file, 0o755);
  return file;
}

const input = { baseModel: '/m', problems: [{ id: 'a', problem: 'x' }, { id: 'b', problem: 'y' }] };

describe('generateWithRunner: one answer per problem asked', () => {
  it('gives the answers in input order whatever order the runner sends them in', async () => {
    const python = await standIn('in-order', [READY, answer('b'), answer('a'), RESULT]);
    const seen: string[] = [];
    const result = await generateWithRunner(input, { python, onGeneration: (generation) => seen.push(generation.id) });
    expect(seen).toEqual(['b', 'a']);
    expect(result.generations.map((generation: RunnerGeneration) => generation.id)).toEqual(['a', 'b']);
  });

  it.each([
    ['a second answer to a problem', [answer('a'), answer('a'), answer('b')], 'the runner sent a second answer (id "a")'],
    ['an answer to a problem it was not asked', [answer('a'), answer('c'), answer('b')], 'the runner sent an answer to a problem it was not asked (id "c")'],
  ])('refuses %s and stops, after handing out only the first', async (_name, answers, message) => {
    const python = await standIn(`bad-${answers[1]!['id']}`, [READY, ...answers, RESULT]);
    const seen: string[] = [];
    const failure = generateWithRunner(input, { python, source: 'tiny (core/transformers)', onGeneration: (generation) => seen.push(generation.id) });
    await expect(failure).rejects.toThrow(ConfideError);
    await expect(failure).rejects.toThrow(`tiny (core/transformers): ${message}`);
    expect(seen).toEqual(['a']);
  });

  it("writes the ray engine's options, defaults filled, into the runner's config; none without them", async () => {
    const python = await standIn('echo-ray', [READY, 'ray']);
    await expect(generateWithRunner({ ...input, ray: { workers: 3, address: 'auto' } }, { python })).rejects.toThrow(
      'ray={"address":"auto","workers":3,"cpusPerWorker":1,"gpusPerWorker":0,"batchesPerBlock":4,"maxRetries":3,"backend":"transformers","vllm":{"tensorParallelSize":1,"maxLoraRank":8,"topLogprobs":5}}',
    );
    await expect(generateWithRunner(input, { python })).rejects.toThrow('ray=null');
  });
});
