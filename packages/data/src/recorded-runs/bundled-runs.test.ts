import { RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../datasets/math-datasets.js';
import { RECORDED_RUNS } from './recorded-run-catalog.js';
import { bundledRunIds, loadBundledRun } from './run-store.js';

/** Correct counts the seed's recorded files carry (README of ../shared/data), in catalogue order. */
const EXPECTED_CORRECT: Record<string, number> = {
  'qwen-1.5b': 339,
  'qwen-7b': 382,
  'qwen-1.5b-lora-confidence': 360,
  'gemini-flash': 443,
  'gemini-flash-lite': 428,
  'gemini-pro': 444,
  'delegation-1-flash': 426,
  'delegation-2-flash': 419,
  'delegation-1-flash-lite': 409,
  'delegation-2-flash-lite': 408,
};

describe('bundled recorded runs', () => {
  it('bundles the ten catalogued runs', () => {
    expect(bundledRunIds()).toEqual(RECORDED_RUNS.map((run) => run.id).sort());
  });

  it.each(RECORDED_RUNS.map((run) => run.id))('%s has 500 records that round-trip through the schema', (runId) => {
    const { manifest, records } = loadBundledRun(runId);
    expect(records).toHaveLength(500);
    expect(manifest.records).toBe(500);
    for (const record of records) expect(RunRecord.parse(JSON.parse(JSON.stringify(record)))).toEqual(record);
    expect(records.filter((record) => record.grade.correct).length).toBe(EXPECTED_CORRECT[runId]);
  });

  it('maps prob_i to the unique_id of MATH-500 line i', () => {
    const math500 = loadDataset('math500');
    const records = loadBundledRun('gemini-flash').records;
    records.forEach((record, index) => {
      expect(record.sourceId).toBe(`prob_${index}`);
      expect(record.problemId).toBe(math500[index]!.id);
    });
  });

  it('splits Delegation II by the confidence token, not the leftover hand_off_model', () => {
    const records = loadBundledRun('delegation-2-flash').records;
    const kept = records.filter((record) => record.route?.target === 'small');
    expect(kept).toHaveLength(345);
    expect(kept.filter((record) => record.grade.correct)).toHaveLength(298);
    expect(records.filter((record) => record.route?.target === 'large' && record.grade.correct)).toHaveLength(121);
  });

  it('keeps the fine-tuned SLM tokens and the 19 Gemini Pro rows that ask another problem', () => {
    const tokens = loadBundledRun('qwen-1.5b-lora-confidence').records.map((record) => record.generation.confidenceToken);
    expect(tokens.filter((token) => token === '<|c_math|>')).toHaveLength(345);
    expect(tokens.filter((token) => token === '<|u_math|>')).toHaveLength(143);
    expect(tokens.filter((token) => token === null)).toHaveLength(12);
    expect(loadBundledRun('gemini-pro').records.filter((record) => record.note !== undefined)).toHaveLength(19);
  });
});
