import type { RunRecord } from '@confide/core';
import { accuracy, type AccuracySummary } from './accuracy.js';

export type SliceKey = 'subject' | 'level';

/** Accuracy per subject or per level, slices sorted by name. Records without the field go to "unknown". */
export function accuracyBySlice(records: readonly RunRecord[], key: SliceKey): Array<{ slice: string } & AccuracySummary> {
  const groups = new Map<string, RunRecord[]>();
  for (const record of records) {
    const value = record[key];
    const slice = value === undefined ? 'unknown' : String(value);
    const group = groups.get(slice) ?? [];
    group.push(record);
    groups.set(slice, group);
  }
  return [...groups.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([slice, group]) => ({ slice, ...accuracy(group) }));
}
