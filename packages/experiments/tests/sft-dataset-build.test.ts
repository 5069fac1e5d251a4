import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIDENT_TOKEN, definePlugin, PLUGIN_SPECIFICATION_VERSION, PluginRegistry, UNCERTAIN_TOKEN, type GenerationRequest } from '@confide/core';
import {
  loadDataset,
  parseSftDatasetConfig,
  readCardMetadata,
  readParquetRows,
  readRunDirectory,
  readSftDatasetSummary,
  SFT_PARQUET_FILE,
  SFT_TRAIN_FILE,
  type HubProvenance,
  type SftDatasetInput,
} from '@confide/data';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runDatasetBuild, type DatasetBuildOptions } from '../src/dataset/run-dataset-build.js';

/** Step 1 with in-process test plugins: the build's whole outcome (completes, or stops with a reason). */
async function buildSftDataset(options: Omit<DatasetBuildOptions, 'cachePath'>) {
  const outcome = await runDatasetBuild({ ...options, cachePath: null });
  if (outcome.status !== 'complete') throw new Error(outcome.message);
  return outcome.summary;
}

/** A deterministic test model: right (the gold answer boxed) for problems whose id has an even character sum. */
function rightFor(id: string): boolean {
  return [...id].reduce((sum, character) => sum + character.charCodeAt(0), 0) % 2 === 0;
}

const asked: string[] = [];
const testModel = definePlugin({
  id: 'test/gold-or-not',
  kind: 'model',
  description: 'answers with the gold answer boxed for some problems and a wrong one for the rest',
  optionsSchema: z.strictObject({ writesToken: z.boolean().default(false) }),
  create: (options) => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    model: 'test-model',
    async generate(request: GenerationRequest) {
      asked.push(request.problem.id);
      await new Promise((resolve) => setTimeout(resolve, 1));
      const answer = rightFor(request.problem.id) ? request.problem.answer : 'wrong';
      const text = `${request.messages.at(-1)!.content.length} chars read. The answer is \\boxed{${answer}}.${options.writesToken ? ` ${CONFIDENT_TOKEN}` : ''}`;
      return { model: 'test-model', text, answer: null, confidenceToken: null, usage: { input: 10, output: 5, thinking: 2 }, latencyMs: 1, finishReason: 'stop' };
    },
  }),
});

const exactEvaluator = definePlugin({
  id: 'test/exact',
  kind: 'evaluator',
  description: 'the boxed answer equals the gold text',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    async grade(input: { gold: string; response: string }) {
      const answer = /\\boxed\{(.*)\}/.exec(input.response)?.[1] ?? null;
      return { correct: answer === input.gold, evaluator: 'test/exact', answer };
    },
    close: () => Promise.resolve(),
  }),
});

const registry = new PluginRegistry().register(testModel).register(exactEvaluator);
const provenance: HubProvenance = { builtBy: 'confide test', gitCommit: null, gitDirty: null, createdAt: '2025-01-01T00:00:00.000Z', sources: ['bundled:math500'] };

function config(overrides: Partial<SftDatasetInput> = {}) {
  return parseSftDatasetConfig(
    {
      split: 'math500',
      limit: 30,
      client: { id: 'test/gold-or-not' },
      prompt: { system: 'Reason.', user: 'Problem: {problem}' },
      maxOutputTokens: 64,
      evaluator: { id: 'test/exact' },
      concurrency: 4,
      ...overrides,
    },
    'test config',
  );
}

function folder(): string {
  return join(mkdtempSync(join(tmpdir(), 'sft-build-')), 'dataset');
}

