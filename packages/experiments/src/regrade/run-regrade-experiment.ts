import { join, resolve } from 'node:path';
import { ConfideError, type EvaluatorVerdict, type PluginRegistry, type RunRecord } from '@confide/core';
import { checkReportOutFolder, loadRunProblems, pricesForRun, resolvePriceTable, RunStore, writeFileAtomic, writeJsonLines, writeReportFolder, type RunDirectory } from '@confide/data';
import type { LoadedExperiment } from '../experiment.js';
import type { ExperimentOutcome } from '../outcome.js';
import { experimentFileLabel } from '../run-folder/experiment-file.js';
import { acquireRunLock } from '../run-folder/run-lock.js';
import { stopReasonOf } from '../run-folder/stop-reason.js';
import { gradeRecords } from './grade-records.js';
import { createLentEvaluator, type LentEvaluator } from './lent-evaluator.js';
import { explanationOfVerdict, problemOf, regradeExperimentMarkdown, regradeExperimentSummary, regradeFindings, type RegradedRow, type RegradedRun, type RegradeExperimentSummary } from './regrade-experiment-report.js';
import { checkReview, readReview, writeReviewTemplate, type RegradeReview, type ReviewSubjects } from './regrade-review.js';

export interface RegradeExperimentOptions {
  loaded: LoadedExperiment<'regrade'>;
  registry: PluginRegistry;
  /** The command's run store; runs named by path resolve against the experiment's folder. */
  runs?: RunStore;
  outFolder: string;
  budgetUsd?: number;
  /** SQLite response cache for the lent clients (null: none). */
  cachePath: string | null;
  /** Only add an "unreviewed" entry to the review file for every disagreement it lacks; no report is written. */
  reviewTemplate?: boolean;
  onProgress?: (message: string) => void;
  /** The command as typed, recorded in the report folder's lock. */
  command?: string;
}

/** Who graded the recorded verdicts, as the records say (the grade's reason, else its evaluator). */
function recordedGraders(records: readonly RunRecord[]): string {
  return [...new Set(records.map((record) => record.grade.reason ?? record.grade.evaluator))].sort().join('; ');
}

/** A verdict as a row of the report. */
function rowOf(record: RunRecord, verdict: EvaluatorVerdict): RegradedRow {
  const found = verdict.found?.prediction;
  return {
    problemId: record.problemId,
    sourceId: record.sourceId ?? null,
    gold: record.gold,
    answer: verdict.answer,
    rule: found?.rule ?? null,
    foundBy: verdict.found === undefined ? 'not stated' : found === null || found === undefined ? 'none' : `${found.rule}${found.fallback ? ' (fallback)' : ''}`,
    recorded: record.grade.correct,
    regraded: verdict.correct,
    reason: verdict.decision ?? verdict.reason ?? '',
    explain: explanationOfVerdict(verdict),
  };
}

/** Each problem's question, from the runs' own problems (a verifier reads them); a run whose problems are not at hand gives none. */
async function questionsOf(runs: ReadonlyArray<{ reference: string; run: RunDirectory }>, warn: (message: string) => void): Promise<Map<string, string>> {
  const questions = new Map<string, string>();
  for (const { reference, run } of runs) {
    try {
      for (const problem of (await loadRunProblems(run)).problems) questions.set(problem.id, problem.problem);
    } catch (error) {
      warn(`regrade: the questions of run ${reference} are not at hand (${(error as Error).message}); the evaluator gets none`);
    }
  }
  return questions;
}

/** Every run graded for every reading the experiment names. */
async function gradeRuns(loaded: LoadedExperiment<'regrade'>, runs: ReadonlyArray<{ reference: string; run: RunDirectory }>, lent: LentEvaluator, onProgress: (message: string) => void): Promise<RegradedRun[]> {
  const { experiment } = loaded;
  const questions = await questionsOf(runs, onProgress);
  const graded: RegradedRun[] = [];
  for (const { reference, run } of runs) {
    onProgress(`regrade: ${reference}`);
    const rows: RegradedRow[][] = [];
    for (const reads of experiment.reads) {
      const verdicts = await gradeRecords(run.records, lent.evaluator, { reads, questions, concurrency: experiment.concurrency });
      rows.push(run.records.map((record, index) => rowOf(record, verdicts[index]!)));
    }
    graded.push({ run: reference, rows });
  }
  return graded;
}

/**
 * The `regrade` experiment: every run graded again by the experiment's evaluator (lent model clients go through the
 * scheduler, the response cache and `--budget`), every disagreement with the recorded grades listed and, with a
 * review, joined with it; writes report.md, summary.json and disagreements.jsonl. A verdict decided by a time-out
 * fails it (the report would not be reproducible); a budget stop comes back as a typed outcome.
 */
