import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../datasets/math-datasets.js';
import { importAllRecordedRuns } from './import-all-recorded-runs.js';
import { importRecordedRun } from './import-recorded-run.js';
import type { RecordedRunDefinition } from './recorded-run-catalog.js';
import { readRunRecordsFile, writeRunDirectory } from './run-directory.js';

const math500 = loadDataset('math500');

const definition: RecordedRunDefinition = {
  id: 'test-run',
  description: 'test',
  folder: 'test-run',
  file: 'results_llm.json',
  format: 'results-json',
  shape: { kind: 'single', model: 'gemini-2.5-flash' },
};

function row(index: number, overrides: Record<string, unknown> = {}) {
  const problem = math500[index]!;
  return {
    problem_id: `prob_${index}`,
    subject: problem.subject,
    question: problem.problem,
    ground_truth: problem.answer,
    prediction: `so \\boxed{${problem.answer}}`,
    extract_answer: problem.answer,
    is_correct: 'True',
    latency_total: '1.5',
    reason: 'STOP',
    input_tokens: '95',
    thinking_tokens: '10',
    output_tokens: '200',
    ...overrides,
  };
}

function sourceWith(rows: unknown[], raw?: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'confide-import-'));
  mkdirSync(join(folder, 'test-run'));
  writeFileSync(join(folder, 'test-run', 'results_llm.json'), raw ?? JSON.stringify({ summary: {}, results: rows }));
  return folder;
}

function importError(rows: unknown[], raw?: string): InvalidInputError {
  try {
    importRecordedRun(definition, sourceWith(rows, raw), math500);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the import to fail');
}

describe('importRecordedRun', () => {
  it('turns string numbers into numbers and maps prob_i to MATH-500 line i', () => {
    const { records } = importRecordedRun(definition, sourceWith([row(0), row(1, { is_correct: false })]), math500);
    expect(records[0]!.problemId).toBe('test/precalculus/807.json');
    expect(records[0]!.generation.usage).toEqual({ input: 95, output: 200, thinking: 10 });
    expect(records[0]!.generation.latencyMs).toBe(1500);
    expect(records.map((record) => record.grade.correct)).toEqual([true, false]);
  });

  it('names the file, row and field of a missing field', () => {
    const { output_tokens: _dropped, ...incomplete } = row(1);
    const error = importError([row(0), incomplete]);
    expect(error.message).toMatch(/results_llm\.json, row 2, field "output_tokens"/);
    expect([error.row, error.field]).toEqual([2, 'output_tokens']);
  });

  it('rejects a non-numeric token count', () => {
    const error = importError([row(0, { input_tokens: 'ninety' })]);
    expect([error.row, error.field]).toEqual([1, 'input_tokens']);
    expect(error.message).toContain('token count');
  });

  it('rejects a duplicate problem_id', () => {
    const error = importError([row(0), row(1), row(1)]);
    expect([error.row, error.field]).toEqual([3, 'problem_id']);
    expect(error.message).toContain('duplicate prob_1');
  });

  it('rejects a truncated JSON file', () => {
    const error = importError([], JSON.stringify({ results: [row(0)] }).slice(0, 200));
    expect(error.message).toMatch(/results_llm\.json: not valid JSON/);
  });

  it('rejects a gold answer that is not the MATH-500 answer', () => {
    const error = importError([row(0, { ground_truth: '42' })]);
    expect([error.row, error.field]).toEqual([1, 'ground_truth']);
  });

  it('writes nothing when any run fails, and leaves existing run files whole', () => {
    const source = sourceWith([row(0), row(0)]);
    const output = mkdtempSync(join(tmpdir(), 'confide-out-'));
    const good = importRecordedRun(definition, sourceWith([row(0)]), math500);
    writeRunDirectory(join(output, 'test-run'), good);
    const before = readFileSync(join(output, 'test-run', 'records.jsonl.gz'));
    expect(() => importAllRecordedRuns(source, output, math500, [definition])).toThrow(InvalidInputError);
    expect(readFileSync(join(output, 'test-run', 'records.jsonl.gz'))).toEqual(before);
    expect(readdirSync(join(output, 'test-run')).sort()).toEqual(['manifest.json', 'problems.jsonl.gz', 'records.jsonl.gz']);
  });
});

describe('readRunRecordsFile', () => {
  const folder = mkdtempSync(join(tmpdir(), 'confide-records-'));
  const { records } = importRecordedRun(definition, sourceWith([row(0), row(1)]), math500);

  it('names the line of a truncated JSON line', () => {
    const path = join(folder, 'truncated.jsonl');
    const lines = records.map((record) => JSON.stringify(record));
    writeFileSync(path, `${lines[0]}\n${lines[1]!.slice(0, 80)}\n`);
    expect(() => readRunRecordsFile(path)).toThrow(/truncated\.jsonl, row 2: not valid JSON/);
  });

  it('names the field of a non-numeric token count and of a duplicate problem', () => {
    const bad = JSON.parse(JSON.stringify(records[1]));
    bad.generation.usage.output = '12';
    const path = join(folder, 'bad.jsonl');
    writeFileSync(path, `${JSON.stringify(records[0])}\n${JSON.stringify(bad)}\n`);
    expect(() => readRunRecordsFile(path)).toThrow(/bad\.jsonl, row 2, field "generation\.usage\.output"/);
    const duplicate = join(folder, 'duplicate.jsonl');
    writeFileSync(duplicate, `${JSON.stringify(records[0])}\n${JSON.stringify(records[0])}\n`);
    expect(() => readRunRecordsFile(duplicate)).toThrow(/duplicate\.jsonl, row 2, field "problemId"/);
  });
});
