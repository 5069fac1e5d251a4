import type { Problem } from '@confide/core';
import type { ModelOutcomeTable } from './outcome-table.js';

/** One slice of the problems (a task or benchmark) in the models section: each model's mean score there, and the oracle's. */
export interface ModelsSlice {
  slice: string;
  problems: number;
  scores: Array<{ label: string; meanScore: number }>;
  /** The oracle over the K models: the highest score on each problem of the slice, averaged. */
  oracle: number;
}

/**
 * Each model's mean score by the problems' slice (their task or benchmark: lm-eval's task, RouterBench's eval_name,
 * RouterArena's dataset prefix) on the table's problems, slices sorted by name (problems without one: "unknown");
 * empty when no problem has a slice.
 */
export function modelsBySlice(table: ModelOutcomeTable, problems: readonly Problem[]): ModelsSlice[] {
  const sliceOf = new Map(problems.map((problem) => [problem.id, problem.slice]));
  if (!table.problemIds.some((id) => sliceOf.get(id) !== undefined)) return [];
  const groups = new Map<string, number[]>();
  table.problemIds.forEach((id, row) => {
    const slice = sliceOf.get(id) ?? 'unknown';
    const rows = groups.get(slice) ?? [];
    rows.push(row);
    groups.set(slice, rows);
  });
  return [...groups.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([slice, rows]) => {
      let oracle = 0;
      for (const row of rows) oracle += Math.max(...table.models.map((model) => model.score[row]!));
      return {
        slice,
        problems: rows.length,
        scores: table.labels.map((label, model) => ({ label, meanScore: rows.reduce((sum, row) => sum + table.models[model]!.score[row]!, 0) / rows.length })),
        oracle: oracle / rows.length,
      };
    });
}
