import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundledRun, readBuiltDataset, readRunDirectory } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { captureOutput } from '../../tests/capture-output.js';

afterEach(() => vi.restoreAllMocks());

describe('confide dataset build', () => {
  it('answers with a model client, grades with core/math, balances, and writes a folder `confide data push` reads', { timeout: 60_000 }, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-dataset-'));
    const configPath = join(folder, 'sft.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        split: 'math500',
        client: { id: 'core/replay', options: { run: 'qwen-1.5b' } },
        prompt: { system: 'Reason step by step.', user: 'Problem: {problem}' },
        maxOutputTokens: 1024,
        evaluator: { id: 'core/math' },
        balance: true,
        seed: 3,
      }),
    );
    const { out, err } = captureOutput();
    expect(await runCli(['dataset', 'build', configPath, '--limit', '40'])).toBe(0);
    const outFolder = join(folder, 'sft-dataset');
    const graded = readFileSync(join(outFolder, 'build', 'answers.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { problemId: string; grade: { correct: boolean; reason: string } })
      .map((record) => ({ id: record.problemId, correct: record.grade.correct, reason: record.grade.reason }));
    const correct = graded.filter((answer) => answer.correct).length;
    const smaller = Math.min(correct, 40 - correct);
    expect(graded).toHaveLength(40);
    expect(graded.every((answer) => answer.reason.startsWith('extraction: '))).toBe(true); // core/math's reasons
    expect(out).toEqual([
      `sft-dataset: 40 problems of math500 answered by qwen2.5-math-1.5b-instruct, graded by core/math: ${correct} correct, ${40 - correct} incorrect`,
      `${2 * smaller} examples (balanced): ${smaller} <|c_math|>, ${smaller} <|u_math|>`,
    ]);
    expect(err.join('')).toContain('dataset: 40/40 answered and graded');
    expect(err.join('')).toContain(`publish with: confide data push ${outFolder} --repo <owner/name>`);

    // the recorded answers, each with the token its grade earned
    const recorded = new Map(loadBundledRun('qwen-1.5b').records.map((record) => [record.problemId, record.generation.text]));
    const [split, ...others] = await readBuiltDataset(outFolder);
    expect(others).toHaveLength(0);
    expect(split!.name).toBe('train');
    expect(split!.rows).toHaveLength(2 * smaller);
    for (const row of split!.rows) {
      expect(row['response']).toBe((recorded.get(row['id'] as string) ?? '').trimEnd());
      expect(row['annotatedResponse']).toBe(`${row['response'] as string} ${row['correct'] ? '<|c_math|>' : '<|u_math|>'}`);
      expect(row['correct']).toBe(graded.find((answer) => answer.id === row['id'])!.correct);
    }
  });

  it('names the file and key of a bad config', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-dataset-'));
    const configPath = join(folder, 'bad.json');
    writeFileSync(configPath, JSON.stringify({ split: 'math500', client: { id: 'core/replay' }, prompt: { user: 'x' }, maxOutputTokens: 8 }));
    const { err } = captureOutput();
    expect(await runCli(['dataset', 'build', configPath])).toBe(1);
    expect(err.join('\n')).toContain(`confide: error [INVALID_CONFIG]: ${configPath}: key "prompt.user": the user template must contain {problem}`);
  });

  it('builds a dataset experiment with confide run: the same step, its graded answers a run directory', { timeout: 60_000 }, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-dataset-experiment-'));
    writeFileSync(
      join(folder, 'experiment.json'),
      JSON.stringify({
        kind: 'dataset',
        name: 'sft-40',
        title: 'The base 1.5B model on 40 MATH-500 problems, annotated',
        split: 'math500',
        limit: 40,
        client: { id: 'core/replay', options: { run: 'qwen-1.5b' } },
        prompt: { user: 'Problem: {problem}' },
        maxOutputTokens: 1024,
      }),
    );
    const { out, err } = captureOutput();
    const code = await runCli(['run', folder, '--no-cache']);
    vi.restoreAllMocks();
    expect(code, err.join('')).toBe(0);
    expect(out[0]).toMatch(/^sft-40: 40 problems of math500 answered by qwen2\.5-math-1\.5b-instruct, graded by core\/math: \d+ correct, \d+ incorrect$/);
    const run = readRunDirectory(join(folder, 'run', 'run'));
    expect(run.records).toHaveLength(40);
    expect(run.records.every((record) => record.grade.evaluator === 'core/math')).toBe(true);
  });
});
