import { pConfident } from '@confide/core';
import type { ViewMeta } from '../served-data.js';
import type { ViewData } from '../view-data.js';

/** How many of the viewed run's answers carry token probabilities but no P(c) (the tokens hold under the floor), with the first reason. */
export function answersWithoutPConfident(data: ViewData, run = 0): { count: number; reason: string } | null {
  let count = 0;
  let reason = '';
  for (const problem of data.problems) {
    const probabilities = problem.answers[run]!.record.generation.confidenceProbabilities;
    if (probabilities === undefined) continue;
    const result = pConfident(probabilities);
    if (result.value === null) {
      if (count === 0) reason = result.reason;
      count++;
    }
  }
  return count === 0 ? null : { count, reason };
}

/** Everything the page shows of a bundle but its problems: what a server sends first, and what a self-contained page reads from its data. */
export function viewMetaOf(data: ViewData): ViewMeta {
  return {
    schemaVersion: data.schemaVersion,
    title: data.title,
    command: data.command,
    runs: data.runs,
    ...(data.lost ? { lost: data.lost } : {}),
    prices: data.prices,
    bootstrap: data.bootstrap,
    problemCount: data.problems.length,
    score: data.score ? { label: data.score.label, direction: data.score.direction } : null,
    noPConfident: answersWithoutPConfident(data),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The search, as one rule for both pages: problem `index` matches when its label, id, question, gold, any answer's
 * response, or the compared run's grader and reason hold `query`, ignoring case. Null for an empty query.
 */
export function searchMatcher(data: ViewData, query: string): ((index: number) => boolean) | null {
  const trimmed = query.trim();
  if (trimmed === '') return null;
  const pattern = new RegExp(escapeRegExp(trimmed), 'i');
  const compare = data.runs.findIndex((run) => run.role === 'compare');
  return (index) => {
    const problem = data.problems[index]!;
    const first = problem.answers[0]!.record;
    if (pattern.test(first.sourceId ?? problem.id) || pattern.test(problem.id) || pattern.test(problem.question ?? '') || pattern.test(first.gold ?? '')) return true;
    if (problem.answers.some((answer) => pattern.test(answer.record.generation.text))) return true;
    const grade = compare === -1 ? null : problem.answers[compare]!.record.grade;
    return grade !== null && pattern.test(`${grade.evaluator} ${grade.reason ?? ''}`);
  };
}
