import type { Problem } from '@confide/core';
import type { AccuracySummary } from '@confide/metrics';
import type { ProblemOutcomes } from '../router-statistics.js';

/**
 * Accuracy by the problems' slice (their task or benchmark: lm-eval's task, RouterBench's eval_name, RouterArena's
 * dataset prefix) of a routed run's answers (binary verdicts), slices sorted by name; problems without one go to
 * "unknown". Empty when no problem has a slice.
 */
export function accuracyByProblemSlice(outcomes: Pick<ProblemOutcomes, 'correct'>, problems: readonly Problem[]): Array<{ slice: string } & AccuracySummary> {
  if (problems.every((problem) => problem.slice === undefined)) return [];
  const groups = new Map<string, { correct: number; total: number }>();
  problems.forEach((problem, index) => {
    const slice = problem.slice ?? 'unknown';
    const group = groups.get(slice) ?? { correct: 0, total: 0 };
    group.total++;
    group.correct += outcomes.correct[index] === 1 ? 1 : 0;
    groups.set(slice, group);
  });
  return [...groups.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([slice, { correct, total }]) => ({ slice, correct, total, percent: (correct * 100) / total }));
}
