import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceTable, type Problem } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { importResultsFile, type ImportResultsOptions } from './import-results.js';
import { readRunDirectory, writeRunDirectory } from './run-directory.js';

const prices = PriceTable.parse({
  id: 'p',
  version: '2026-01-01',
  currency: 'USD',
  source: 'a test',
  thinkingBilledAs: 'output',
  models: { m: { inputPerMillion: 1, outputPerMillion: 2 } },
});
const problems: Problem[] = Array.from({ length: 6 }, (_, index) => ({ id: `q${index}`, problem: `What is ${index}?`, answer: String(index) }));

function jsonl(rows: object[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'confide-import-stream-'));
  const file = join(folder, 'results.jsonl');
  writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  return file;
}

async function importInto(file: string, options: Partial<ImportResultsOptions> = {}) {
  const run = mkdtempSync(join(tmpdir(), 'confide-import-run-'));
  const imported = await importResultsFile({ file, problems, datasetReference: 'd', model: 'm', runId: 'r', prices, ...options });
  try {
    writeRunDirectory(run, { manifest: imported.manifest, records: imported.records, problems: imported.problems });
  } finally {
    imported.discard();
  }
  return { run, read: readRunDirectory(run), imported };
}

describe('importResultsFile reads a JSON Lines file in one pass when its first row names every column', () => {
  it('a later row bringing a column that takes precedence is read as if every row had been seen first', async () => {
    // every row has `response`; row 4 alone also has `full_response`, which the importer prefers for the text
    const rows = problems.map((problem, index) => ({ id: problem.id, response: `short ${index}`, is_correct: true, ...(index === 3 ? { full_response: 'the full text' } : {}) }));
    const { read, imported } = await importInto(jsonl(rows));
    expect(imported.columns.text).toBe('full_response');
    expect(read.records.map((record) => record.generation.text)).toEqual(['', '', '', 'the full text', '', '']);
  });

  it('a row that fails with the first row’s columns fails the same with every row’s', async () => {
    const rows = problems.map((problem, index) => ({ id: problem.id, response: 'r', is_correct: index === 2 ? 'perhaps' : true }));
    await expect(importInto(jsonl(rows))).rejects.toThrow(/results\.jsonl, row 3, field "is_correct": expected a verdict/);
  });

  it('a row that fails only with the first row’s columns is read again with every row’s', async () => {
    // `correct` (a lower-precedence verdict column) is bad in row 2; row 5 brings `is_correct`, which wins
    const rows = problems.map((problem, index) => ({ id: problem.id, response: 'r', correct: index === 1 ? 'perhaps' : true, ...(index === 4 ? { is_correct: false } : {}) }));
    await expect(importInto(jsonl(rows))).rejects.toThrow(/row 1, field "is_correct": expected a verdict/);
  });

  it('writes records in the dataset order from a spool in another folder, leaving nothing behind there', async () => {
    const spoolFolder = mkdtempSync(join(tmpdir(), 'confide-spool-'));
    const inOrder = problems.map((problem) => ({ id: problem.id, response: `text ${problem.id}`, is_correct: true }));
    const { run, read } = await importInto(jsonl(inOrder), { spoolFolder });
    expect(read.records.map((record) => record.generation.text)).toEqual(problems.map((problem) => `text ${problem.id}`));
    expect(readdirSync(spoolFolder)).toEqual([]);
    expect(readdirSync(run).sort()).toEqual(['manifest.json', 'problems.jsonl.gz', 'records.jsonl.gz']);
    const shuffled = [inOrder[2]!, inOrder[0]!, inOrder[5]!, inOrder[1]!];
    const again = await importInto(jsonl(shuffled), { spoolFolder });
    expect(again.read.records.map((record) => record.problemId)).toEqual(['q0', 'q1', 'q2', 'q5']);
    expect(readdirSync(spoolFolder)).toEqual([]);
  });

  it('Ctrl-C (its signal aborted) stops at the next row, fails with CANCELLED and leaves no spool behind', async () => {
    const spoolFolder = mkdtempSync(join(tmpdir(), 'confide-spool-'));
    const stop = new AbortController();
    const rows = problems.map((problem) => ({ id: problem.id, response: 'r', is_correct: true }));
    const file = jsonl(rows);
    const importing = importResultsFile({ file, problems, datasetReference: 'd', model: 'm', runId: 'r', prices, spoolFolder, signal: stop.signal });
    // the import has not reached a row yet: it reads the first row's columns first
    stop.abort();
    await expect(importing).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(/data import: cancelled at row 1 of .*results\.jsonl; nothing was written/) });
    expect(readdirSync(spoolFolder)).toEqual([]);
  });
});
