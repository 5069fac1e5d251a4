/**
 * An ablation's grading as a plugin choice: `"evaluator": {"id", "options"}` beside the `grades` shorthand, and an
 * evaluator that pays for calls (core/first-of: core/math, then core/model-verifier) lent `clients` and capped by
 * `--budget`, against a stand-in Gemini on 127.0.0.1.
 *
 * The pair: the first twelve MATH-500 problems of qwen-1.5b-lora-confidence (small) and gemini-flash (large), with the
 * recorded verdicts of the first three of each run turned over, so re-grading moves the numbers.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { loadBundledRun, writeRunDirectory } from '@confide/data';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGeminiStandIn, verifierResponder, type StandInServer } from '../../../tools/stand-ins/index.js';
import { captureOutput } from './capture-output.js';
import { runCli } from '../src/main.js';

const folder = mkdtempSync(join(tmpdir(), 'confide-ablate-evaluator-'));
const savedKey = process.env['GEMINI_API_KEY'];
let server: StandInServer;

function writeRun(name: string, bundled: string): void {
  const run = loadBundledRun(bundled);
  const records: RunRecord[] = run.records.slice(0, 12).map((record, index) => (index < 3 ? { ...record, grade: { ...record.grade, correct: !record.grade.correct } } : record));
  writeRunDirectory(join(folder, name), { manifest: { ...run.manifest, records: records.length }, records, problems: null });
}

/** An experiment folder beside the pair, with `grading` as its grading keys. */
function experiment(name: string, grading: Record<string, unknown>): string {
  const experimentFolder = join(folder, name);
  mkdirSync(experimentFolder, { recursive: true });
  writeFileSync(
    join(experimentFolder, 'experiment.json'),
    JSON.stringify({
      kind: 'ablation',
      name,
      title: name,
      dataset: 'math500',
      priceTable: 'seed-math500',
      ...grading,
      small: { run: '../small', label: 'small' },
      large: { run: '../large', label: 'large' },
      routers: [
        { id: 'confidence-token', label: 'confidence token', router: { id: 'core/confidence-token', options: { delegate: ['<|u_math|>', 'none'] } } },
        { id: 'always-small', label: 'always small', router: { id: 'core/always-small' } },
        { id: 'always-large', label: 'always large', router: { id: 'core/always-large' } },
      ],
      bootstrap: { resamples: 20, seed: 0 },
    }),
  );
  return experimentFolder;
}

async function ablate(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const output = captureOutput();
  const code = await runCli(['ablate', ...args]);
  vi.restoreAllMocks();
  return { code, ...output };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function summaryOf(out: string): Record<string, any> {
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
}

const JUDGE = {
  evaluator: { id: 'core/first-of', options: { evaluators: [{ id: 'core/math' }, { id: 'core/model-verifier', options: { client: 'judge' } }] } },
};
function judgeClients(): Record<string, unknown> {
  return { clients: { judge: { id: 'core/gemini', options: { model: 'gemini-2.5-flash', baseUrl: server.url, idempotencyHeader: null }, concurrency: 2 } } };
}

beforeAll(async () => {
  writeRun('small', 'qwen-1.5b-lora-confidence');
  writeRun('large', 'gemini-flash');
  process.env['GEMINI_API_KEY'] = 'test-key';
  // the judge says "A" (the final answer matches) to everything it is asked
  server = await startGeminiStandIn({ apiKey: 'test-key', responder: verifierResponder([{ contains: '', reply: 'A' }]) });
});

afterAll(async () => {
  await server?.close();
  if (savedKey === undefined) delete process.env['GEMINI_API_KEY'];
  else process.env['GEMINI_API_KEY'] = savedKey;
});
afterEach(() => vi.restoreAllMocks());

describe('an ablation graded by an evaluator plugin', () => {
  it('"evaluator": core/math gives the numbers of "grades": "math", and they differ from the recorded ones', async () => {
    const outs = { math: join(folder, 'out-math'), evaluator: join(folder, 'out-evaluator'), recorded: join(folder, 'out-recorded') };
    expect((await ablate(['--experiment', experiment('by-grades', { grades: 'math' }), '--out', outs.math])).code).toBe(0);
    const byEvaluator = await ablate(['--experiment', experiment('by-evaluator', { evaluator: { id: 'core/math' } }), '--out', outs.evaluator]);
    expect(byEvaluator.code, byEvaluator.err.join('\n')).toBe(0);
    expect((await ablate(['--experiment', experiment('by-recorded', {}), '--out', outs.recorded])).code).toBe(0);
    const math = summaryOf(outs.math);
    const evaluator = summaryOf(outs.evaluator);
    expect(evaluator['grades']).toBe('re-graded by the core/math evaluator');
    for (const key of ['pair', 'curves', 'leaderboard', 'runs']) expect(evaluator[key], key).toEqual(math[key]);
    expect(summaryOf(outs.recorded)['pair']).not.toEqual(math['pair']);
  }, 120_000);

  it('refuses "grades": "math" beside an evaluator, and clients without one, naming the key', async () => {
    const both = await ablate(['--experiment', experiment('both', { grades: 'math', evaluator: { id: 'core/math' } }), '--out', join(folder, 'out-both')]);
    expect(both.code).toBe(1);
    expect(both.err.join('\n')).toMatch(/key "grades": "grades": "math" is core\/math's shorthand and "evaluator" names one/);
    const unknown = await ablate(['--experiment', experiment('unknown', { evaluator: { id: 'core/maths' } }), '--out', join(folder, 'out-unknown')]);
    expect(unknown.err.join('\n')).toMatch(/"evaluator": no evaluator plugin "core\/maths"; did you mean "core\/math"/);
  }, 60_000);

  it('a paying verifier is lent its clients: asked only where the rules reject, billed, and it stops cleanly at --budget', async () => {
    const folderWithJudge = experiment('judge', { ...JUDGE, ...judgeClients() });
    const stopped = await ablate(['--experiment', folderWithJudge, '--out', join(folder, 'out-judge-budget'), '--no-cache', '--budget', '0.000001']);
    expect(stopped.code).toBe(1);
    expect(stopped.err.join('\n')).toMatch(/stopped: .*budget.*no report written/i);
    expect(existsSync(join(folder, 'out-judge-budget'))).toBe(false);
    // the budget refuses a call it cannot afford before sending it
    const askedBeforeStop = server.billing.entries.length;

    const out = join(folder, 'out-judge');
    const done = await ablate(['--experiment', folderWithJudge, '--out', out, '--no-cache', '--budget', '1']);
    expect(done.code, done.err.join('\n')).toBe(0);
    const summary = summaryOf(out);
    expect(summary['grades']).toBe('re-graded by the core/first-of evaluator');
    // the judge accepts every answer core/math rejected: both runs are right everywhere
    expect(summary['pair']['small']['accuracy']).toBe(1);
    expect(summary['pair']['large']['accuracy']).toBe(1);
    const mathOut = join(folder, 'out-judge-rules-only');
    expect((await ablate(['--experiment', experiment('rules-only', { evaluator: { id: 'core/math' } }), '--out', mathOut])).code).toBe(0);
    const mathOnly = summaryOf(mathOut);
    const rejected = Math.round((1 - mathOnly['pair']['small']['accuracy']) * 12) + Math.round((1 - mathOnly['pair']['large']['accuracy']) * 12);
    expect(server.billing.entries.length - askedBeforeStop).toBe(rejected);
  }, 120_000);
});