export async function runRegradeExperiment(options: RegradeExperimentOptions): Promise<ExperimentOutcome<{ summary: RegradeExperimentSummary | null }>> {
  const { loaded } = options;
  const { experiment, folder } = loaded;
  if (!options.reviewTemplate) checkReportOutFolder(options.outFolder, 'regrade');
  const store = (options.runs ?? new RunStore()).relativeTo(folder);
  const runs = experiment.runs.map((reference) => ({ reference, run: store.load(reference) }));
  const prices = experiment.priceTable !== undefined ? resolvePriceTable(experiment.priceTable, folder) : pricesForRun(runs[0]!.run);
  const onProgress = options.onProgress ?? (() => undefined);
  const lock = options.reviewTemplate ? null : acquireRunLock(options.outFolder, { command: options.command ?? `confide regrade --experiment ${folder}` });
  try {
    const lent = createLentEvaluator({
      registry: options.registry,
      evaluator: experiment.evaluator,
      clients: experiment.clients,
      prices,
      runs: store,
      budgetUsd: options.budgetUsd,
      retry: experiment.retry,
      cachePath: options.cachePath,
    });
    let graded: RegradedRun[];
    try {
      graded = await gradeRuns(loaded, runs, lent, onProgress);
    } catch (error) {
      if (stopReasonOf(error) !== 'budget') throw error;
      return {
        status: 'stopped',
        reason: 'budget',
        message: `stopped: ${(error as Error).message}; $${lent.runClients.budget.spentUsd.toFixed(6)} spent. A rerun answers what was graded from the cache and pays only for the rest.`,
        files: [],
      };
    } finally {
      await lent.close();
    }
    const timeouts = graded.flatMap((run) => run.rows.flat()).filter((row) => row.reason === 'timeout');
    if (timeouts.length > 0) {
      throw new ConfideError('INVALID_INPUT', `${loaded.file}: ${timeouts.length} verdicts were decided by a time-out: the report would not be reproducible (raise the evaluator's time budget, e.g. "timeoutMs")`);
    }
    return await report(options, graded, lent.use, recordedGraders(runs.flatMap(({ run }) => run.records)), Object.keys(experiment.clients).length > 0 ? lent.calls() : null);
  } finally {
    lock?.release();
  }
}

async function report(
  options: RegradeExperimentOptions,
  graded: RegradedRun[],
  evaluator: LentEvaluator['use'],
  recordedGrader: string,
  clientCalls: ReturnType<LentEvaluator['calls']> | null,
): Promise<ExperimentOutcome<{ summary: RegradeExperimentSummary | null }>> {
  const { experiment, folder, file } = options.loaded;
  const findings = regradeFindings(graded);
  const reviewPath = experiment.review === undefined ? null : resolve(folder, experiment.review);
  const review: RegradeReview | null = reviewPath === null ? null : readReview(reviewPath, evaluator.id);
  const experimentLabel = experimentFileLabel(folder);
  const subjects: ReviewSubjects = {
    problemsOfPair: findings.problemsOfPair,
    disagreements: findings.disagreements,
    responseChanges: findings.responseChanges.map(({ run, record }) => ({ run, problem: problemOf(record), found: record.answer, rule: record.rule })),
  };
  if (options.reviewTemplate) {
    if (reviewPath === null || review === null) throw new ConfideError('INVALID_INPUT', `${file}: --review-template writes the experiment's "review" file, and the experiment names none`);
    const counts = writeReviewTemplate(review, subjects, reviewPath);
    options.onProgress?.(`review template: ${counts.entries} entries, ${counts.responses} response entries in ${reviewPath}`);
    return { status: 'complete', summary: null, files: [reviewPath] };
  }
  if (reviewPath !== null && review !== null) checkReview(review, subjects, reviewPath, `confide regrade --experiment ${experimentLabel} --review-template`);
  const summary = regradeExperimentSummary(findings, evaluator, recordedGrader, review, clientCalls);
  const markdown = regradeExperimentMarkdown(findings, summary, review, {
    title: experiment.title,
    description: experiment.description,
    command: `npx confide regrade --experiment ${experimentLabel}`,
    reviewLabel: experiment.review === undefined ? null : join(experimentLabel, experiment.review),
    firstReading: experiment.reads[0]!,
  });
  await writeReportFolder(options.outFolder, 'regrade', (staging) => {
    writeFileAtomic(join(staging, 'report.md'), markdown);
    writeFileAtomic(join(staging, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    writeJsonLines(
      join(staging, 'disagreements.jsonl'),
      findings.disagreements.map(({ run, problemId, sourceId, gold, answer, recorded, regraded, reason, explain }) => ({
        run,
        problemId,
        sourceId,
        gold,
        answer,
        recorded,
        regraded,
        reason,
        ...(explain === null ? {} : { explain }),
      })),
    );
  });
  return { status: 'complete', summary, files: ['report.md', 'summary.json', 'disagreements.jsonl'].map((name) => join(options.outFolder, name)) };
}
