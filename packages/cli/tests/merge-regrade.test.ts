import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@confide/core';
import { loadBundledRun, writeRunDirectory } from '@confide/data';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGeminiStandIn, verifierResponder, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runCli } from '../src/main.js';

// a regrade with core/math then core/model-verifier, the judge a Gemini stand-in on 127.0.0.1: in one piece, and in
// shards merged from their per-problem verdicts
const folder = mkdtempSync(join(tmpdir(), 'confide-merge-regrade-'));
const savedKey = process.env['GEMINI_API_KEY'];
let server: StandInServer;
let run: string;
let configPath: string;

/**
 * Twelve records: the rules accept every third; the judge answers the others, A for even numbers, B for odd. Each
 * text differs, so no two requests are the same (a process collapses identical requests in flight: shards cannot).
 */
function smallRun(): string {
  const template = loadBundledRun('qwen-1.5b').records[0]!;
  const records: RunRecord[] = Array.from({ length: 12 }, (_, index) => ({
    ...template,
    runId: 'twelve',
    problemId: `problem-${index}`,
    sourceId: `problem-${index}`,
    gold: '4',
    generation: { ...template.generation, text: index % 3 === 0 ? 'So \\boxed{4}.' : `It is four-ish (${index}). ANSWER-${index % 2 === 0 ? 'EVEN' : 'ODD'}`, answer: null },
    grade: { correct: index % 4 === 0, evaluator: 'recorded', reason: 'test' },
  }));
  const runFolder = join(folder, 'twelve');
  writeRunDirectory(runFolder, { manifest: { ...loadBundledRun('qwen-1.5b').manifest, runId: 'twelve', records: records.length }, records });
  return runFolder;
}

function quiet(): string[] {
  const out: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void out.push(args.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    out.push(String(text));
    return true;
  });
  return out;
}

beforeAll(async () => {
  process.env['GEMINI_API_KEY'] = 'test-key';
  server = await startGeminiStandIn({ apiKey: 'test-key', responder: verifierResponder([{ contains: 'ANSWER-EVEN', reply: 'A' }, { contains: 'ANSWER-ODD', reply: 'B' }]) });
  run = smallRun();
  configPath = join(folder, 'rules-then-verifier.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      evaluator: { id: 'core/first-of', options: { evaluators: [{ id: 'core/math' }, { id: 'core/model-verifier', options: { client: 'verifier' } }] } },
      clients: { verifier: { id: 'core/gemini', options: { model: 'gemini-2.5-flash', baseUrl: server.url, idempotencyHeader: null }, concurrency: 2 } },
      priceTable: 'seed-math500',
    }),
  );
});

afterAll(async () => {
  await server?.close();
  if (savedKey === undefined) delete process.env['GEMINI_API_KEY'];
  else process.env['GEMINI_API_KEY'] = savedKey;
});
afterEach(() => vi.restoreAllMocks());

describe.each([2, 3])('confide regrade --shard i/%i, then confide merge', (count) => {
  it('writes the report a regrade in one piece writes, from the shards’ verdicts, grading nothing again', { timeout: 60_000 }, async () => {
    const whole = join(folder, `whole-${count}`);
    let lines = quiet();
    expect(await runCli(['regrade', '--run', run, '--evaluator', configPath, '--out', whole, '--no-cache']), lines.join('\n')).toBe(0);
    vi.restoreAllMocks();
    const shards: string[] = [];
    for (let index = 1; index <= count; index++) {
      lines = quiet();
      expect(await runCli(['regrade', '--run', run, '--evaluator', configPath, '--out', join(folder, `r${count}`), '--no-cache', '--shard', `${index}/${count}`]), lines.join('\n')).toBe(0);
      shards.push(join(folder, `r${count}.shard-${index}-of-${count}`));
      vi.restoreAllMocks();
    }
    const billed = server.billing.entries.length;
    const merged = join(folder, `merged-${count}`);
    lines = quiet();
    expect(await runCli(['merge', ...shards, '--out', merged]), lines.join('\n')).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^regrade ${run.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')} with core/first-of, from ${count} shards: recorded 25\\.0%, regraded 66\\.7%`));
    expect(server.billing.entries.length).toBe(billed); // nothing asked again
    for (const file of ['regraded.jsonl', 'flips.jsonl', 'summary.json', 'report.md']) {
      expect(readFileSync(join(merged, file), 'utf8'), file).toBe(readFileSync(join(whole, file), 'utf8'));
    }
    expect(existsSync(join(merged, 'shard.json'))).toBe(false);
  });
});

it('confide merge refuses regrade shards that leave problems out', { timeout: 60_000 }, async () => {
  let lines = quiet();
  expect(await runCli(['regrade', '--run', run, '--evaluator', configPath, '--out', join(folder, 'part'), '--no-cache', '--shard', '2/2']), lines.join('\n')).toBe(0);
  vi.restoreAllMocks();
  lines = quiet();
  expect(await runCli(['merge', join(folder, 'part.shard-2-of-2'), '--out', join(folder, 'part-merged')])).toBe(1);
  expect(lines.join('')).toMatch(/confide: error \[SHARD_COVERAGE\]: the shards do not cover the dataset once: \d+ problems in no shard: problem-/);
  expect(existsSync(join(folder, 'part-merged'))).toBe(false);
});
