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
    expect(JSON.parse(written.join(''))).toMatchObject({ id: 1, equivalent: true, found: { pred: { answer: '0.5', rule: 'boxed' } } });
  }, 30_000);

  it('finds the answer on both sides by default and says which rule fired on each', async () => {
    const path = pairsFile([
      JSON.stringify({ id: 1, gold: '$12$', pred: 'Final answer: \\[ 12 \\]' }),
      JSON.stringify({ id: 2, gold: '$\\frac{7}{3}$', pred: 'Adding the parts, we get $2 + \\frac{1}{3}$, so the sum is $\\frac{7}{3}$.' }),
      JSON.stringify({ id: 3, gold: '45 pct', pred: '45\\%' }),
      JSON.stringify({ id: 4, gold: 'y>3', pred: '3<y' }),
      JSON.stringify({ id: 5, gold: '12', pred: 'First 3 + 4 = 7, then doubling gives 14' }),
    ]);
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runCli(['grade', '--pairs', path])).toBe(0);
    const rows = written.join('').trim().split('\n').map((line) => JSON.parse(line) as { equivalent: boolean; found: { gold: { rule: string }; pred: { rule: string; fallback: boolean } } });
    expect(rows.map((row) => [row.equivalent, row.found.gold.rule, row.found.pred.rule])).toEqual([
      [true, 'inline-math', 'answer-label'],
      [true, 'inline-math', 'inline-math'],
      [true, 'whole', 'whole'],
      [true, 'whole', 'whole'],
      [false, 'whole', 'last-number'],
    ]);
    expect(rows[4]!.found.pred.fallback).toBe(true);
  }, 30_000);

  it('forces a mode per side, and names a bad mode', async () => {
    const path = pairsFile([JSON.stringify({ id: 1, gold: '12', pred: '12 apples and 3 pears' })]);
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runCli(['grade', '--pairs', path, '--pred-mode', 'response', '--gold-mode', 'bare'])).toBe(0);
    expect(JSON.parse(written.join(''))).toMatchObject({ found: { gold: { rule: 'whole' }, pred: { answer: '3', rule: 'last-number', fallback: true } } });
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
    expect(await runCli(['grade', '--pairs', path, '--gold-mode', 'boxed'])).toBe(1);
    expect(errors.join('\n')).toMatch(/--gold-mode: "boxed" is not one of auto, bare, response/);
  }, 30_000);

  it('explains each verdict with --explain: both sides found, normalised, parsed, and the deciding rule', async () => {
    const path = pairsFile([
      JSON.stringify({ id: 1, gold: '3.25', pred: 'The price is 3,25 €.' }),
      JSON.stringify({ id: 2, gold: '4, 7', pred: 'So $b = 7$ and $a = 4$.', question: 'Find $a$ and $b$.' }),
      JSON.stringify({ id: 3, gold: '4, 7', pred: 'So $b = 7$ and $a = 4$.' }),
    ]);
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runCli(['grade', '--pairs', path, '--explain'])).toBe(0);
    const rows = written.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows[0]).toMatchObject({
      equivalent: true,
      reason: 'decimal-comma',
      explain: {
        gold: { found: '3.25', rule: 'whole', normalized: '3.25', parsed: 'expression: 3.25' },
        prediction: { found: '3,25 €', rule: 'statement', normalized: '3,25', parsed: 'list: 3, 25' },
        reading: { reason: 'decimal-comma', gold: '3.25', prediction: '3.25' },
        decision: 'decimal-comma',
      },
    });
    // the question names a before b: the labelled values are read in that order
    expect(rows[1]).toMatchObject({ equivalent: true, reason: 'labelled-values', explain: { prediction: { parsed: 'list: b = 7, a = 4' } } });
    expect(rows[2]).toMatchObject({ equivalent: false });
    // without --explain the verdict line has no explain field
    written.length = 0;
    expect(await runCli(['grade', '--pairs', path])).toBe(0);
    expect(JSON.parse(written.join('').split('\n')[0]!)).not.toHaveProperty('explain');
  }, 30_000);

  it('refuses --explain with an evaluator that does not explain its verdicts', async () => {
    const path = pairsFile(['{"id": 1, "gold": "1", "pred": "1"}']);
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
    const chain = JSON.stringify({ evaluators: [{ id: 'core/math' }, { id: 'core/math', options: { timeoutMs: 5000 } }] });
    expect(await runCli(['grade', '--pairs', path, '--explain', '--evaluator', 'core/first-of', '--evaluator-options', chain])).toBe(1);
    expect(errors.join('\n')).toMatch(/--explain: core\/math explains its verdicts; core\/first-of does not/);
  });

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
