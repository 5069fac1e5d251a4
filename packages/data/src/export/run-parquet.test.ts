import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceTable, ZERO_USAGE } from '@confide/core';
import { testProblem, testRunRecord } from '@confide/core/testing';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_PARQUET_COLUMNS, writeRunsParquet } from './run-parquet.js';

const prices = PriceTable.parse({ id: 'test', version: '2025-01-01', currency: 'USD', source: 's', thinkingBilledAs: 'output', models: { 'test-small-model': { inputPerMillion: 1, outputPerMillion: 2 } } });
const p1 = testProblem({ id: 'p1', slice: 'arith' });
const p2 = testProblem({ id: 'p2', problem: 'What is 2 + 2?', answer: '4' });

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'run-parquet-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

async function readBack(path: string): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file: await asyncBufferFromFile(path) });
}

describe('a run as a flat Parquet table', () => {
  it('writes one row per record with the question, gold, tokens, cost and its basis, read back as written', async () => {
    const priced = testRunRecord({ problem: p1, slice: 'arith', generation: { usage: { input: 1000, output: 500 }, latencyMs: 120, confidenceProbabilities: { confident: 0.6, uncertain: 0.2 } } });
    const logged = testRunRecord({ problem: p2, generation: { model: 'logged-model', usage: ZERO_USAGE, usageUnknown: true, recordedCostUsd: 0.0000375, latencyMs: null }, grade: { correct: false, score: 0.25 } });
    const unknown = testRunRecord({ problem: p2, generation: { model: 'logged-model', usage: ZERO_USAGE, usageUnknown: true } });
    const path = join(folder, 'runs.parquet');
    const rows = await writeRunsParquet(path, [
      { label: 'small', records: [priced, logged], problems: [p1, p2], prices },
      { label: 'other', records: [unknown], problems: null, prices },
    ]);
    expect(rows).toBe(3);
    const read = await readBack(path);
    expect(Object.keys(read[0]!)).toEqual(RUN_PARQUET_COLUMNS.map((column) => column.name));
    expect(read[0]).toMatchObject({ run: 'small', problem_id: 'p1', question: 'What is 1 + 1?', gold: '2', subject: 'Prealgebra', level: 1, slice: 'arith', model: 'test-small-model', answer: '2', correct: true, score: 1, input_tokens: 1000, output_tokens: 500, thinking_tokens: 0, cost_basis: 'tokens', recorded_cost_usd: null, latency_ms: 120, confidence_token: '<|c_math|>', evaluator: 'recorded' });
    expect(read[0]!['cost_usd']).toBeCloseTo(0.002, 12);
    expect(read[0]!['p_confident']).toBeCloseTo(0.75, 12);
    expect(read[1]).toMatchObject({ problem_id: 'p2', question: 'What is 2 + 2?', correct: false, score: 0.25, input_tokens: null, output_tokens: null, cost_usd: 0.0000375, cost_basis: 'recorded', recorded_cost_usd: 0.0000375, latency_ms: null });
    expect(read[2]).toMatchObject({ run: 'other', question: null, cost_usd: null, cost_basis: 'unknown' });
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    expect(metadata.created_by).toBe('confide data export');
    expect(JSON.parse(metadata.key_value_metadata!.find((entry) => entry.key === 'confide.columns')!.value!)['cost_basis']).toMatch(/^tokens/);
  });

  it('writes many rows in row groups, and an empty run as a table without rows; no temporary file stays behind', async () => {
    const records = Array.from({ length: 2500 }, (_, index) => testRunRecord({ problem: testProblem({ id: `p${index}` }), grade: { correct: index % 3 === 0 } }));
    const path = join(folder, 'big.parquet');
    await writeRunsParquet(path, [{ label: 'big', records, problems: null, prices }]);
    const read = await readBack(path);
    expect(read).toHaveLength(2500);
    expect(read.filter((row) => row['correct'] === true)).toHaveLength(834);
    expect((await parquetMetadataAsync(await asyncBufferFromFile(path))).row_groups.length).toBeGreaterThan(1);
    const empty = join(folder, 'empty.parquet');
    await writeRunsParquet(empty, [{ label: 'none', records: [], problems: null, prices }]);
    expect(await readBack(empty)).toEqual([]);
    expect(readdirSync(folder).sort()).toEqual(['big.parquet', 'empty.parquet']);
  });
});
