import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PluginRegistry, RUN_RECORD_SCHEMA_VERSION, SEED_PRICES_2025_11, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { recordedEvaluator } from './recorded-evaluator.js';

function record(problemId: string, text: string, correct: boolean, gold = '3'): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'recorded-run',
    problemId,
    gold,
    generation: { model: 'm', text, answer: '3', confidenceToken: null, usage: { input: 1, output: 1, thinking: 0 }, latencyMs: null, finishReason: null },
    grade: { correct, evaluator: 'recorded' },
  };
}

function runFolder(records: RunRecord[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'recorded-'));
  writeFileSync(join(folder, 'records.jsonl.gz'), gzipSync(records.map((item) => JSON.stringify(item)).join('\n') + '\n'));
  return folder;
}

const registry = new PluginRegistry().register(recordedEvaluator);
const create = (runs: string[]) => registry.create('evaluator', 'core/recorded', { runs }, { priceTable: SEED_PRICES_2025_11 }).instance;

describe('core/recorded', () => {
  const folder = runFolder([record('p1', 'so \\boxed{3}\r\nend', true), record('p2', 'so \\boxed{4}', false)]);

  it.each([
    ['so \\boxed{3}\nend', true],
    ['so \\boxed{4}', false],
  ])('gives back the recorded verdict for %j (line endings aside)', async (response, correct) => {
    const grade = await create([folder]).grade({ gold: '3', response });
    expect(grade).toMatchObject({ correct, evaluator: 'core/recorded', answer: '3' });
  });

  it('refuses a response no recorded run holds, naming another evaluator', async () => {
    await expect(create([folder]).grade({ gold: '3', response: 'new text' })).rejects.toThrow(/no recorded verdict.*core\/math/);
  });

  it('rejects runs that grade the same response both ways', async () => {
    const other = runFolder([record('p9', 'so \\boxed{4}', true)]);
    await expect(create([folder, other]).grade({ gold: '3', response: 'x' })).rejects.toThrow(/graded true here and false/);
  });

  it('names a missing run folder', async () => {
    await expect(create(['/nonexistent/run']).grade({ gold: '3', response: 'x' })).rejects.toThrow(/no recorded run at \/nonexistent\/run/);
  });
});
