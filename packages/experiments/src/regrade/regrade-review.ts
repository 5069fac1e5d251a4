import { existsSync } from 'node:fs';
import { InvalidConfigError } from '@confide/core';
import { readConfigFile, writeFileAtomic } from '@confide/data';
import { z } from 'zod';

/**
 * A regrade experiment's hand review: one entry per distinct gold/answer pair the evaluator and the recorded grader
 * disagree on, and one per record whose verdict changes when the evaluator reads the full response. Verdicts name the
 * experiment's evaluator (`core/math right`), so a review written for one evaluator is not read as another's.
 */
export function reviewSchema(evaluatorId: string) {
  const entry = z.strictObject({
    gold: z.string(),
    answer: z.string().nullable(),
    /** Which grader the reviewer agrees with. */
    verdict: z.enum([`${evaluatorId} right`, 'recorded right', 'unreviewed']),
    /** Is the answer correct for the problem (the reviewer's own verdict). */
    correct: z.boolean().nullable(),
    note: z.string(),
    /** Problems (sourceId) the pair occurs in, for the reader. */
    problems: z.array(z.string()),
  });
  const response = z.strictObject({
    run: z.string(),
    problem: z.string(),
    /** The answer the evaluator found in the response, and the rule that found it. */
    found: z.string().nullable(),
    rule: z.string().nullable(),
    verdict: z.enum([`${evaluatorId} right`, `${evaluatorId} wrong`, 'unreviewed']),
    note: z.string(),
  });
  return z.strictObject({ reviewer: z.string(), method: z.string(), entries: z.array(entry), responses: z.array(response).default([]) });
}

export interface ReviewEntry {
  gold: string;
  answer: string | null;
  verdict: string;
  correct: boolean | null;
  note: string;
  problems: string[];
}
export interface ResponseReviewEntry {
  run: string;
  problem: string;
  found: string | null;
  rule: string | null;
  verdict: string;
  note: string;
}
export interface RegradeReview {
  reviewer: string;
  method: string;
  entries: ReviewEntry[];
  responses: ResponseReviewEntry[];
}

/** The key of a gold/answer pair, and of one record of one run. */
export const pairKey = (gold: string | null, answer: string | null) => JSON.stringify([gold, answer]);
export const recordKey = (run: string, problem: string) => JSON.stringify([run, problem]);

/** The review file, validated; a file not written yet reads as an empty review (its template writes it). */
export function readReview(path: string, evaluatorId: string): RegradeReview {
  if (!existsSync(path)) return { reviewer: '', method: 'each distinct gold/answer pair read against its problem text', entries: [], responses: [] };
  return readConfigFile(path, reviewSchema(evaluatorId));
}

/** What the review is checked against: the pairs that disagree (with their problems) and the records whose verdict the full response changes. */
export interface ReviewSubjects {
  problemsOfPair: ReadonlyMap<string, ReadonlySet<string>>;
  disagreements: ReadonlyArray<{ gold: string | null; answer: string | null }>;
  responseChanges: ReadonlyArray<{ run: string; problem: string; found: string | null; rule: string | null }>;
}

/** Refuses a review that misses a disagreement, or keeps an entry for one that is gone, naming the file and the command that fills it in. */
export function checkReview(review: RegradeReview, subjects: ReviewSubjects, path: string, templateCommand: string): void {
  const reviewed = new Map(review.entries.map((entry) => [pairKey(entry.gold, entry.answer), entry]));
  const missing = [...subjects.problemsOfPair.keys()].filter((key) => reviewed.get(key) === undefined || reviewed.get(key)!.verdict === 'unreviewed');
  const stale = [...reviewed.keys()].filter((key) => !subjects.problemsOfPair.has(key));
  const reviewedResponses = new Map(review.responses.map((entry) => [recordKey(entry.run, entry.problem), entry]));
  const changed = new Set(subjects.responseChanges.map((change) => recordKey(change.run, change.problem)));
  const missingResponses = [...changed].filter((key) => reviewedResponses.get(key) === undefined || reviewedResponses.get(key)!.verdict === 'unreviewed');
  const staleResponses = [...reviewedResponses.keys()].filter((key) => !changed.has(key));
  if (missing.length > 0 || stale.length > 0 || missingResponses.length > 0 || staleResponses.length > 0) {
    throw new InvalidConfigError(
      `${path} is out of date: ${missing.length} disagreements without a review, ${stale.length} entries for pairs that no longer disagree, ` +
        `${missingResponses.length} response changes without a review, ${staleResponses.length} response entries that no longer change (run ${templateCommand})`,
    );
  }
}

/** Writes the review with an "unreviewed" entry for every disagreement and response change it lacks; returns the counts. */
export function writeReviewTemplate(review: RegradeReview, subjects: ReviewSubjects, path: string): { entries: number; responses: number } {
  const reviewed = new Map(review.entries.map((entry) => [pairKey(entry.gold, entry.answer), entry]));
  const entries: ReviewEntry[] = [...review.entries];
  for (const record of subjects.disagreements) {
    const key = pairKey(record.gold, record.answer);
    if (reviewed.has(key)) continue;
    const entry: ReviewEntry = { gold: record.gold ?? '', answer: record.answer, verdict: 'unreviewed', correct: null, note: '', problems: [] };
    reviewed.set(key, entry);
    entries.push(entry);
  }
  for (const entry of entries) entry.problems = [...(subjects.problemsOfPair.get(pairKey(entry.gold, entry.answer)) ?? [])].sort();
  const reviewedResponses = new Set(review.responses.map((entry) => recordKey(entry.run, entry.problem)));
  const responses: ResponseReviewEntry[] = [...review.responses];
  for (const change of subjects.responseChanges) {
    if (reviewedResponses.has(recordKey(change.run, change.problem))) continue;
    responses.push({ ...change, verdict: 'unreviewed', note: '' });
  }
  writeFileAtomic(path, JSON.stringify({ ...review, entries, responses }, null, 2) + '\n');
  return { entries: entries.length, responses: responses.length };
}