function readRows(outFolder: string): Record<string, unknown>[] {
  return readFileSync(join(outFolder, SFT_TRAIN_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a dataset build (step 1)', () => {
  const problems = loadDataset('math500').slice(0, 30);
  const expectedCorrect = problems.filter((problem) => rightFor(problem.id)).length;

  it('answers, grades and annotates every problem: JSON Lines for the runner, the same rows as Parquet, a dataset card', async () => {
    const out = folder();
    const summary = await buildSftDataset({ config: config({ client: { id: 'test/gold-or-not', options: { writesToken: true } } }), registry, outFolder: out, provenance, name: 'test-sft' });
    expect(expectedCorrect).toBeGreaterThan(5);
    expect(expectedCorrect).toBeLessThan(25);
    expect(summary).toMatchObject({
      split: 'math500',
      model: 'test-model',
      evaluator: 'test/exact',
      problems: 30,
      correct: expectedCorrect,
      incorrect: 30 - expectedCorrect,
      rows: 30,
      balanced: false,
      tokens: { confident: expectedCorrect, uncertain: 30 - expectedCorrect },
      usage: { input: 300, output: 210 },
    });
    const rows = readRows(out);
    expect(rows.map((row) => row['id'])).toEqual(problems.map((problem) => problem.id));
    rows.forEach((row, index) => {
      const problem = problems[index]!;
      const token = rightFor(problem.id) ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN;
      expect(row).toMatchObject({ problem: problem.problem, correct: rightFor(problem.id), confidenceToken: token, gold: problem.answer });
      // the model's own trailing token is dropped: the runner writes the marker for `correct`
      expect(row['response']).toBe(`${`Problem: ${problem.problem}`.length} chars read. The answer is \\boxed{${rightFor(problem.id) ? problem.answer : 'wrong'}}.`);
      expect(row['annotatedResponse']).toBe(`${row['response']} ${token}`);
    });
    const parquet = await readParquetRows(new Uint8Array(readFileSync(join(out, SFT_PARQUET_FILE))), SFT_PARQUET_FILE);
    expect(parquet).toEqual(rows);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readCardMetadata(card)).toMatchObject({ pretty_name: 'test-sft', dataset_info: { splits: [{ name: 'train', num_examples: 30 }] } });
    expect(card).toContain(`test-model answered 30 problems of \`math500\`, test/exact graded them (${expectedCorrect} correct, ${30 - expectedCorrect} incorrect)`);
    expect(card).toContain(summary.files.find((file) => file.path === SFT_PARQUET_FILE)!.sha256);
    expect(readSftDatasetSummary(out)).toEqual(summary);
    // the graded answers are a run of their own, carrying its problems and prices
    const run = readRunDirectory(join(out, 'run'));
    expect(run.records.map((record) => record.grade.correct)).toEqual(problems.map((problem) => rightFor(problem.id)));
    expect(run.manifest.problems?.count).toBe(30);
  });

  it('balances to equal correct and incorrect examples, the same for the same seed', async () => {
    const firstOut = folder();
    const first = await buildSftDataset({ config: config({ balance: true, seed: 7 }), registry, outFolder: firstOut, provenance, name: 'b' });
    const smaller = Math.min(expectedCorrect, 30 - expectedCorrect);
    expect(first).toMatchObject({ rows: 2 * smaller, tokens: { confident: smaller, uncertain: smaller }, correct: expectedCorrect });
    const again = folder();
    await buildSftDataset({ config: config({ balance: true, seed: 7 }), registry, outFolder: again, provenance, name: 'b' });
    const other = folder();
    await buildSftDataset({ config: config({ balance: true, seed: 8 }), registry, outFolder: other, provenance, name: 'b' });
    const ids = (out: string) => readRows(out).map((row) => row['id']);
    expect(ids(again)).toEqual(ids(firstOut));
    expect(new Set(ids(again)).size).toBe(2 * smaller);
    expect(ids(other)).not.toEqual(ids(again));
  });

  it('resumes an interrupted build without asking again for answers already logged', async () => {
    const out = folder();
    const controller = new AbortController();
    asked.length = 0;
    const stopped = await runDatasetBuild({
      config: config(),
      registry,
      outFolder: out,
      provenance,
      name: 'r',
      cachePath: null,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.done >= 10) controller.abort();
      },
    });
    expect(stopped).toMatchObject({ status: 'stopped', reason: 'cancelled' });
    if (stopped.status === 'stopped') expect(stopped.message).toMatch(/^stopped: cancelled\. 1\d of 30 graded answers are logged in .*answers\.jsonl.*Continue with --resume\.$/);
    const logged = readFileSync(join(out, 'build', 'answers.jsonl'), 'utf8').trim().split('\n').length;
    expect(existsSync(join(out, SFT_TRAIN_FILE))).toBe(false);

    await expect(buildSftDataset({ config: config(), registry, outFolder: out, provenance, name: 'r' })).rejects.toThrow(/holds an unfinished dataset build: pass --resume to continue it, --force to start over/);
    await expect(buildSftDataset({ config: config({ seed: 1 }), registry, outFolder: out, provenance, name: 'r', resume: true })).rejects.toThrow(/started with another config/);

    asked.length = 0;
    const progress: number[] = [];
    const summary = await buildSftDataset({ config: config(), registry, outFolder: out, provenance, name: 'r', resume: true, onProgress: (update) => progress.push(update.resumed) });
    expect(asked).toHaveLength(30 - logged);
    expect(progress[0]).toBe(logged);
    expect(summary.rows).toBe(30);
    const fresh = folder();
    await buildSftDataset({ config: config(), registry, outFolder: fresh, provenance, name: 'r' });
    expect(readRows(out)).toEqual(readRows(fresh));
  });
});


describe('a dataset build that fails before its first answer', () => {
  it('leaves no folder behind (its config in build/ included), so a rerun fails the same way instead of asking for --resume', async () => {
    const out = folder();
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(buildSftDataset({ config: config({ client: { id: 'test/no-such-model' } }), registry, outFolder: out, provenance, name: 'f' })).rejects.toThrow(/test\/no-such-model/);
      expect(existsSync(out)).toBe(false);
    }
  });
});
