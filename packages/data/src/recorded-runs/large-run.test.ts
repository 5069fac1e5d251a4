import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceTable, RUN_RECORD_SCHEMA_VERSION, type Problem, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { importResultsFile } from './import-results.js';
import { readRunDirectory, readRunProblems, writeRunDirectory } from './run-directory.js';
import { runCounts } from './run-store.js';

/** One more than 2^16 + 2^15 + …: past every 16-bit count (65,535) and past 100,000. */
const COUNT = 100_001;

const prices = PriceTable.parse({
  id: 'p',
  version: '2026-01-01',
  currency: 'USD',
  source: 'a test',
  thinkingBilledAs: 'output',
  models: { m: { inputPerMillion: 1, outputPerMillion: 2 } },
});

const problems: Problem[] = Array.from({ length: COUNT }, (_, index) => ({ id: `q${index}`, problem: `What is ${index} + 1?`, answer: String(index + 1) }));

function record(index: number): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'large',
    problemId: `q${index}`,
    gold: String(index + 1),
    generation: { model: 'm', text: `so ${index + 1}`, answer: String(index + 1), confidenceToken: null, usage: { input: 10, output: 5, thinking: 0 }, latencyMs: null, finishReason: null },
    grade: { correct: index % 4 !== 0, evaluator: 'e' },
  };
}

describe('a run of 100,001 problems', () => {
  it('is written and read back whole: records, problems, counts, in order', () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-large-run-'));
    const manifest = writeRunDirectory(folder, {
      manifest: { runId: 'large', description: 'large', dataset: 'd', config: {}, plugins: [], git: { commit: null, dirty: null }, packageVersions: {}, priceTable: prices, records: COUNT },
      records: Array.from({ length: COUNT }, (_, index) => record(index)),
      problems,
    });
    expect(manifest.problems?.count).toBe(COUNT);
    const run = readRunDirectory(folder);
    expect(run.manifest.records).toBe(COUNT);
    expect(run.records).toHaveLength(COUNT);
    expect(run.records[COUNT - 1]).toEqual(record(COUNT - 1));
    expect(run.records.map((entry) => entry.problemId)).toEqual(problems.map((problem) => problem.id));
    const carried = readRunProblems(run)!;
    expect(carried).toHaveLength(COUNT);
    expect(carried[COUNT - 1]).toEqual(problems[COUNT - 1]);
    expect(runCounts(folder)).toMatchObject({ records: COUNT, correct: COUNT - Math.ceil(COUNT / 4) });
  }, 120_000);

  it('is imported from a file whose rows come in another order: records written in the dataset order, the spool removed', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-large-import-'));
    const file = join(folder, 'results.jsonl');
    // every row, last problem first, so reading the spool back has to reorder every line
    const lines: string[] = [];
    for (let index = COUNT - 1; index >= 0; index--) {
      lines.push(JSON.stringify({ id: `q${index}`, response: `so ${index + 1}`, extracted_answer: String(index + 1), is_correct: index % 4 !== 0, input_tokens: 10, output_tokens: 5 }));
    }
    writeFileSync(file, lines.join('\n') + '\n');
    const run = join(folder, 'run');
    const imported = await importResultsFile({ file, problems, datasetReference: 'd', model: 'm', runId: 'large', prices, spoolFolder: run });
    expect(imported.counts).toEqual({ records: COUNT, correct: COUNT - Math.ceil(COUNT / 4) });
    expect(imported.coverage).toMatchObject({ imported: COUNT, dataset: COUNT, notInFile: { count: 0 } });
    try {
      writeRunDirectory(run, { manifest: imported.manifest, records: imported.records, problems: imported.problems });
    } finally {
      imported.discard();
    }
    expect(readdirSync(run).sort()).toEqual(['manifest.json', 'problems.jsonl.gz', 'records.jsonl.gz']);
    const read = readRunDirectory(run);
    expect(read.manifest.records).toBe(COUNT);
    expect(read.records.map((entry) => entry.problemId)).toEqual(problems.map((problem) => problem.id));
    expect(read.records[COUNT - 1]!.generation).toMatchObject({ text: `so ${COUNT}`, answer: String(COUNT), usage: { input: 10, output: 5, thinking: 0 } });
  }, 120_000);
});
