/**
 * Logs in, ablation out, with no dataset: a RouterBench-style wide table (a recorded cost per answer, no token counts,
 * the benchmark as eval_name) imported with `confide data import`, then ablated from the problems the runs carry —
 * the recorded costs on the cost axis, accuracy by slice, a question that differs between runs counted, a cost-unknown
 * run left off the models section (and refusing the pair) with the report saying why; and the runs out again as one
 * flat Parquet table (`confide data export`).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTableRow, readRunDirectory, readRunProblems, writeRunDirectory, type TableRow } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

const N = 30;
/** Row i: cheap is right on even rows, dear on all but every fifth; cheap costs $0.00001 (+ i × 1e-7), dear $0.0002. */
const cheapRight = (i: number) => i % 2 === 0;
const dearRight = (i: number) => i % 5 !== 0;
const cheapCost = (i: number) => 1e-5 + i * 1e-7;
const DEAR_COST = 2e-4;
let folder: string;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts) => void out.push(parts.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...parts) => void err.push(parts.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Writes experiment.json (no dataset unless given) in its own folder beside runs/, and ablates it. */
async function ablate(name: string, config: Record<string, unknown>) {
  const experimentFolder = join(folder, name);
  mkdirSync(experimentFolder, { recursive: true });
  writeFileSync(join(experimentFolder, 'experiment.json'), JSON.stringify({ kind: 'ablation', name, title: name, priceTable: 'seed-math500', bootstrap: { resamples: 50, seed: 0 }, ...config }));
  const report = join(folder, `${name}-report`);
  const result = await cli(['ablate', '--experiment', experimentFolder, '--out', report]);
  const summary = result.code === 0 ? JSON.parse(readFileSync(join(report, 'summary.json'), 'utf8')) : null;
  const markdown = result.code === 0 ? readFileSync(join(report, 'report.md'), 'utf8') : '';
  return { ...result, summary, markdown };
}

const models = (...labels: string[]) => labels.map((label) => ({ run: `../runs/${label}`, label }));

/** A copy of run `from` as `to`, its records and problems edited. */
function copyRun(from: string, to: string, edit: { record?: (record: ReturnType<typeof readRunDirectory>['records'][number]) => typeof record; question?: { index: number; text: string } }): void {
  const run = readRunDirectory(join(folder, 'runs', from));
  const problems = readRunProblems(run)!.map((problem, index) => (index === edit.question?.index ? { ...problem, problem: edit.question.text } : problem));
  writeRunDirectory(join(folder, 'runs', to), { manifest: { ...run.manifest, runId: to }, records: run.records.map(edit.record ?? ((record) => record)), problems });
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'confide-peer-ablate-'));
  const rows = ['sample_id,prompt,eval_name,cheap,cheap|model_response,cheap|total_cost,dear,dear|model_response,dear|total_cost'];
  for (let i = 0; i < N; i++) {
    const bench = i < N / 2 ? 'arith' : 'trivia';
    rows.push(`${bench}.dev.${i},What is ${i} + ${i}?,${bench},${cheapRight(i) ? 1 : 0},${2 * i},${cheapCost(i)},${dearRight(i) ? 1 : 0},${2 * i},${DEAR_COST}`);
  }
  writeFileSync(join(folder, 'wide.csv'), rows.join('\n') + '\n');
  const imported = await cli(['data', 'import', join(folder, 'wide.csv'), '--out', join(folder, 'runs')]);
  expect(imported.code, imported.err).toBe(0);
  expect(imported.out).toMatch(/cheap: 30 records, 15 correct, .*costs known \(recorded cost\)/);
  // a run whose log recorded neither token counts nor costs, and a run whose question 3 differs
  copyRun('cheap', 'unknown', { record: ({ generation: { recordedCostUsd: _cost, ...generation }, ...record }) => ({ ...record, generation }) });
  copyRun('dear', 'reworded', { question: { index: 3, text: 'What is three plus three?' } });
}, 60_000);

