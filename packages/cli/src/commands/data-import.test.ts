/**
 * Bring your own data through the CLI: a dataset that isn't MATH-500 (CSV and JSONL), results files from two other
 * harnesses (by row position and by id), imported as run directories, then ablated; and each bad input failing in
 * one line with nothing written.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProblems, readRunDirectory, workspaceRoot } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

const example = join(workspaceRoot(), 'experiments', 'byo-arithmetic');

/** The off-policy figures of summary.json, each by IPS, SNIPS and doubly robust with its interval. */
type Figure = 'accuracy' | 'meanCostUsd';
type Estimates = Record<'ips' | 'snips' | 'doublyRobust', { estimate: number; interval: { lower: number; upper: number } }>;

async function cli(args: string[]) {
  const output = captureOutput();
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, ...output };
}

describe('confide data import and an ablation on a dataset of your own', () => {
  it('imports runs by row position (JSONL) and by id (CSV) against a CSV dataset, then ablates them', { timeout: 60_000 }, async () => {
    // laid out like experiments/: <root>/byo-arithmetic (data, prices, the ablation) and <root>/byo-arithmetic-paper
    const root = mkdtempSync(join(tmpdir(), 'byo-'));
    const base = join(root, 'byo-arithmetic');
    cpSync(join(example, 'data'), join(base, 'data'), { recursive: true });
    copyFileSync(join(example, 'prices.json'), join(base, 'prices.json'));
    copyFileSync(join(example, 'experiment.json'), join(base, 'experiment.json'));
    // the exploration log the ablation's offPolicy names (../explore-byo-arithmetic/run), made by confide run on the committed imports
    cpSync(join(workspaceRoot(), 'experiments', 'explore-byo-arithmetic', 'run'), join(root, 'explore-byo-arithmetic', 'run'), { recursive: true });
    const common = ['--dataset', join(base, 'data', 'problems.csv'), '--price-table', join(base, 'prices.json')];
    const small = await cli(['data', 'import', join(base, 'data', 'small-results.jsonl'), '--model', 'sim-small', '--out', join(base, 'runs', 'small'), ...common]);
    expect(small.code, small.err.join('')).toBe(0);
    const large = await cli(['data', 'import', join(base, 'data', 'large-results.csv'), '--model', 'sim-large', '--out', join(base, 'runs', 'large'), ...common]);
    expect(large.code, large.err.join('')).toBe(0);

    const smallRun = readRunDirectory(join(base, 'runs', 'small'));
    const largeRun = readRunDirectory(join(base, 'runs', 'large'));
    expect(smallRun.records).toHaveLength(300);
    // prob_<i> named row i of the dataset; the CSV named problems by id; strings became numbers and booleans
    expect(smallRun.records[5]).toMatchObject({ problemId: 'arith-005', sourceId: 'prob_5', subject: 'subtraction', level: 1 });
    expect(smallRun.records[5]!.generation.confidenceProbabilities).toBeDefined();
    expect(largeRun.records[0]!.generation.usage).toEqual({ input: expect.any(Number), output: expect.any(Number), thinking: expect.any(Number) });
    expect(largeRun.manifest.dataset).toMatch(/^file:.*problems\.csv@sha256:[0-9a-f]{64}$/);

    const report = join(base, 'report');
    const ablated = await cli(['ablate', '--experiment', base, '--out', report]);
    expect(ablated.code, ablated.err.join('')).toBe(0);
    const summary = JSON.parse(readFileSync(join(report, 'summary.json'), 'utf8')) as {
      pair: { small: { accuracy: number }; large: { accuracy: number } };
      routers: Array<{ id: string; reported: { accuracy: number; delegationRate: number }; slices: { subject: Array<{ slice: string }> } }>;
      offPolicy: {
        logRouter: string;
        problems: number;
        missing: number;
        routers: Array<{ id: string; actual: Record<Figure, number>; accuracy: Estimates; meanCostUsd: Estimates }>;
      } | null;
    };
    expect(summary.pair.small.accuracy).toBeCloseTo(smallRun.records.filter((record) => record.grade.correct).length / 300, 12);
    expect(summary.pair.large.accuracy).toBeCloseTo(largeRun.records.filter((record) => record.grade.correct).length / 300, 12);
    const token = summary.routers.find((router) => router.id === 'confidence-token')!;
    const delegated = smallRun.records.filter((record) => record.generation.confidenceToken !== '<|c_math|>');
    expect(token.reported.delegationRate).toBeCloseTo(delegated.length / 300, 12);
    expect(token.slices.subject.map((slice) => slice.slice).sort()).toEqual(['addition', 'division', 'multiplication', 'subtraction']);
    // the exploration log holds a decision for every problem of the freshly imported runs (matched by problem id)
    expect(summary.offPolicy).toMatchObject({ logRouter: 'core/explore', problems: 300, missing: 0 });
    expect(summary.offPolicy!.routers.map((router) => router.id)).toEqual(['p-confident', 'output-length', 'confidence-token']);
    // both answers exist for every problem, so the truth is known: each estimate's interval holds the router's actual figure
    for (const router of summary.offPolicy!.routers) {
      const reported = summary.routers.find((entry) => entry.id === router.id)!.reported;
      expect(router.actual.accuracy).toBeCloseTo(reported.accuracy, 12);
      for (const figure of ['accuracy', 'meanCostUsd'] as const) {
        for (const estimator of ['ips', 'snips', 'doublyRobust'] as const) {
          const { lower, upper } = router[figure][estimator].interval;
          expect(lower, `${router.id} ${estimator} ${figure}`).toBeLessThanOrEqual(router.actual[figure]);
          expect(upper, `${router.id} ${estimator} ${figure}`).toBeGreaterThanOrEqual(router.actual[figure]);
        }
      }
    }
    expect(readFileSync(join(report, 'report.md'), 'utf8')).toContain('## Off-policy estimates from an exploration log, beside the actual figures');
    // the charts name the dataset, and nothing says MATH-500
    expect(readFileSync(join(report, 'accuracy-cost.vl.json'), 'utf8')).toContain('cost (all calls, orchestrator included) on problems ($)');
    for (const file of ['report.md', 'accuracy-cost.vl.json', 'summary.json']) expect(readFileSync(join(report, file), 'utf8')).not.toContain('MATH-500');

    // paper-style tables on the same runs, named by path, with no published figures
    mkdirSync(join(root, 'byo-arithmetic-paper'));
    copyFileSync(join(workspaceRoot(), 'experiments', 'byo-arithmetic-paper', 'experiment.json'), join(root, 'byo-arithmetic-paper', 'experiment.json'));
    const paperReport = join(root, 'paper-report');
    const paper = await cli(['paper', '--experiment', join(root, 'byo-arithmetic-paper'), '--out', paperReport]);
    expect(paper.code, paper.err.join('')).toBe(0);
    const tables = JSON.parse(readFileSync(join(paperReport, 'summary.json'), 'utf8')) as {
      table1: Array<{ label: string; accuracy: { correct: number; total: number }; published: unknown }>;
      table2: Array<{ handOff: Array<{ side: string; problems: number }> }>;
    };
    const kept = smallRun.records.filter((record) => record.generation.confidenceToken === '<|c_math|>');
    const keptIds = new Set(kept.map((record) => record.problemId));
    const delegationCorrect =
      kept.filter((record) => record.grade.correct).length + largeRun.records.filter((record) => !keptIds.has(record.problemId) && record.grade.correct).length;
    expect(tables.table1.map((row) => [row.label, row.accuracy.correct, row.accuracy.total, row.published])).toEqual([
      ['small', smallRun.records.filter((record) => record.grade.correct).length, 300, null],
      ['Delegation II', delegationCorrect, 300, null],
      ['large', largeRun.records.filter((record) => record.grade.correct).length, 300, null],
    ]);
    expect(tables.table2[0]!.handOff.map((row) => [row.side, row.problems])).toEqual([
      ['small', kept.length],
      ['large', 300 - kept.length],
    ]);
  });

  it('reads a JSONL dataset by its common column names, or by a column mapping; ids from the row position', async () => {
    const base = mkdtempSync(join(tmpdir(), 'byo-jsonl-'));
    const problems = Array.from({ length: 10 }, (_, index) => ({ problem: `What is ${index} + ${index}?`, ground_truth: 2 * index, type: 'addition' }));
    writeFileSync(join(base, 'sums.jsonl'), problems.map((row) => JSON.stringify(row)).join('\n') + '\n');
    writeFileSync(join(base, 'results.csv'), 'problem_id,response,is_correct\n' + problems.map((_, index) => `prob_${index},x,${index % 2 === 0 ? 'True' : 'False'}`).join('\n') + '\n');
    const imported = await cli(['data', 'import', join(base, 'results.csv'), '--dataset', join(base, 'sums.jsonl'), '--model', 'qwen2.5-math-7b-instruct', '--out', join(base, 'run')]);
    expect(imported.code, imported.err.join('')).toBe(0);
    const records = readRunDirectory(join(base, 'run')).records;
    expect(records.map((record) => [record.problemId, record.gold, record.subject, record.grade.correct])).toEqual(
      problems.map((row, index) => [`sums/${index}`, String(row.ground_truth), 'addition', index % 2 === 0]),
    );
    // the same file under other column names, with a mapping
    writeFileSync(join(base, 'renamed.jsonl'), problems.map((row, index) => JSON.stringify({ key: `s${index}`, text: row.problem, result: row.ground_truth })).join('\n') + '\n');
    const mapped = await loadProblems({ file: 'renamed.jsonl', columns: { id: 'key', question: 'text', answer: 'result' } }, { baseFolder: base });
    expect(mapped.problems[3]).toEqual({ id: 's3', problem: 'What is 3 + 3?', answer: '6' });
    expect(mapped.reference).toMatch(/^file:renamed\.jsonl@sha256:[0-9a-f]{64}$/);
  });
});

