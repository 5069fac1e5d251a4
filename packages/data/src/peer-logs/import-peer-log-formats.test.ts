import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PriceTable, RunRecord } from '@confide/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRunDirectory, readRunProblems, writeRunDirectory } from '../recorded-runs/run-directory.js';
import { importPeerLog, type ImportedPeerLog, type PeerLogImportOptions } from './import-peer-log.js';
import { detectPeerLogFormat } from './peer-log-registry.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/peer-logs/', import.meta.url));
const OAIEVAL = join(FIXTURES, 'openai-evals/arithmetic.jsonl');
const OAIEVAL_GRADED = join(FIXTURES, 'openai-evals/modelgraded.jsonl');
const PROMPTFOO = join(FIXTURES, 'promptfoo/results.json');
const ORB = join(FIXTURES, 'openrouterbench/bench');
const ORB_FILE = join(ORB, 'gsm8k/test/gpt-5-chat/20250102_030405.json');
const ROUTERBENCH_CSV = join(FIXTURES, 'routerbench/routerbench-0shot.csv');
const ROUTERBENCH_JSONL = join(FIXTURES, 'routerbench/routerbench-0shot.jsonl');

const PRICES: PriceTable = {
  id: 'test-prices',
  version: '2025-01-01',
  currency: 'USD',
  source: 'test',
  thinkingBilledAs: 'output',
  models: {
    'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    'o3-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
    'gpt-5-chat': { inputPerMillion: 1.25, outputPerMillion: 10 },
  },
};

let folder: string;
let spool: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'peer-log-formats-'));
  spool = join(folder, 'spool');
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** Writes every run of an import and reads each back: what a user gets. */
function written(imported: ImportedPeerLog): Map<string, { records: RunRecord[]; questions: string[] }> {
  const runs = new Map<string, { records: RunRecord[]; questions: string[] }>();
  try {
    for (const run of imported.runs) {
      const runFolder = join(folder, 'out', run.label);
      writeRunDirectory(runFolder, { manifest: run.manifest, records: run.records, problems: run.problems });
      const read = readRunDirectory(runFolder);
      runs.set(run.label, { records: read.records, questions: readRunProblems(read)!.map((problem) => problem.problem) });
    }
  } finally {
    imported.discard();
  }
  return runs;
}

