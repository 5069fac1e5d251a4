import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

function pairsFile(lines: string[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'confide-grade-'));
  const path = join(folder, 'pairs.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('confide grade', () => {
  it('writes one verdict per line in input order and exits 0 even when verdicts are false', async () => {
    const path = pairsFile([
      '{"id": 1, "gold": "\\\\frac{1}{2}", "pred": "0.5"}',
      '{"id": "b", "gold": "\\\\tan^2y+1", "pred": "\\\\sec^2y"}',
      '',
      '{"id": 3, "gold": "5", "pred": "6"}',
      '{"id": 4, "gold": "5", "pred": null}',
    ]);
    const out = join(path, '..', 'verdicts.jsonl');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runCli(['grade', '--pairs', path, '--out', out])).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map(({ id, equivalent, reason }) => ({ id, equivalent, reason }))).toEqual([
      { id: 1, equivalent: true, reason: 'exact-rational' },
      { id: 'b', equivalent: true, reason: 'numeric-identity' },
      { id: 3, equivalent: false, reason: 'different-value' },
      { id: 4, equivalent: false, reason: 'no-answer' },
    ]);
    expect(rows.every((row) => typeof row['ms'] === 'number')).toBe(true);
  }, 30_000);

  it('extracts answers from full responses with --extract', async () => {
    const path = pairsFile(['{"id": 1, "gold": "\\\\frac12", "pred": "so the answer is \\\\boxed{0.5}"}']);
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runCli(['grade', '--pairs', path, '--extract'])).toBe(0);
    expect(JSON.parse(written.join(''))).toMatchObject({ id: 1, equivalent: true, answer: '0.5' });
  }, 30_000);

  it.each([
    ['{"id": 2, "gold": 5, "pred": "1"}', /row 2, field "gold"/],
    ['{not json', /row 2: not valid JSON/],
    ['{"id": 2, "gold": "5", "pred": "1", "extra": 1}', /row 2/],
  ])('names the bad line: %s', async (bad, message) => {
    const path = pairsFile(['{"id": 1, "gold": "1", "pred": "1"}', bad]);
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
    expect(await runCli(['grade', '--pairs', path])).toBe(1);
    expect(errors.join('\n')).toMatch(message);
  });
});
