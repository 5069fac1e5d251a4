import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantiseTokenLogprobs, routingScore, SEED_PRICES_2025_11, summariseTokenConfidence } from '@confide/core';
import { testRunRecord } from '@confide/core/testing';
import { LOGPROBS_FOLDER, LogprobsSidecarWriter, readRunDirectory, writeRunDirectory } from '@confide/data';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { runCli } from '../main.js';

const folder = mkdtempSync(join(tmpdir(), 'confide-data-logprobs-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function cli(args: string[]) {
  const output = captureOutput();
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, ...output };
}

/**
 * Two answers, k = 2. Answer p1's four tokens: [−0.25, −2] [−0.5, −1] [−0.125, −3] [−1, −1], so
 * C = 1.125, 0.75, 1.5625, 1; groups of two: 0.9375, 1.15625, 1.28125 → lowest 0.9375; the tail of one token: 1.
 * Answer p2: one token [−0.5, −0.5], C = 0.5.
 */
function writeRun(name: string, withSidecar: boolean): string {
  const runFolder = join(folder, name);
  const records = ['p1', 'p2'].map((problemId) => testRunRecord({ runId: name, problemId, generation: { model: 'm' } }));
  writeRunDirectory(runFolder, {
    manifest: { runId: name, description: 'd', dataset: 'x', config: {}, plugins: [], git: { commit: null, dirty: null }, packageVersions: {}, priceTable: SEED_PRICES_2025_11, records: 2 },
    records,
    problems: null,
  });
  if (!withSidecar) return runFolder;
  const writer = new LogprobsSidecarWriter(join(runFolder, LOGPROBS_FOLDER));
  const answers = {
    p1: [
      [-0.25, -2],
      [-0.5, -1],
      [-0.125, -3],
      [-1, -1],
    ],
    p2: [[-0.5, -0.5]],
  };
  for (const [problemId, positions] of Object.entries(answers)) {
    const stored = quantiseTokenLogprobs({ k: 2, positions });
    writer.append(problemId, 'm', stored, summariseTokenConfidence(stored));
  }
  writer.close();
  return runFolder;
}

describe('confide data logprobs', () => {
  it('reports a sidecar in figures, and computes its summaries again with other windows, which the run then scores with', async () => {
    const run = writeRun('with-logprobs', true);
    const shown = await cli(['data', 'logprobs', run]);
    expect(shown.code).toBe(0);
    expect(shown.out[0]).toMatch(/2 answers, 5 tokens, top 2 logprobs a token; windows: groups of 2048, tail 2048 \(2 answers\)/);
    expect(routingScore(readRunDirectory(run).records[0]!, 'token-confidence.lowest-group')).toBeCloseTo(4.4375 / 4, 12); // one group: the mean

    const rewritten = await cli(['data', 'logprobs', run, '--group-window', '2', '--tail-tokens', '1', '--format', 'json']);
    expect(rewritten.code).toBe(0);
    const report = JSON.parse(rewritten.out.join('\n'));
    expect(report).toMatchObject({ answers: 2, rewritten: true, windows: [{ groupWindow: 2, tailTokens: 1, answers: 2 }] });
    const [p1, p2] = readRunDirectory(run).records;
    expect(routingScore(p1!, 'token-confidence.lowest-group')).toBe(0.9375);
    expect(routingScore(p1!, 'token-confidence.tail')).toBe(1);
    expect(routingScore(p2!, 'token-confidence.lowest-group')).toBe(0.5); // shorter than the window: one group
    expect(report.scores.find((entry: { score: string }) => entry.score === 'token-confidence.lowest-group')).toMatchObject({ answers: 2, min: 0.5, max: 0.9375 });

    const tailOnly = await cli(['data', 'logprobs', run, '--tail-tokens', '2', '--format', 'json']);
    expect(JSON.parse(tailOnly.out.join('\n')).windows).toEqual([{ groupWindow: 2, tailTokens: 2, answers: 2 }]); // the group window kept
  });

  it('says how to get a sidecar when a run has none, and refuses a window of 0', async () => {
    const none = await cli(['data', 'logprobs', writeRun('without', false)]);
    expect(none.code).not.toBe(0);
    expect(none.err.join('')).toMatch(/has no logprobs sidecar .*record token logprobs with the model client option "logprobs": k/);
    const zero = await cli(['data', 'logprobs', writeRun('zero', true), '--group-window', '0']);
    expect(zero.code).not.toBe(0);
    expect(zero.err.join('')).toMatch(/--group-window \/ --tail-tokens: Too small/);
  });
});