function withFile(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function importing(path: string, options: Partial<PeerLogImportOptions> = {}): Promise<ImportedPeerLog> {
  return importPeerLog({ path, prices: PRICES, spoolFolder: spool, ...options });
}

/** A bad log fails with one coded line, and no record is left behind in the spool. */
async function refused(path: string, message: RegExp, options: Partial<PeerLogImportOptions> = {}): Promise<void> {
  await expect(importing(path, options)).rejects.toThrow(message);
  await expect(importing(path, options)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  expect(existsSync(spool) ? readdirSync(spool) : []).toEqual([]);
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n');
}

describe('format detection (the formats added beside inspect_ai, lm-eval and RouterArena)', () => {
  it.each([
    [OAIEVAL, 'openai-evals'],
    [OAIEVAL_GRADED, 'openai-evals'],
    [PROMPTFOO, 'promptfoo'],
    [ORB, 'openrouterbench'],
    [ORB_FILE, 'openrouterbench'],
    [ROUTERBENCH_CSV, 'routerbench-wide'],
    [ROUTERBENCH_JSONL, 'routerbench-wide'],
    [join(FIXTURES, 'router-arena/model_cost.json'), undefined],
  ])('%s is %s', async (path, name) => {
    expect((await detectPeerLogFormat(path))?.name).toBe(name);
  });
});

describe('OpenAI evals (oaieval record JSONL)', () => {
  it('gathers each sample_id’s sampling and match events, wherever they are in the file; the spec names the model', async () => {
    const imported = await importing(OAIEVAL);
    expect(imported.runs.map((run) => [run.label, run.counts.records, run.counts.correct, run.cost.known])).toEqual([['gpt-4o-mini', 3, 2, true]]);
    expect(Object.fromEntries(imported.summary.leftOut)).toEqual({ 'ended in an error event, not graded': 1 });
    expect(imported.summary.fields).toContain('final_report');
    const run = written(imported).get('gpt-4o-mini')!;
    expect(run.questions).toEqual(['What is 7 * 8?', 'What is 12 + 30?', 'What is 9 - 13?']);
    expect(run.records.map((record) => [record.problemId, record.slice, record.gold, record.generation.answer, record.grade.score, record.grade.correct])).toEqual([
      ['arithmetic.dev.0', 'arithmetic', '56', '56', 1, true],
      ['arithmetic.dev.1', 'arithmetic', '42 | 42.0', '42', 1, true],
      ['arithmetic.dev.2', 'arithmetic', '-4', null, 0, false],
    ]);
    expect(run.records[0]!.generation).toMatchObject({ model: 'gpt-4o-mini', text: '56', usage: { input: 24, output: 2, thinking: 0 } });
  });

  it('a model-graded eval: the score from its metrics event, the answer from the first sampling (not the grader’s)', async () => {
    const run = written(await importing(OAIEVAL_GRADED)).get('gpt-4o-mini')!;
    expect(run.records.map((record) => [record.problemId, record.slice, record.generation.text, record.grade.score, record.generation.usage.input])).toEqual([
      ['closedqa-correct.dev.0', 'closedqa-correct', 'Mars.', 1, 16],
      ['closedqa-correct.dev.1', 'closedqa-correct', '90 degrees.', 0, 19],
    ]);
  });

  it('a line that is not JSON names the file and the line; nothing is written', async () => {
    const text = lines(OAIEVAL);
    text[4] = text[4]!.slice(0, 40);
    await refused(withFile('cut.jsonl', text.join('\n')), /cut\.jsonl, line 5: not JSON/, { format: 'openai-evals' });
  });

  it('an event without a sample_id, a second match for one sample, a match without its verdict: each named', async () => {
    const event = (line: number, edit: (value: Record<string, unknown>) => void): string[] => {
      const text = lines(OAIEVAL);
      const value = JSON.parse(text[line - 1]!) as Record<string, unknown>;
      edit(value);
      text[line - 1] = JSON.stringify(value);
      return text;
    };
    await refused(withFile('no-id.jsonl', event(4, (value) => delete value['sample_id']).join('\n')), /no-id\.jsonl, line 4, field "sample_id": the sample has no id/);
    const twice = lines(OAIEVAL);
    twice.splice(9, 0, JSON.stringify({ ...JSON.parse(twice[4]!), event_id: 7 }));
    await refused(withFile('twice.jsonl', twice.join('\n')), /twice\.jsonl, line 10, field "sample_id": sample "arithmetic\.dev\.0" has a second match event \(also line 5\)/);
    await refused(withFile('no-verdict.jsonl', event(5, (value) => delete (value['data'] as Record<string, unknown>)['correct']).join('\n')), /no-verdict\.jsonl, line 5, field "data\.correct": expected true or false, got undefined/);
    await refused(withFile('no-type.jsonl', event(6, (value) => delete value['type']).join('\n')), /no-type\.jsonl, line 6, field "type"/);
  });

  it('a record without its spec line needs --model', async () => {
    const path = withFile('headless.jsonl', lines(OAIEVAL).slice(1).join('\n'));
    await refused(path, /headless\.jsonl, field "spec\.completion_fns": the record has no spec line to name the model \(or give --model\)/, { format: 'openai-evals' });
    const named = await importing(path, { format: 'openai-evals', read: { model: 'gpt-4o-mini' } });
    expect(named.runs.map((run) => [run.label, run.counts.records])).toEqual([['gpt-4o-mini', 3]]);
    named.discard();
  });
});

describe('promptfoo (results JSON, version 3)', () => {
  it('one run per provider: score and verdict as recorded, token usage with reasoning, cost, latency, gold from the assertion', async () => {
    const imported = await importing(PROMPTFOO, { modelMap: { 'openai:o3-mini': 'o3-mini' } });
    expect(imported.runs.map((run) => [run.label, run.logModel, run.counts.records, run.counts.correct, run.cost.known])).toEqual([
      ['gpt-4o-mini', 'gpt-4o-mini', 3, 3, true],
      ['o3-mini', 'openai:o3-mini', 2, 1, true],
    ]);
    expect(imported.runs[0]!.cost.recordedUsd).toBeCloseTo(2.1e-5, 12);
    expect(Object.fromEntries(imported.summary.leftOut)).toEqual({ 'the provider returned an error (failureReason 2)': 1 });
    const runs = written(imported);
    const mini = runs.get('gpt-4o-mini')!;
    expect(mini.questions).toEqual(['Answer briefly: What is 7 * 8?', 'Answer briefly: What is the capital of France?', 'Answer briefly: Write a haiku about rain.']);
    expect(mini.records.map((record) => [record.problemId, record.gold, record.grade.score, record.grade.correct])).toEqual([
      ['0', '56', 1, true],
      ['1', 'Paris', 0.75, true],
      ['2', null, 1, true],
    ]);
    expect(mini.records[0]!.generation).toMatchObject({ model: 'gpt-4o-mini', text: '56', usage: { input: 14, output: 1, thinking: 0 }, latencyMs: 412, finishReason: 'stop' });
    expect(runs.get('o3-mini')!.records[0]!.generation.usage).toEqual({ input: 14, output: 2, thinking: 128 });
    expect(runs.get('o3-mini')!.records[0]!.grade).toMatchObject({ correct: false, score: 0 });
  });

  it('--scorer reads a named score, naming the result that lacks it', async () => {
    await refused(PROMPTFOO, /results\.json, results\.results\[0\], field "namedScores\.rubric": no named score "rubric"/, { read: { scorer: 'rubric' }, modelMap: { 'openai:o3-mini': 'o3-mini' } });
  });

  it('a file that is not JSON, an old results version: named', async () => {
    await refused(withFile('cut.json', readFileSync(PROMPTFOO, 'utf8').slice(0, 900)), /cut\.json, the results file: not JSON/, { format: 'promptfoo' });
    const old = JSON.parse(readFileSync(PROMPTFOO, 'utf8'));
    old.results.version = 2;
    await refused(withFile('v2.json', JSON.stringify(old)), /v2\.json, field "results\.version": expected promptfoo's results version 3, got 2/);
  });

  it('a result without a testIdx, a provider, or one test twice: each named', async () => {
    const edited = (name: string, edit: (results: Record<string, unknown>[]) => void): string => {
      const file = JSON.parse(readFileSync(PROMPTFOO, 'utf8'));
      edit(file.results.results);
      return withFile(name, JSON.stringify(file, null, 2));
    };
    await refused(edited('no-id.json', (results) => delete results[2]!['testIdx']), /no-id\.json, results\.results\[2\], field "testIdx": the sample has no id/);
    await refused(edited('no-provider.json', (results) => delete results[1]!['provider']), /no-provider\.json, results\.results\[1\], field "provider"/);
    await refused(
      edited('twice.json', (results) => results.push(results[0]!)),
      /twice\.json, results\.results\[6\], field "id": sample "0" appears twice for gpt-4o-mini \(also results\.results\[0\]\)/,
      { modelMap: { 'openai:o3-mini': 'o3-mini' } },
    );
  });
});

describe('OpenRouterBench (result JSON)', () => {
  it('a result file: the model from model_name, ids <dataset>/<split>/<index>, the dataset as slice, tokens and cost', async () => {
    const imported = await importing(ORB_FILE);
    expect(imported.runs.map((run) => [run.label, run.counts.records, run.counts.correct, run.cost.known])).toEqual([['gpt-5-chat', 3, 3, true]]);
    expect(imported.runs[0]!.cost.recordedUsd).toBeCloseTo(0.000513, 10);
    const run = written(imported).get('gpt-5-chat')!;
    expect(run.questions[1]).toBe('A box holds 12 eggs. How many eggs are in 3 boxes?');
    expect(run.records.map((record) => [record.problemId, record.slice, record.gold, record.generation.answer, record.grade.score])).toEqual([
      ['gsm8k/test/0', 'gsm8k', '7', '7', 1],
      ['gsm8k/test/1', 'gsm8k', '36', '36', 1],
      ['gsm8k/test/2', 'gsm8k', '105', '105', 1],
    ]);
    expect(run.records[0]!.generation).toMatchObject({ text: '3 + 4 = 7, so \\boxed{7}', usage: { input: 38, output: 12, thinking: 0 } });
  });

  it('the results/bench folder: one run per model, the newest file per folder, demo files and unscored records counted', async () => {
    // no price table: the cost each record carries is the run's cost (recorded cost)
    const imported = await importing(ORB, { prices: null });
    expect(imported.runs.map((run) => [run.label, run.counts.records, run.counts.correct, run.cost.known, run.cost.basis])).toEqual([
      ['qwen3-8b', 2, 1, true, 'recorded'],
      ['gpt-5-chat', 3, 3, true, 'recorded'],
    ]);
    expect(Object.fromEntries(imported.summary.leftOut)).toEqual({
      'demo result files': 1,
      'score null (not evaluated)': 1,
      'older result files of the same dataset, split and model (the newest is read)': 1,
    });
    imported.discard();
  });

  it('a file that is not JSON, a record without an index or a score, an index twice: each named', async () => {
    await refused(withFile('cut.json', readFileSync(ORB_FILE, 'utf8').slice(0, 700)), /cut\.json, the result file: not JSON/, { format: 'openrouterbench' });
    const edited = (name: string, edit: (records: Record<string, unknown>[]) => void): string => {
      const file = JSON.parse(readFileSync(ORB_FILE, 'utf8'));
      edit(file.records);
      return withFile(name, JSON.stringify(file, null, 2));
    };
    await refused(edited('no-index.json', (records) => delete records[1]!['index']), /no-index\.json, records\[1\], field "index": the sample has no id/);
    await refused(edited('no-score.json', (records) => delete records[2]!['score']), /no-score\.json, records\[2\], field "score": the record has no score/);
    await refused(edited('twice.json', (records) => (records[1]!['index'] = 0)), /twice\.json, records\[1\], field "id": sample "gsm8k\/test\/0" appears twice for gpt-5-chat \(also records\[0\]\)/);
    await refused(edited('bad-score.json', (records) => (records[0]!['score'] = 'yes')), /bad-score\.json, records\[0\], field "score": expected a score/);
  });
});

describe('RouterBench wide table (CSV and JSON Lines exports)', () => {
  it.each([
    ['CSV', ROUTERBENCH_CSV],
    ['JSON Lines', ROUTERBENCH_JSONL],
  ])('%s: one run per model column, eval_name as slice, the recorded cost kept, the list prompt joined', async (_kind, path) => {
    const imported = await importing(path, { prices: null });
    expect(imported.runs.map((run) => [run.label, run.logModel, run.counts.records, run.counts.correct, run.cost.known, run.cost.basis])).toEqual([
      ['gpt-3.5-turbo-1106', 'gpt-3.5-turbo-1106', 4, 3, true, 'recorded'],
      ['claude-instant-v1', 'claude-instant-v1', 4, 3, true, 'recorded'],
      ['mistralai-mixtral-8x7b-chat', 'mistralai/mixtral-8x7b-chat', 3, 2, true, 'recorded'],
    ]);
    expect(imported.runs[0]!.cost.reason).toBe('the cost the log records per sample (recorded cost): the log records no token counts');
    expect(imported.runs[0]!.cost.recordedUsd).toBeCloseTo(0.0001569, 10);
    expect(Object.fromEntries(imported.summary.leftOut)).toEqual({ 'model cells without a score': 1 });
    const runs = written(imported);
    const gpt = runs.get('gpt-3.5-turbo-1106')!;
    expect(gpt.questions[2]).toBe('The following is a multiple choice question about astronomy. Answer with the letter.\n\nWhich planet is known as the red planet?\nA. Venus\nB. Mars\nC. Jupiter\nD. Saturn');
    expect(gpt.records.map((record) => [record.problemId, record.slice, record.gold, record.grade.score])).toEqual([
      ['grade-school-math.dev.0', 'grade-school-math', null, 1],
      ['grade-school-math.dev.1', 'grade-school-math', null, 1],
      ['mmlu-astronomy.val.4', 'mmlu-astronomy', null, 0],
      ['mtbench.dev.7', 'mtbench', null, 0.9],
    ]);
    expect(gpt.records[3]!.generation.text).toBe('Soft rain taps the pane,\nthe garden drinks again.');
    // each record's cost as the table gives it, and no token counts (the zeros stand for nothing)
    expect(gpt.records.reduce((sum, record) => sum + record.generation.recordedCostUsd!, 0)).toBeCloseTo(0.0001569, 10);
    expect(gpt.records.every((record) => record.generation.usageUnknown === true)).toBe(true);
    expect(runs.get('mistralai-mixtral-8x7b-chat')!.records.map((record) => record.problemId)).toEqual(['grade-school-math.dev.0', 'grade-school-math.dev.1', 'mtbench.dev.7']);
  });

  it('a line that is not JSON names the file and the line', async () => {
    const text = lines(ROUTERBENCH_JSONL);
    text[2] = '{"sample_id": "mmlu-astronomy.val.4", "prompt": ';
    await refused(withFile('cut.jsonl', text.join('\n')), /cut\.jsonl, line 3: not JSON/, { format: 'routerbench-wide', prices: null });
  });

  it('a row without a sample_id, a sample_id twice, a cost that is not a number, a model without its score column: each named', async () => {
    const csv = lines(ROUTERBENCH_CSV);
    await refused(withFile('no-id.csv', [csv[0], csv[1], csv[2]!.slice(csv[2]!.indexOf(','))].join('\n')), /no-id\.csv, row 2, field "sample_id": the sample has no id/, { prices: null });
    await refused(withFile('twice.csv', [csv[0], csv[1], csv[2], csv[1]].join('\n')), /twice\.csv, row 3, field "id": sample "grade-school-math\.dev\.0" appears twice for gpt-3\.5-turbo-1106 \(also row 1\)/, { prices: null });
    await refused(withFile('bad-cost.csv', [csv[0], csv[1]!.replace('3.45e-05', 'free')].join('\n')), /bad-cost\.csv, row 1, field "gpt-3\.5-turbo-1106\|total_cost": expected a cost in dollars, got "free"/, { prices: null });
    const row = JSON.parse(lines(ROUTERBENCH_JSONL)[0]!);
    delete row['claude-instant-v1'];
    await refused(withFile('no-score.jsonl', JSON.stringify(row)), /no-score\.jsonl, line 1, field "claude-instant-v1": no score column "claude-instant-v1"/, { format: 'routerbench-wide', prices: null });
  });
});