describe('confide data import: bad input fails in one line and writes nothing', () => {
  const base = mkdtempSync(join(tmpdir(), 'byo-bad-'));
  const dataset = join(base, 'problems.csv');
  writeFileSync(dataset, 'id,question,answer\np1,One plus one?,2\np2,Two plus two?,4\n');
  const results = (name: string, text: string) => {
    const path = join(base, name);
    writeFileSync(path, text);
    return path;
  };
  const good = '{"id":"p1","response":"2","is_correct":true,"input_tokens":3,"output_tokens":4}\n';

  it.each([
    ['an unknown column in --map', results('map.jsonl', good), ['--map', 'text=nowhere'], /--map text=nowhere: .* has no column "nowhere"/],
    ['a dataset without an answer column', results('a.jsonl', good), ['--dataset', results('no-answer.csv', 'id,question\np1,One?\n')], /no-answer\.csv.*no answer column/],
    ['a duplicate problem id in the dataset', results('b.jsonl', good), ['--dataset', results('dup.csv', 'id,question,answer\np1,a,1\np1,b,2\n')], /dup\.csv.*row 2.*duplicate problem id p1/],
    ['a duplicate problem in the results', results('c.jsonl', good + good), [], /c\.jsonl.*row 2.*appears twice/],
    ['a row pointing at a problem the dataset lacks', results('d.jsonl', '{"id":"p9","response":"2","is_correct":true}\n'), [], /d\.jsonl.*row 1.*problem "p9" is not in the dataset/],
    ['a verdict that is not a boolean', results('e.jsonl', '{"id":"p1","response":"2","is_correct":"maybe"}\n'), [], /e\.jsonl.*row 1.*is_correct.*expected a verdict/],
    ['a non-numeric token count', results('f.jsonl', '{"id":"p1","response":"2","is_correct":true,"output_tokens":"many"}\n'), [], /f\.jsonl.*row 1.*output_tokens.*non-negative integer token count/],
    ['a truncated JSON file', results('g.json', '{"summary": {}, "results": [{"id": "p1"'), [], /g\.json.*not valid JSON/],
    ['a truncated JSONL file', results('h.jsonl', good + '{"id":"p2","respo'), [], /h\.jsonl.*(cut short|not valid JSON)/],
    ['a model with no price', results('i.jsonl', good), ['--model', 'nobody-7b'], /price table seed-math500@2025-11-20 has no price for model "nobody-7b"/],
  ])('%s', async (_name, file, extra, message) => {
    const out = join(base, `out-${Math.random().toString(36).slice(2)}`);
    const args = ['data', 'import', file, '--dataset', dataset, '--model', 'qwen2.5-math-7b-instruct', '--out', out];
    for (let index = 0; index < extra.length; index += 2) {
      const at = args.indexOf(extra[index]!);
      if (at >= 0) args[at + 1] = extra[index + 1]!;
      else args.push(extra[index]!, extra[index + 1]!);
    }
    const { code, err } = await cli(args);
    expect(code).toBe(1);
    const lines = err.filter((line) => line.startsWith('confide: error'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('keeps and counts a row whose question is another problem\'s, and reports a summary that disagrees with the rows', async () => {
    const file = results(
      'summary.json',
      JSON.stringify({ summary: { correct: 2, total: 2 }, results: [{ id: 'p1', question: 'Two plus two?', response: '4', is_correct: 'False' }, { id: 'p2', question: 'Two plus two?', response: '4', is_correct: 'True' }] }),
    );
    const out = join(base, 'out-summary');
    mkdirSync(base, { recursive: true });
    const { code, out: printed } = await cli(['data', 'import', file, '--dataset', dataset, '--model', 'qwen2.5-math-7b-instruct', '--out', out]);
    expect(code).toBe(0);
    expect(printed).toContain('1 rows carry another question than the problem they name (kept, noted on the record)');
    expect(printed).toContain("the file's summary disagrees with its rows: summary.correct is 2, the rows give 1");
    const [first] = readRunDirectory(out).records;
    expect(first!.note).toMatch(/^upstream row 1 asks p2, not p1: its answer and grade are for p2$/);
    expect(first!.gold).toBe('4'); // the gold answer of the question it asks
  });

  it('imports a delegated run with a route column and a model per route', async () => {
    const file = results(
      'delegated.csv',
      'id,response,is_correct,route,input_tokens,output_tokens\np1,2,True,small,3,4\np2,4,False,large,5,6\n',
    );
    const out = join(base, 'out-delegated');
    const args = ['data', 'import', file, '--dataset', dataset, '--model', 'gemini-2.5-flash', '--small-model', 'qwen2.5-math-1.5b-instruct', '--large-model', 'gemini-2.5-flash', '--out', out];
    const { code, err } = await cli(args);
    expect(code, err.join('')).toBe(0);
    expect(readRunDirectory(out).records.map((record) => [record.route?.target, record.generation.model])).toEqual([
      ['small', 'qwen2.5-math-1.5b-instruct'],
      ['large', 'gemini-2.5-flash'],
    ]);
  });
});
