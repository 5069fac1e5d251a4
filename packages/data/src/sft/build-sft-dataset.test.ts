import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONFIDENT_TOKEN,
  definePlugin,
  InvalidConfigError,
  InvalidInputError,
  PLUGIN_SPECIFICATION_VERSION,
  PluginRegistry,
  UNCERTAIN_TOKEN,
  type GenerationRequest,
} from '@confide/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadDataset } from '../datasets/math-datasets.js';
import type { HubProvenance } from '../hub/hub-provenance.js';
import { readParquetRows } from '../hub/parquet-rows.js';
import { readCardMetadata } from '../hub/card-data-files.js';
import {
  annotateAnswer,
  balanceExamples,
  buildSftDataset,
  parseSftDatasetConfig,
  readSftDatasetSummary,
  SFT_PARQUET_FILE,
  SFT_TRAIN_FILE,
  stripConfidenceToken,
  type SftDatasetInput,
} from './build-sft-dataset.js';

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

describe('buildSftDataset', () => {
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
    const stopped = buildSftDataset({
      config: config(),
      registry,
      outFolder: out,
      provenance,
      name: 'r',
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.done >= 10) controller.abort();
      },
    });
    await expect(stopped).rejects.toThrow(/^dataset build stopped after 1\d of 30 answers .*continue with --resume$/);
    const logged = readFileSync(join(out, 'build', 'graded.jsonl'), 'utf8').trim().split('\n').length;
    expect(existsSync(join(out, SFT_TRAIN_FILE))).toBe(false);

    await expect(buildSftDataset({ config: config(), registry, outFolder: out, provenance, name: 'r' })).rejects.toThrow(/holds an unfinished dataset build: pass --resume/);
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

describe('annotation and balancing', () => {
  const problem = { id: 'p', problem: '1+1', answer: '2' };
  const graded = { id: 'p', model: 'm', text: 'so \\boxed{2} <|u_math|>  \n', answer: '2', correct: true, inputTokens: 1, outputTokens: 1, finishReason: 'stop' };

  it.each([
    ['so \\boxed{2} <|c_math|>', 'so \\boxed{2}'],
    ['so \\boxed{2}<|u_math|> <|c_math|>\n', 'so \\boxed{2}'],
    ['no token  ', 'no token'],
    ['<|c_math|> in the middle is kept', '<|c_math|> in the middle is kept'],
  ])('strips a trailing token from %j', (text, expected) => {
    expect(stripConfidenceToken(text)).toBe(expected);
  });

  it('writes <|c_math|> after a correct answer, <|u_math|> after a wrong one', () => {
    expect(annotateAnswer(problem, graded)).toMatchObject({ response: 'so \\boxed{2}', confidenceToken: CONFIDENT_TOKEN, annotatedResponse: 'so \\boxed{2} <|c_math|>' });
    expect(annotateAnswer(problem, { ...graded, correct: false })).toMatchObject({ confidenceToken: UNCERTAIN_TOKEN, annotatedResponse: 'so \\boxed{2} <|u_math|>' });
  });

  it('refuses to balance when a class is empty', () => {
    let error: unknown;
    try {
      balanceExamples([{ correct: false }, { correct: false }], 42, 'tiny.jsonl');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe('tiny.jsonl, field "correct": cannot balance 0 correct and 2 incorrect examples: both classes are needed (set "balance": false)');
  });

  it('keeps all of the smaller class and a sample of the larger', () => {
    const examples = Array.from({ length: 20 }, (_, index) => ({ index, correct: index < 15 }));
    const balanced = balanceExamples(examples, 42);
    expect(balanced).toHaveLength(10);
    expect(balanced.filter((example) => !example.correct).map((example) => example.index).sort((a, b) => a - b)).toEqual([15, 16, 17, 18, 19]);
    expect(new Set(balanced.map((example) => example.index)).size).toBe(10);
  });
});

describe('parseSftDatasetConfig', () => {
  it.each([
    [{ splt: 'x' }, 'cfg.json: key "splt": unknown key'],
    [{ prompt: { user: 'no placeholder' } }, 'cfg.json: key "prompt.user": the user template must contain {problem}'],
    [{ priceTable: 'nope' }, 'cfg.json: key "priceTable": a bundled price table (seed-math500) or a path to a price table .json file'],
  ])('rejects %j naming the key', (change, message) => {
    const input = { split: 'math500', client: { id: 'test/gold-or-not' }, prompt: { user: '{problem}' }, maxOutputTokens: 8, ...change };
    expect(() => parseSftDatasetConfig(input, 'cfg.json')).toThrow(InvalidConfigError);
    expect(() => parseSftDatasetConfig(input, 'cfg.json')).toThrow(message);
  });

  it('grades with core/math unless told otherwise', () => {
    expect(parseSftDatasetConfig({ split: 'math-train-sft', client: { id: 'core/transformers' }, prompt: { user: '{problem}' }, maxOutputTokens: 8 }, 'c')).toMatchObject({
      evaluator: { id: 'core/math', options: {} },
      balance: false,
      seed: 42,
    });
  });
});
