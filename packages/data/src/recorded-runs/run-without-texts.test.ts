import { describe, expect, it } from 'vitest';
import { loadBundledRun, recordedRunsFolder } from '../index.js';
import { RunStore } from './run-store.js';

describe('a run read without its response texts', () => {
  it('keeps every other field of every record, and drops only the texts', () => {
    const full = loadBundledRun('qwen-1.5b-lora-confidence').records;
    const lean = new RunStore({ bundledFolder: recordedRunsFolder(), texts: false }).records('qwen-1.5b-lora-confidence');
    expect(lean).toHaveLength(full.length);
    expect(full.some((record) => record.generation.text.length > 0)).toBe(true);
    expect(lean.every((record) => record.generation.text === '')).toBe(true);
    expect(lean.map((record) => ({ ...record, generation: { ...record.generation, text: '' } }))).toEqual(full.map((record) => ({ ...record, generation: { ...record.generation, text: '' } })));
  });

  it('is kept by a store moved to another folder', () => {
    expect(new RunStore({ texts: false }).relativeTo('/tmp').texts).toBe(false);
  });
});
