/**
 * `confide run experiments/tiny-e2e`: the seed's four steps on CPU with the tiny random model, through the real
 * Python runner — dataset from 64 MATH train problems, LoRA training (stopped with Ctrl-C and resumed), generation
 * with the adapter on 16 MATH-500 problems, grading with core/math, Delegation II with the recorded Gemini 2.5 Flash
 * run, and the report. Needs the workspace's Python environment (`bash tools/python/setup.sh`): without it this test
 * fails, saying so.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIDENT_TOKEN, costInHundredMillionths, PriceTable, RunRecord, UNCERTAIN_TOKEN } from '@confide/core';
import { loadBundledRun, readJsonLines, readRunDirectory, workspaceRoot } from '@confide/data';
import { resolveRunnerPython } from '@confide/training';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { captureOutput } from '../../tests/capture-output.js';

afterEach(() => vi.restoreAllMocks());

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('confide run experiments/tiny-e2e', () => {
  it('runs all four steps on CPU; Ctrl-C during training stops with a checkpoint and --resume finishes', { timeout: 300_000 }, async () => {
    resolveRunnerPython(); // without .venv: PythonEnvironmentMissingError naming bash tools/python/setup.sh
    const experiment = join(workspaceRoot(), 'experiments', 'tiny-e2e');
    // Laid out like experiments/: <base>/tiny-e2e/run, so the committed ablation-tiny-e2e finds it at its relative path.
    const base = mkdtempSync(join(tmpdir(), 'tiny-e2e-'));
    const out = join(base, 'tiny-e2e', 'run');

    const first = captureOutput();
    const stopped = runCli(['run', experiment, '--out', out, '--no-cache']);
    await waitFor(() => first.err.some((text) => /^train epoch [\d.]+\/1 step [1-5]\/6 /m.test(text)), 200_000);
    process.emit('SIGINT');
    expect(await stopped).toBe(1);
    const stopText = first.err.join('');
    expect(stopText).toContain('pipeline: step 1 done: ');
    expect(stopText).toMatch(
      new RegExp(`confide: error \\[CANCELLED\\]: stopped during step 2 \\(train\\): checkpoint at \\S+/checkpoint-[1-6]\\. Continue with: confide run ${experiment} --out ${out} --resume`),
    );
    vi.restoreAllMocks();

    const second = captureOutput();
    const code = await runCli(['run', experiment, '--out', out, '--no-cache', '--resume']);
    if (code !== 0) throw new Error(`resumed run failed:\n${second.err.join('')}`);
    const resumeText = second.err.join('');
    expect(resumeText).toContain('pipeline: step 2: LoRA fine-tuning on 64 examples, resuming from the newest checkpoint');
    expect(second.out[0]).toBe('tiny-e2e (pipeline check: a tiny random model, not a result)');
    expect(second.out[1]).toMatch(/^1 dataset: 64 problems answered, \d+ correct -> 64 examples$/);
    expect(second.out[2]).toMatch(/^2 train: 6 steps on 64 examples, loss \d+\.\d{4} -> \d+\.\d{4}$/);
    expect(second.out[3]).toMatch(/^3 generate \+ grade: \d+\/16 correct; tokens \d+ c, \d+ u, \d+ none$/);
    expect(second.out[4]).toMatch(/^4 delegate: \d+\/16 correct, \d+ delegated, answers \$\d+\.\d{6}$/);

    // step 1: the training data in the runner's format, as Parquet, with a card
    const rows = readFileSync(join(out, 'dataset', 'train.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toHaveLength(64);
    for (const row of rows) {
      expect(row).toMatchObject({ id: expect.stringMatching(/^train\//), problem: expect.any(String), response: expect.any(String), correct: expect.any(Boolean) });
      expect(row['annotatedResponse']).toBe(`${row['response'] as string} ${row['correct'] ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN}`);
    }
    expect(existsSync(join(out, 'dataset', 'data', 'train-00000-of-00001.parquet'))).toBe(true);
    expect(readFileSync(join(out, 'dataset', 'README.md'), 'utf8')).toContain('answered 64 problems of `math-train-sft`, core/math graded them');
    // the tiny model's records name it, not the 1.5B it stands in for (priced as that one: tiny-random-qwen2-prices.json)
    const answers = readJsonLines(join(out, 'dataset', 'build', 'answers.jsonl'), RunRecord);
    expect(new Set(answers.map((record) => record.generation.model))).toEqual(new Set(['tiny-random-qwen2']));

    // step 2: a PEFT adapter with the seed's LoRA shape
    const adapter = join(out, 'finetuned_models', 'tiny-e2e', 'adapter');
    expect(JSON.parse(readFileSync(join(adapter, 'adapter_config.json'), 'utf8'))).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 32, target_modules: expect.arrayContaining(['q_proj', 'v_proj']) });

    // step 3: the adapter's answers to the 16 problems, each with P(c) and P(u) at the token's position
    const small = readJsonLines(join(out, 'delegate', 'stages', 'small.jsonl'), RunRecord);
    expect(small).toHaveLength(16);
    for (const record of small) {
      expect(record.generation.model).toBe('tiny-random-qwen2-lora-confidence');
      expect(record.grade.evaluator).toBe('core/math');
      const { confident, uncertain } = record.generation.confidenceProbabilities!;
      expect(confident).toBeGreaterThanOrEqual(0);
      expect(uncertain).toBeGreaterThanOrEqual(0);
      expect(confident + uncertain).toBeLessThanOrEqual(1);
      expect(record.generation.usage.output).toBeLessThanOrEqual(24);
    }

    // step 4: Delegation II: <|u_math|> or no token goes to the recorded Gemini 2.5 Flash answer
    const run = readRunDirectory(join(out, 'delegate'));
    expect(run.records).toHaveLength(16);
    for (const record of run.records) {
      const token = small.find((answer) => answer.problemId === record.problemId)!.generation.confidenceToken;
      expect(record.route?.target).toBe(token === CONFIDENT_TOKEN ? 'small' : 'large');
      expect(record.generation.model).toBe(token === CONFIDENT_TOKEN ? 'tiny-random-qwen2-lora-confidence' : 'gemini-2.5-flash');
    }
    expect(run.manifest.plugins.map((plugin) => plugin.id)).toEqual(['core/transformers', 'core/replay', 'core/confidence-token', 'core/math']);
    const delegated = run.records.filter((record) => record.route?.target === 'large').length;
    expect(second.out[4]).toContain(`${run.records.filter((record) => record.grade.correct).length}/16 correct, ${delegated} delegated`);

    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/^# .* \(pipeline check\)\n\n> \*\*Pipeline check, not a result\.\*\*/);
    expect(report).toContain('| 4 delegate | ');
    expect(readFileSync(join(out, 'delegate', 'report.md'), 'utf8')).toMatch(/^# .*\(pipeline check\)/);

    // The run's outputs compose: the small model's answers are a run directory another experiment names by path.
    expect(readRunDirectory(join(out, 'delegate', 'small')).records).toEqual(small);
    const ablationFolder = join(base, 'ablation-tiny-e2e');
    mkdirSync(ablationFolder);
    copyFileSync(join(workspaceRoot(), 'experiments', 'ablation-tiny-e2e', 'experiment.json'), join(ablationFolder, 'experiment.json'));
    // its price table is tiny-e2e's stand-in table, named by the same relative path
    copyFileSync(join(experiment, 'tiny-random-qwen2-prices.json'), join(base, 'tiny-e2e', 'tiny-random-qwen2-prices.json'));
    const reportFolder = join(base, 'report');
    const third = captureOutput();
    const ablated = await runCli(['ablate', '--experiment', ablationFolder, '--out', reportFolder]);
    if (ablated !== 0) throw new Error(`ablate failed:\n${third.err.join('')}`);
    vi.restoreAllMocks();
    const summary = JSON.parse(readFileSync(join(reportFolder, 'summary.json'), 'utf8')) as {
      problems: { evaluated: number; dataset: number };
      tokenProbabilities: boolean;
      routers: Array<{ id: string; unscored: { count: number; of: number; reason: string } | null; points: Array<{ parameter: number; accuracy: number; costUsd: number; delegationRate: number }> }>;
      pipelineCheck: { runs: Array<{ run: string; reason: string }> } | null;
    };
    expect(summary.problems).toMatchObject({ evaluated: 16, dataset: 500 });
    expect(summary.tokenProbabilities).toBe(true);
    // The run is flagged as a pipeline check in everything that reads it.
    expect(summary.pipelineCheck?.runs.length).toBeGreaterThan(0);
    expect(readFileSync(join(reportFolder, 'report.md'), 'utf8')).toMatch(/pipeline check/i);
    // Every sweep point, recomputed from the records: P(c) = c / (c + u) only where the token mass c + u reaches 0.5
    // (a tiny random model puts ~1e-27 on both tokens: no P(c)); an answer without P(c) is delegated at every threshold.
    const large = new Map(loadBundledRun('gemini-flash').records.map((record) => [record.problemId, record]));
    const prices = PriceTable.parse(JSON.parse(readFileSync(join(experiment, 'tiny-random-qwen2-prices.json'), 'utf8')));
    const pc = (record: RunRecord): number | null => {
      const { confident, uncertain } = record.generation.confidenceProbabilities!;
      return confident + uncertain < 0.5 ? null : confident / (confident + uncertain);
    };
    const sweep = summary.routers.find((router) => router.id === 'p-confident')!;
    const unscored = small.filter((record) => pc(record) === null).length;
    expect(sweep.unscored?.count ?? 0).toBe(unscored);
    if (unscored > 0) expect(sweep.unscored!.reason).toMatch(/floor 0\.5/);
    const distinct = [...new Set(small.map(pc).filter((value): value is number => value !== null))].sort((left, right) => left - right);
    if (distinct.length > 0) expect(sweep.points.map((point) => point.parameter)).toEqual([...distinct, distinct.at(-1)! + 1]);
    const delegates = (record: RunRecord, threshold: number) => {
      const value = pc(record);
      return value === null || value < threshold;
    };
    for (const point of sweep.points) {
      const delegated = small.filter((record) => delegates(record, point.parameter));
      const correct = small.filter((record) => (delegates(record, point.parameter) ? large.get(record.problemId)!.grade.correct : record.grade.correct)).length;
      const cost =
        small.reduce((sum, record) => sum + costInHundredMillionths(prices, record.generation.model, record.generation.usage), 0) +
        delegated.reduce((sum, record) => sum + costInHundredMillionths(prices, 'gemini-2.5-flash', large.get(record.problemId)!.generation.usage), 0);
      expect(point.delegationRate).toBeCloseTo(delegated.length / 16, 12);
      expect(point.accuracy).toBeCloseTo(correct / 16, 12);
      expect(point.costUsd).toBeCloseTo(cost / 1e8, 9);
    }
    expect(readFileSync(join(reportFolder, 'report.md'), 'utf8')).toContain('the 16 of 500 problems of `math500` that the small run answered');
  });
});
