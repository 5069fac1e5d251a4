import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PriceTable, RunRecord } from '@confide/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRunDirectory, writeRunDirectory, readRunProblems } from '../recorded-runs/run-directory.js';
import { importPeerLog, type ImportedPeerLog } from './import-peer-log.js';
import { detectPeerLogFormat } from './peer-log-registry.js';
import { resolveImportPrices } from './peer-prices.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/peer-logs/', import.meta.url));
const EVAL_LOG = join(FIXTURES, 'inspect-ai/arithmetic.eval');
const JSON_LOG = join(FIXTURES, 'inspect-ai/arithmetic.json');
const LM_EVAL = join(FIXTURES, 'lm-eval/out');
const LM_EVAL_GSM = join(LM_EVAL, 'meta-llama__Llama-3.2-1B/samples_gsm8k_2025-01-02T03-04-05.678901.jsonl');
const ARENA = join(FIXTURES, 'router-arena/cached_results/gpt-4o-mini.jsonl');
const ARENA_PRICES = join(FIXTURES, 'router-arena/model_cost.json');

const PRICES: PriceTable = {
  id: 'test-prices',
  version: '2025-01-01',
  currency: 'USD',
  source: 'test',
  thinkingBilledAs: 'output',
  models: { 'openai/gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 }, 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
};

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'peer-log-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** Writes every run of an import and reads each back: what a user gets. */
function written(imported: ImportedPeerLog): Map<string, { records: RunRecord[]; questions: string[]; slices: Array<string | undefined>; priceTable: string }> {
  const runs = new Map<string, { records: RunRecord[]; questions: string[]; slices: Array<string | undefined>; priceTable: string }>();
  try {
    for (const run of imported.runs) {
      const runFolder = join(folder, run.label);
      writeRunDirectory(runFolder, { manifest: run.manifest, records: run.records, problems: run.problems });
      const read = readRunDirectory(runFolder);
      const problems = readRunProblems(read)!;
      runs.set(run.label, { records: read.records, questions: problems.map((problem) => problem.problem), slices: problems.map((problem) => problem.slice), priceTable: 'models' in read.manifest.priceTable ? read.manifest.priceTable.id : '' });
    }
  } finally {
    imported.discard();
  }
  return runs;
}

function withFile(name: string, text: string | Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

describe('format detection', () => {
  it.each([
    [EVAL_LOG, 'inspect-ai'],
    [JSON_LOG, 'inspect-ai'],
    [LM_EVAL, 'lm-eval'],
    [LM_EVAL_GSM, 'lm-eval'],
    [ARENA, 'router-arena'],
    [ARENA_PRICES, undefined],
  ])('%s is %s', async (path, name) => {
    expect((await detectPeerLogFormat(path))?.name).toBe(name);
  });
});

describe('inspect_ai', () => {
  it('reads a .eval zip a sample entry at a time: one run per epoch, problems from the log, tokens priced', async () => {
    const imported = await importPeerLog({ path: EVAL_LOG, prices: PRICES, spoolFolder: folder });
    expect(imported.runs.map((run) => [run.label, run.counts.records, run.counts.correct, run.cost.known])).toEqual([
      ['openai-gpt-4o-mini', 4, 3, true],
      ['openai-gpt-4o-mini-epoch2', 4, 3, true],
    ]);
    const runs = written(imported);
    const first = runs.get('openai-gpt-4o-mini')!;
    expect(first.slices).toEqual(['arithmetic', 'arithmetic', 'arithmetic', 'arithmetic']);
    expect(first.questions).toEqual(['What is 7 * 8?', 'What is 12 + 30?', 'What is 9 - 13?', 'What is 2 ** 10?']);
    expect(first.priceTable).toBe('test-prices');
    const record = first.records[0]!;
    expect(record.problemId).toBe('1');
    expect(record.slice).toBe('arithmetic');
    expect(record.gold).toBe('56');
    expect(record.generation).toMatchObject({ model: 'openai/gpt-4o-mini', text: 'ANSWER: 56', answer: '56', usage: { input: 21, output: 9, thinking: 0 }, finishReason: 'stop', latencyMs: 600 });
    expect(record.grade).toMatchObject({ correct: true, score: 1, evaluator: 'recorded' });
    expect(first.records[2]!.grade).toMatchObject({ correct: false, score: 0 });
  });

  it('--epochs mean keeps the mean score (continuous), --epochs first the first epoch', async () => {
    const mean = written(await importPeerLog({ path: EVAL_LOG, prices: PRICES, spoolFolder: folder, epochs: 'mean' }));
    expect([...mean.keys()]).toEqual(['openai-gpt-4o-mini']);
    expect(mean.get('openai-gpt-4o-mini')!.records.map((record) => record.grade.score)).toEqual([1, 0.5, 0.5, 1]);
    const first = await importPeerLog({ path: EVAL_LOG, prices: PRICES, spoolFolder: folder, epochs: 'first' });
    expect(first.runs.map((run) => [run.label, run.counts.correct])).toEqual([['openai-gpt-4o-mini', 3]]);
    first.discard();
  });

  it('reads the .json log the same way', async () => {
    const runs = written(await importPeerLog({ path: JSON_LOG, prices: PRICES, spoolFolder: folder, epochs: 'first' }));
    expect(runs.get('openai-gpt-4o-mini')!.records.map((record) => record.grade.correct)).toEqual([true, true, false, true]);
  });

  it('a truncated .eval zip fails naming the file; nothing is spooled behind', async () => {
    const bytes = readFileSync(EVAL_LOG);
    const cut = withFile('cut.eval', bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    await expect(importPeerLog({ path: cut, format: 'inspect-ai', prices: PRICES, spoolFolder: folder })).rejects.toThrow(/cut\.eval: not a readable zip archive, or cut short/);
  });

  it('a sample without an id names the zip entry and the field', async () => {
    const log = JSON.parse(readFileSync(JSON_LOG, 'utf8'));
    delete log.samples[2].id;
    const path = withFile('no-id.json', JSON.stringify(log));
    await expect(importPeerLog({ path, prices: PRICES, spoolFolder: folder })).rejects.toThrow(/no-id\.json, samples\[2\], field "id": the sample has no id/);
  });

  it('a model missing from the price table is named, with the --model-map that fixes it', async () => {
    const prices = { ...PRICES, models: { 'gpt-4o-mini': PRICES.models['gpt-4o-mini']! } };
    await expect(importPeerLog({ path: EVAL_LOG, prices, spoolFolder: folder })).rejects.toThrow(/arithmetic\.eval: model "openai\/gpt-4o-mini" has no price in test-prices@2025-01-01 .*--model-map openai\/gpt-4o-mini=</);
    const mapped = await importPeerLog({ path: EVAL_LOG, prices, spoolFolder: folder, modelMap: { 'openai/gpt-4o-mini': 'gpt-4o-mini' }, epochs: 'first' });
    expect(mapped.runs.map((run) => [run.label, run.logModel, run.cost.known])).toEqual([['gpt-4o-mini', 'openai/gpt-4o-mini', true]]);
    mapped.discard();
  });
});

describe('lm-evaluation-harness', () => {
  it('reads a whole output folder: the model from results_<time>.json, tasks as slices, one filter, cost unknown', async () => {
    const imported = await importPeerLog({ path: LM_EVAL, prices: PRICES, spoolFolder: folder });
    expect(imported.runs.map((run) => [run.label, run.counts.records, run.counts.correct, run.cost.known])).toEqual([['meta-llama-llama-3.2-1b', 5, 3, false]]);
    expect(imported.runs[0]!.cost.reason).toBe('the log records no token counts, nor a cost');
    expect(imported.summary.leftOut.get('lines of another filter than "strict-match"')).toBe(3);
    const run = written(imported).get('meta-llama-llama-3.2-1b')!;
    expect(run.records.map((record) => [record.problemId, record.slice, record.grade.score])).toEqual([
      ['arc_easy/0', 'arc_easy', 1],
      ['arc_easy/1', 'arc_easy', 0],
      ['gsm8k/0', 'gsm8k', 1],
      ['gsm8k/1', 'gsm8k', 1],
      ['gsm8k/2', 'gsm8k', 0],
    ]);
    expect(run.questions[2]).toBe('Tom has 3 apples and buys 4 more. How many apples does he have?');
    // a cost-unknown run carries a price table without its model, and records that say their token counts are unknown:
    // a cost asked of it fails, naming why (never $0)
    expect(run.priceTable).toBe('cost-unknown');
    expect(run.records.every((record) => record.generation.usageUnknown === true && record.generation.recordedCostUsd === undefined)).toBe(true);
  });

  it('a line that is not JSON names the file and the line', async () => {
    const sub = join(folder, 'out');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    const name = 'samples_gsm8k_2025-01-02T03-04-05.678901.jsonl';
    const lines = readFileSync(LM_EVAL_GSM, 'utf8').split('\n');
    lines[3] = '{"doc_id": 1, "doc": ';
    writeFileSync(join(sub, name), lines.join('\n'));
    copyFileSync(join(LM_EVAL, 'meta-llama__Llama-3.2-1B/results_2025-01-02T03-04-05.678901.json'), join(sub, 'results_2025-01-02T03-04-05.678901.json'));
    await expect(importPeerLog({ path: sub, prices: PRICES, spoolFolder: folder })).rejects.toThrow(new RegExp(`${name}, line 4: not JSON`));
  });

  it('duplicate ids (one filter twice) are refused naming both lines', async () => {
    const lines = readFileSync(LM_EVAL_GSM, 'utf8').split('\n');
    const path = withFile('samples_gsm8k_2025-01-02T03-04-05.678901.jsonl', [lines[0], lines[2], lines[0]].join('\n'));
    await expect(importPeerLog({ path, prices: PRICES, spoolFolder: folder, read: { model: 'm' } })).rejects.toThrow(/line 3, field "id": sample "gsm8k\/0" appears twice for m \(also line 1\)/);
  });
});

describe('RouterArena cached_results', () => {
  it('reads Python literals inside strings and objects alike; failed and ungraded lines are counted, not imported', async () => {
    const prices = resolveImportPrices(ARENA_PRICES).table;
    const imported = await importPeerLog({ path: ARENA, prices, spoolFolder: folder });
    const [run] = imported.runs;
    expect([run!.label, run!.counts.records, run!.counts.correct, run!.cost.known]).toEqual(['gpt-4o-mini', 4, 3, true]);
    expect(run!.cost.recordedUsd).toBeCloseTo(1.635e-5, 12);
    expect(Object.fromEntries(imported.summary.leftOut)).toEqual({ 'inference failed (success: false)': 1 });
    const records = written(imported).get('gpt-4o-mini')!.records;
    expect(records.map((record) => [record.problemId, record.slice, record.gold, record.generation.answer, record.grade.score, record.generation.usage.input])).toEqual([
      ['GSM8K_0', 'GSM8K', '7', '7', 1, 41],
      ['GSM8K_1', 'GSM8K', '36', '36', 1, 38],
      ['MMLUPro_7', 'MMLUPro', 'B', 'A', 0, 30],
      ['ArenaHard_4', 'ArenaHard', null, null, 0.75, 25],
    ]);
  });

  it('a Python literal that will not parse names the line and the field', async () => {
    const lines = readFileSync(ARENA, 'utf8').split('\n');
    lines[2] = lines[2]!.replace("'score': 0.0,", "'score': float('0'),");
    const path = withFile('bad-literal.jsonl', lines.join('\n'));
    await expect(importPeerLog({ path, format: 'router-arena', prices: resolveImportPrices(ARENA_PRICES).table, spoolFolder: folder, read: { model: 'gpt-4o-mini' } })).rejects.toThrow(
      /bad-literal\.jsonl, line 3, field "evaluation_result": not a Python literal at character \d+: "float" is a name/,
    );
  });

  it('a price finer than the cost unit is refused naming the model', async () => {
    await expect(importPeerLog({ path: ARENA, prices: resolveImportPrices(ARENA_PRICES).table, spoolFolder: folder, modelMap: { 'gpt-4o-mini': 'cheap-model' } })).rejects.toThrow(
      /model "cheap-model" costs \$0\.0375 per million input tokens, finer than Confide's cost unit .* round to \$0\.04; refused/,
    );
  });
});