describe('an ablation of imported logs without a dataset', () => {
  it('reads the problems the runs carry and costs each answer at its recorded cost', { timeout: 60_000 }, async () => {
    const { code, err, summary, markdown } = await ablate('models', { models: models('cheap', 'dear') });
    expect(code, err).toBe(0);
    expect(summary.problems).toMatchObject({ evaluated: N, dataset: N, agreement: { source: 'runs', runsCompared: 2, questionMismatches: { count: 0 } } });
    const cheap = summary.models.singles.find((single: { label: string }) => single.label === 'cheap');
    const meanCheapCost = Array.from({ length: N }, (_, i) => cheapCost(i)).reduce((sum, cost) => sum + cost, 0) / N;
    expect(cheap.meanCostUsd).toBeCloseTo(meanCheapCost, 12);
    expect(summary.models.singles.find((single: { label: string }) => single.label === 'dear').meanCostUsd).toBeCloseTo(DEAR_COST, 12);
    expect(summary.costNotes).toEqual([
      'cheap (`../runs/cheap`): the costs of all 30 of its records are the recorded cost (the cost its source recorded, as given), not token counts priced by seed-math500@2025-11-06: 30 record no token counts.',
      'dear (`../runs/dear`): the costs of all 30 of its records are the recorded cost (the cost its source recorded, as given), not token counts priced by seed-math500@2025-11-06: 30 record no token counts.',
    ].map((note) => note.replace('seed-math500@2025-11-06', `seed-math500@${summary.provenance.priceTable.version}`)));
    expect(markdown).toContain('Problems: the 30 problems every run answers, of the 30 the 2 runs carry (the experiment names no dataset');
    expect(markdown).toContain('are the recorded cost');
    // each model's mean score by the benchmark (eval_name), and the oracle's
    const mean = (from: number, right: (i: number) => boolean) => Array.from({ length: N / 2 }, (_, k) => from + k).filter(right).length / (N / 2);
    expect(summary.models.slices.map((slice: { slice: string; problems: number; scores: Array<{ meanScore: number }>; oracle: number }) => [slice.slice, slice.problems, ...slice.scores.map((score) => score.meanScore), slice.oracle])).toEqual([
      ['arith', 15, mean(0, cheapRight), mean(0, dearRight), mean(0, (i) => cheapRight(i) || dearRight(i))],
      ['trivia', 15, mean(15, cheapRight), mean(15, dearRight), mean(15, (i) => cheapRight(i) || dearRight(i))],
    ]);
    expect(markdown).toContain('### Mean score by slice (task or benchmark)');
  });

  it('the pair: accuracy by slice (the benchmark) beside subject and level', { timeout: 60_000 }, async () => {
    const { code, err, summary, markdown } = await ablate('pair', {
      small: { run: '../runs/cheap', label: 'cheap' },
      large: { run: '../runs/dear', label: 'dear' },
      routers: [{ id: 'oracle', label: 'oracle', router: { id: 'core/oracle', options: {} } }],
    });
    expect(code, err).toBe(0);
    const oracle = summary.routers.find((router: { id: string }) => router.id === 'oracle');
    // the oracle is right wherever either model is: arith rows 0-14 (all but none: 0, 5, 10 are right for cheap), trivia the same
    const right = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k).filter((i) => cheapRight(i) || dearRight(i)).length;
    expect(oracle.slices.slice).toEqual([
      { slice: 'arith', correct: right(0, 15), total: 15, percent: (right(0, 15) * 100) / 15 },
      { slice: 'trivia', correct: right(15, 30), total: 15, percent: (right(15, 30) * 100) / 15 },
    ]);
    expect(markdown).toContain('## Accuracy by slice (task or benchmark) at the reported points (%)');
    // the pair's costs are totals over the problems
    expect(summary.pair.large.costUsd).toBeCloseTo(N * DEAR_COST, 12);
  });

  it('a question that differs between runs is counted and named; with a dataset, each run is matched to it by id', { timeout: 60_000 }, async () => {
    const runs = await ablate('reworded', { models: models('cheap', 'reworded') });
    expect(runs.code, runs.err).toBe(0);
    expect(runs.summary.problems.agreement.questionMismatches).toEqual({ count: 1, first: ['arith.dev.3 (../runs/cheap and ../runs/reworded)'] });
    expect(runs.markdown).toContain('1 id has a question that differs between runs (whitespace aside; the first run\'s is kept): arith.dev.3');
    const withDataset = await ablate('with-dataset', { dataset: '../runs/cheap/problems.jsonl.gz', models: models('cheap', 'reworded') });
    expect(withDataset.code, withDataset.err).toBe(0);
    expect(withDataset.summary.problems.agreement).toMatchObject({ source: 'dataset', runsCompared: 2, questionMismatches: { count: 1, first: ['arith.dev.3 (../runs/reworded against the dataset)'] }, missingFromDataset: { count: 0 } });
    expect(withDataset.markdown).toContain("1 problem id has a question in a run that differs from the dataset's");
  });

  it('a cost-unknown run is left off the models section, the report saying why; the pair refuses it', { timeout: 60_000 }, async () => {
    const left = await ablate('unknown', { models: models('cheap', 'dear', 'unknown') });
    expect(left.code, left.err).toBe(0);
    expect(left.summary.models.labels).toEqual(['cheap', 'dear']);
    const note = 'unknown (`../runs/unknown`) is not placed on a cost axis: all 30 of its records (the first: problem arith.dev.0) carry neither token counts nor a recorded cost, so what they cost is unknown, not $0. It is left out of the models section (its mean score on its 30 problems: 50.0%).';
    expect(left.summary.costNotes).toContain(note);
    expect(left.markdown).toContain(note);
    const refused = await ablate('unknown-pair', { small: { run: '../runs/unknown', label: 'unknown' }, large: { run: '../runs/dear', label: 'dear' }, routers: [{ id: 'oracle', label: 'oracle', router: { id: 'core/oracle', options: {} } }] });
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/unknown \(`\.\.\/runs\/unknown`\) is not placed on a cost axis: .* The pair analysis places every router on a cost axis/);
    const tooFew = await ablate('unknown-two', { models: models('cheap', 'unknown') });
    expect(tooFew.code).not.toBe(0);
    expect(tooFew.err).toMatch(/is not placed on a cost axis: .* Fewer than two models remain to route among \(cheap\)/);
  });
});

