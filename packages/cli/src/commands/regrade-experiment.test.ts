/**
 * `confide regrade --experiment`: a regrade experiment on a hand-made run of four records, graded on the recorded
 * extracted answers, then on the full responses, joined with a hand review.
 *
 *   record     gold     extracted  response            recorded   core/math (answer)   core/math (response)
 *   half       \frac12  0.5        ... \boxed{0.5}     wrong      right (flip)         right
 *   five       5        5          ... \boxed{5}       right      right                right
 *   seven      7        7          ... \boxed{8}       right      right                wrong (changes)
 *   three      3        4          ... \boxed{4}       right      wrong (flip)         wrong
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { loadBundledRun, writeRunDirectory } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const output = captureOutput();
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, ...output };
}

function experimentFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'confide-regrade-experiment-'));
  const bundled = loadBundledRun('qwen-1.5b');
  const template = bundled.records[0]!;
  const record = (id: string, gold: string, answer: string, text: string, correct: boolean): RunRecord => ({
    ...template,
    runId: 'hand-made',
    problemId: id,
    sourceId: id,
    gold,
    generation: { ...template.generation, text, answer },
    grade: { correct, evaluator: 'recorded', reason: 'a strict grader' },
  });
  const records = [
    record('half', '\\frac12', '0.5', 'Halving gives \\boxed{0.5}.', false),
    record('five', '5', '5', 'The answer is \\boxed{5}.', true),
    record('seven', '7', '7', 'Adding one more, \\boxed{8}.', true),
    record('three', '3', '4', 'So \\boxed{4}.', true),
  ];
  writeRunDirectory(join(folder, 'run'), { manifest: { ...bundled.manifest, runId: 'hand-made', records: records.length }, records, problems: null });
  writeFileSync(
    join(folder, 'experiment.json'),
    JSON.stringify({
      kind: 'regrade',
      name: 'hand-made',
      title: 'A hand-made run regraded',
      description: 'Four records graded again with core/math.',
      runs: ['./run'],
      evaluator: { id: 'core/math', options: { timeoutMs: 30000 } },
      reads: ['answer', 'response'],
      review: 'review.json',
    }),
  );
  return folder;
}

interface Review {
  entries: Array<{ gold: string; answer: string | null; verdict: string; correct: boolean | null; note: string; problems: string[] }>;
  responses: Array<{ run: string; problem: string; found: string | null; verdict: string; note: string }>;
}

describe('confide regrade --experiment', () => {
  it('refuses a review that misses a disagreement, writes its template, then reports the numbers joined with the review', async () => {
    const folder = experimentFolder();
    const out = join(folder, 'report');
    const missing = await cli(['regrade', '--experiment', folder, '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toMatch(/review\.json is out of date: 2 disagreements without a review, 0 entries .*, 1 response changes without a review.*--review-template/);
    expect(existsSync(out)).toBe(false);

    const template = await cli(['regrade', '--experiment', folder, '--review-template']);
    expect(template.code, template.err.join('')).toBe(0);
    const review = JSON.parse(readFileSync(join(folder, 'review.json'), 'utf8')) as Review;
    expect(review.entries.map((entry) => [entry.gold, entry.answer, entry.verdict, entry.problems])).toEqual([
      ['\\frac12', '0.5', 'unreviewed', ['half']],
      ['3', '4', 'unreviewed', ['three']],
    ]);
    expect(review.responses).toEqual([{ run: './run', problem: 'seven', found: '8', rule: 'boxed', verdict: 'unreviewed', note: '' }]);
    // unreviewed entries still stop the report
    expect((await cli(['regrade', '--experiment', folder, '--out', out])).code).toBe(1);

    review.entries[0] = { ...review.entries[0]!, verdict: 'core/math right', correct: true, note: 'one half' };
    review.entries[1] = { ...review.entries[1]!, verdict: 'recorded right', correct: false, note: 'wrong count' };
    review.responses[0] = { ...review.responses[0]!, verdict: 'core/math right', note: 'the boxed 8 is the final answer' };
    writeFileSync(join(folder, 'review.json'), JSON.stringify({ ...review, reviewer: 'a test', method: 'by hand' }));
    const done = await cli(['regrade', '--experiment', folder, '--out', out]);
    expect(done.code, done.err.join('')).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(summary['grader']).toMatchObject({ id: 'core/math', options: { timeoutMs: 30000, goldMode: 'auto' } });
    expect(summary['recordedGrader']).toBe('a strict grader');
    expect(summary['runs']).toEqual([
      {
        run: './run',
        records: 4,
        recordedCorrect: 3,
        recordedAccuracy: 0.75,
        regradedCorrect: 3,
        regradedAccuracy: 0.75,
        flipsToCorrect: 1,
        flipsToWrong: 1,
        reextractedCorrect: 2,
        reextractedAccuracy: 0.5,
      },
    ]);
    expect(summary['disagreements']).toEqual({ records: 2, distinctPairs: 2 });
    expect(summary['review']).toEqual({ evaluatorRight: 1, recordedRight: 1 });
    expect(summary['fullResponses']).toEqual({ rules: { boxed: 4 }, verdictChanges: 1, evaluatorRight: 1, evaluatorWrong: 0 });
    const disagreements = readFileSync(join(out, 'disagreements.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { problemId: string; recorded: boolean; regraded: boolean; reason: string; explain: unknown });
    expect(disagreements.map((row) => [row.problemId, row.recorded, row.regraded])).toEqual([
      ['half', false, true],
      ['three', true, false],
    ]);
    // every flip says why: both sides as core/math normalised and parsed them, and the rule that decided
    expect(disagreements[0]!.explain).toMatchObject({
      gold: { found: '\\frac12', normalized: '\\frac{1}{2}', parsed: 'expression: 1/2' },
      prediction: { found: '0.5', normalized: '0.5', parsed: 'expression: 0.5' },
      reading: null,
      decision: 'exact-rational',
    });
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('| ./run | 3/4 (75.0%) | 3/4 (75.0%) | +0 | 1 | 1 | 2/4 (50.0%) |');
    expect(report).toContain('| `3` | `4` | right | wrong (different-value) | recorded right | no | wrong count | three |');
    expect(report).toContain('| ./run | seven | `7` | `7` | `8` (boxed) | right → wrong | core/math right | the boxed 8 is the final answer |');
    expect(report).toContain('| problem | id | gold | extracted answer | recorded | core/math | normalised: gold · answer |');
    expect(report).toContain('| half | half | `\\frac12` | `0.5` | wrong | right (exact-rational) | `\\frac{1}{2}` · `0.5` |');
  }, 60_000);

  it('refuses a review verdict written for another evaluator, naming the file and key', async () => {
    const folder = experimentFolder();
    mkdirSync(join(folder, 'report-parent'));
    writeFileSync(join(folder, 'review.json'), JSON.stringify({ reviewer: 'x', method: 'y', entries: [{ gold: '3', answer: '4', verdict: 'core/other right', correct: null, note: '', problems: [] }] }));
    const { code, err } = await cli(['regrade', '--experiment', folder, '--out', join(folder, 'report-parent', 'report')]);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/review\.json: key "entries\.0\.verdict"/);
  }, 60_000);
});
