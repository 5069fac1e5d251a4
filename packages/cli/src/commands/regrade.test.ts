import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundledRun } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

describe('confide regrade', () => {
  it('writes the records of a recorded run whose verdict flips', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'confide-regrade-')), 'flips.jsonl');
    const messages: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      messages.push(String(chunk));
      return true;
    });
    expect(await runCli(['regrade', '--run', 'qwen-1.5b', '--out', out])).toBe(0);
    const flips = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { problemId: string; sourceId: string; recorded: boolean; regraded: boolean; answer: string });
    const records = new Map(loadBundledRun('qwen-1.5b').records.map((record) => [record.problemId, record]));
    expect(flips.length).toBeGreaterThan(0);
    for (const flip of flips) {
      expect(flip.recorded).toBe(records.get(flip.problemId)!.grade.correct);
      expect(flip.regraded).toBe(!flip.recorded);
      expect(flip.answer).toBe(records.get(flip.problemId)!.generation.answer);
    }
    // prob_0: (3, π/2) against \left( 3, \frac{\pi}{2} \right), wrong for the recorded grader; the flip says why
    expect(flips.find((flip) => flip.sourceId === 'prob_0')).toMatchObject({
      recorded: false,
      regraded: true,
      explain: { gold: { normalized: '(3,\\frac{\\pi}{2})', parsed: 'tuple: (3, π/2)' }, prediction: { normalized: '(3,\\frac{\\pi}{2})' }, decision: 'normalized-string' },
    });
    expect(messages.join('')).toMatch(/regrade qwen-1\.5b with core\/math: recorded 339\/500, regraded \d+\/500; \d+ flips/);
  }, 60_000);

  it('names the bundled runs when the id is unknown', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
    expect(await runCli(['regrade', '--run', 'qwen-15b'])).toBe(1);
    expect(errors.join('\n')).toMatch(/no recorded run "qwen-15b"; did you mean "qwen-1\.5b" or "qwen-7b"\? \(bundled: .*qwen-1\.5b/);
  });
});