describe('confide data export', () => {
  // read back as any table file is read (hyparquet, a row group at a time)
  const readBack = async (path: string) => {
    const rows: TableRow[] = [];
    await forEachTableRow(path, (row) => void rows.push(row));
    return rows;
  };

  it('writes the runs of an import (its models.json) as one flat Parquet table, read back by hyparquet', { timeout: 60_000 }, async () => {
    const out = join(folder, 'export', 'runs.parquet');
    const { code, err, out: said } = await cli(['data', 'export', join(folder, 'runs'), '--out', out]);
    expect(code, err).toBe(0);
    expect(said).toMatch(/^wrote 60 rows \(cheap: 30, dear: 30\) to .*runs\.parquet; columns: run, problem_id, question, gold/);
    const rows = await readBack(out);
    expect(rows).toHaveLength(2 * N);
    expect(rows[3]).toMatchObject({ run: 'cheap', problem_id: 'arith.dev.3', question: 'What is 3 + 3?', slice: 'arith', model: 'cheap', answer: null, response: '6', correct: false, score: 0, input_tokens: null, cost_basis: 'recorded' });
    expect(rows[3]!['cost_usd']).toBeCloseTo(cheapCost(3), 15);
    expect(rows.filter((row) => row['run'] === 'dear' && row['correct'] === true)).toHaveLength(Array.from({ length: N }, (_, i) => i).filter(dearRight).length);
  });

  it('a bundled run (its questions from its dataset, its costs from its token counts), labelled; a folder as --out is refused', { timeout: 60_000 }, async () => {
    const out = join(folder, 'export', 'bundled.parquet');
    const { code, err } = await cli(['data', 'export', 'small=qwen-1.5b-lora-confidence', '--out', out]);
    expect(code, err).toBe(0);
    const rows = await readBack(out);
    expect(rows).toHaveLength(500);
    expect(rows[0]).toMatchObject({ run: 'small', cost_basis: 'tokens' });
    expect(typeof rows[0]!['question']).toBe('string');
    expect(rows[0]!['cost_usd']).toBeGreaterThan(0);
    const refused = await cli(['data', 'export', 'qwen-1.5b-lora-confidence', '--out', folder]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/--out .*: a folder; name the file to write/);
  });
});
