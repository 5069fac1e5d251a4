import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { loadBundledRun, workspaceRoot, writeRunDirectory } from '@confide/data';
import { RegradeConfig } from '@confide/experiments';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGeminiStandIn, verifierResponder, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runCli } from '../src/main.js';

const folder = mkdtempSync(join(tmpdir(), 'confide-verifier-'));
const savedKey = process.env['GEMINI_API_KEY'];
let server: StandInServer;

/** Five records: the rules accept the first; the stand-in judge answers the other four from its fixtures. */
function tinyRun(): string {
  const template = loadBundledRun('qwen-1.5b').records[0]!;
  const record = (id: string, gold: string, text: string, correct: boolean): RunRecord => ({
    ...template,
    runId: 'tiny',
    problemId: id,
    sourceId: id,
    gold,
    generation: { ...template.generation, text, answer: null },
    grade: { correct, evaluator: 'recorded', reason: 'test' },
  });
  const records = [
    record('rules-accept', '4', 'Adding, we get \\boxed{4}.', true),
    record('verifier-accepts', 'x^2+2x+1', 'So the result is (x plus 1) squared, written out: ANSWER-ONE', false),
    record('verifier-rejects', '5', 'The count is \\boxed{6}. ANSWER-TWO', false),
    record('verifier-unparseable', '7', 'It is seven-ish. ANSWER-THREE', false),
    record('verifier-truncated', '9', 'We find nine. ANSWER-FOUR', false),
  ];
  const runFolder = join(folder, 'tiny-run');
  writeRunDirectory(runFolder, { manifest: { ...loadBundledRun('qwen-1.5b').manifest, runId: 'tiny', records: records.length }, records });
  return runFolder;
}

function config(): string {
  const path = join(folder, 'rules-then-verifier.json');
  writeFileSync(
    path,
    JSON.stringify({
      evaluator: { id: 'core/first-of', options: { evaluators: [{ id: 'core/math' }, { id: 'core/model-verifier', options: { client: 'verifier' } }] } },
      // no idempotency header: the stand-in then decides faults from the request body alone (its key would hold the
      // stand-in's port, which changes every run), so the same requests meet the same 429s on every run
      clients: { verifier: { id: 'core/gemini', options: { model: 'gemini-2.5-flash', baseUrl: server.url, idempotencyHeader: null }, concurrency: 2 } },
      priceTable: 'seed-math500',
      retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 },
    }),
  );
  return path;
}

beforeAll(async () => {
  process.env['GEMINI_API_KEY'] = 'test-key';
  server = await startGeminiStandIn({
    apiKey: 'test-key',
    responder: verifierResponder([
      { contains: 'ANSWER-ONE', reply: 'A' },
      { contains: 'ANSWER-TWO', reply: '**B**' },
      { contains: 'ANSWER-THREE', reply: 'Maybe, it depends' },
      { contains: 'ANSWER-FOUR', reply: 'A', finishReason: 'MAX_TOKENS' },
    ]),
    // half the first attempts answer 429: the scheduler retries them
    faults: { rates: { '429': 0.5 }, seed: 3, retryAfterSeconds: 0, timeoutHoldMs: 0 },
  });
});

afterAll(async () => {
  await server?.close();
  if (savedKey === undefined) delete process.env['GEMINI_API_KEY'];
  else process.env['GEMINI_API_KEY'] = savedKey;
});
afterEach(() => vi.restoreAllMocks());

function quiet(): string[] {
  const out: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void out.push(args.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return out;
}

interface Summary {
  accuracy: { recorded: number; firstStep: number; regraded: number };
  flips: { toCorrect: number; toWrong: number; laterStepToCorrect: number };
  clientCalls: { calls: number; costUsd: number; sent: number; cached: number };
}

describe('confide regrade --evaluator: core/math, then core/model-verifier where the rules reject', () => {
  const run = tinyRun();
  const cache = join(folder, 'responses.sqlite');

  it('asks the verifier only about rule-rejected answers, reads A, B, an unparseable and a truncated reply, bills every call', async () => {
    const lines = quiet();
    const out = join(folder, 'report');
    expect(await runCli(['regrade', '--run', run, '--evaluator', config(), '--out', out, '--cache', cache]), lines.join('\n')).toBe(0);
    const verdicts = readFileSync(join(out, 'regraded.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { problemId: string; regraded: boolean; decidedBy: string; reason: string; steps: unknown[] });
    const byId = new Map(verdicts.map((verdict) => [verdict.problemId, verdict]));
    expect(byId.get('rules-accept')).toMatchObject({ regraded: true, decidedBy: 'core/math', steps: [{ evaluator: 'core/math', correct: true }] });
    expect(byId.get('verifier-accepts')).toMatchObject({ regraded: true, decidedBy: 'core/model-verifier' });
    expect(byId.get('verifier-accepts')!.reason).toContain('A (correct)');
    expect(byId.get('verifier-rejects')!.reason).toContain('B (incorrect)');
    expect(byId.get('verifier-unparseable')).toMatchObject({ regraded: false });
    expect(byId.get('verifier-unparseable')!.reason).toContain('unparseable reply "Maybe, it depends"');
    expect(byId.get('verifier-truncated')!.reason).toContain('C (invalid or truncated)');
    // the verifier was asked exactly about the four answers the rules rejected; 429s were retried
    expect(server.billing.entries).toHaveLength(4);
    expect(server.faults.get('429') ?? 0).toBeGreaterThan(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(summary.clientCalls).toMatchObject({ calls: 4, sent: 4, cached: 0 });
    expect(summary.clientCalls.costUsd).toBeGreaterThan(0);
    expect(summary.accuracy).toEqual({ recorded: 0.2, firstStep: 0.2, regraded: 0.4 });
    expect(summary.flips).toEqual({ toCorrect: 1, toWrong: 0, laterStepToCorrect: 1 });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('verifier-accepts');
    // the viewer compares the run with the chain's verdicts
    expect(await runCli(['view', run, '--compare-regrade', out, '--dataset', 'math500', '--out', join(folder, 'view')])).toBe(0);
    const html = readFileSync(join(folder, 'view', 'index.html'), 'utf8');
    expect(html).toContain('"grades":"regrade"');
    expect(html).toContain('core/model-verifier');
  }, 60_000);

  it('a rerun pays nothing twice: every verifier answer comes from the cache', async () => {
    const lines = quiet();
    const billed = server.billing.entries.length;
    const out = join(folder, 'report-again');
    expect(await runCli(['regrade', '--run', run, '--evaluator', config(), '--out', out, '--cache', cache]), lines.join('\n')).toBe(0);
    expect(server.billing.entries.length).toBe(billed);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(summary.clientCalls).toMatchObject({ calls: 4, sent: 0, cached: 4 });
  }, 60_000);

  it('the example configs in experiments/regrade-verifier parse and name the chain', () => {
    for (const file of ['rules-then-verifier.json', 'rules-then-gemini.json']) {
      const parsed = RegradeConfig.parse(JSON.parse(readFileSync(join(workspaceRoot(), 'experiments', 'regrade-verifier', file), 'utf8')));
      expect(parsed.evaluator.id).toBe('core/first-of');
      expect(JSON.stringify(parsed.evaluator.options)).toContain('core/model-verifier');
    }
  });

  it('stops at the budget with a typed message', async () => {
    const lines = quiet();
    expect(await runCli(['regrade', '--run', run, '--evaluator', config(), '--out', join(folder, 'report-budget'), '--no-cache', '--budget', '0.000001'])).toBe(1);
    expect(lines.join('\n')).toMatch(/stopped: .*budget/i);
  }, 60_000);
});
