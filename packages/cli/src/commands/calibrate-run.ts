import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfideError, InvalidConfigError, orientedScore, RoutingScore, scoreOfRecord, type ScoreDirection } from '@confide/core';
import type { RunDirectory } from '@confide/data';
import { recalibrate, type CalibrationMethod, type Recalibration } from '@confide/metrics';

export interface CalibrateRunOptions {
  score: string;
  direction: ScoreDirection;
  method: CalibrationMethod;
  folds: number;
  seed: number;
  bins: number;
  resamples: number;
  bootstrapSeed: number;
}

/** What `confide calibrate` computed for one run and one score: the object summary.json holds. */
export interface CalibrationSummary {
  kind: 'calibration';
  run: { reference: string; runId: string; records: number; pipelineCheck: string | null };
  score: {
    id: string;
    direction: ScoreDirection;
    /** The calibrators read the score on the keep-high scale: a keep-low score (a length) is negated first. */
    calibratedOn: 'the score' | 'the negated score';
    scored: number;
    /** Answers with no score (P(c) under its token-mass floor): left out of every figure. */
    unscored: { count: number; reason: string } | null;
  };
  /** Verdicts the calibrated probability predicts: the binary grade of each answer. */
  labels: 'grade.correct';
  settings: Recalibration['settings'];
  accuracy: number;
  before: Recalibration['before'];
  after: Recalibration['after'];
  change: Recalibration['change'];
  /** calibrators[f]: fitted on every fold but f, scoring fold f (the problems' folds by id, `settings.folds`, `settings.seed`). */
  calibrators: Recalibration['calibrators'];
  /** Fitted on every scored problem, for scoring new ones; no figure here uses it. */
  calibratorOnAll: Recalibration['calibratorOnAll'];
  /** The run's files read (relative to the current folder), with their content hashes. */
  inputs: Array<{ file: string; sha256: string }>;
}

/**
 * Recalibrates one run's score: each scored answer's score (oriented keep-high), its verdict, its problem id; the
 * cross-fitted calibration and the before/after figures of `recalibrate`. Errors name the run and the score.
 */
export function calibrateRun(reference: string, run: RunDirectory, options: CalibrateRunOptions): CalibrationSummary {
  const where = `calibrate "${reference}", score "${options.score}"`;
  const parsed = RoutingScore.safeParse(options.score);
  if (!parsed.success) {
    throw new InvalidConfigError(`${where}: not a score: give p-confident, confidence-token, a DeepConf signal (token-confidence.mean, .tail, .bottom-10, .lowest-group, token-margin) or a dotted path to a numeric field of a run record (e.g. generation.usage.output)`);
  }
  const ids: string[] = [];
  const scores: number[] = [];
  const labels: number[] = [];
  let unscored: CalibrationSummary['score']['unscored'] = null;
  for (const record of run.records) {
    const { value, reason } = naming(where, () => scoreOfRecord(record, parsed.data));
    if (value === null) {
      unscored ??= { count: 0, reason };
      unscored.count++;
      continue;
    }
    ids.push(record.problemId);
    scores.push(orientedScore(value, options.direction));
    labels.push(record.grade.correct ? 1 : 0);
  }
  if (ids.length < options.folds) {
    throw new InvalidConfigError(`${where}: ${ids.length} of ${run.records.length} answers have the score; ${options.folds} folds need at least ${options.folds}${unscored ? ` (${unscored.reason})` : ''}`);
  }
  const recalibration = naming(where, () =>
    recalibrate(ids, scores, labels, {
      method: options.method,
      folds: options.folds,
      seed: options.seed,
      bins: options.bins,
      resamples: options.resamples,
      bootstrapSeed: options.bootstrapSeed,
    }),
  );
  return {
    kind: 'calibration',
    run: { reference, runId: run.manifest.runId, records: run.records.length, pipelineCheck: run.manifest.pipelineCheck?.reason ?? null },
    score: { id: options.score, direction: options.direction, calibratedOn: options.direction === 'keep-high' ? 'the score' : 'the negated score', scored: ids.length, unscored },
    labels: 'grade.correct',
    settings: recalibration.settings,
    accuracy: recalibration.accuracy,
    before: recalibration.before,
    after: recalibration.after,
    change: recalibration.change,
    calibrators: recalibration.calibrators,
    calibratorOnAll: recalibration.calibratorOnAll,
    inputs: runInputs(run),
  };
}

/** Runs `compute`; a Confide error it throws is thrown again with the run and score in front. */
function naming<T>(where: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (ConfideError.isInstance(error)) throw new ConfideError(error.code, `${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The run folder's manifest and records, hashed (nothing for a run made in memory). */
function runInputs(run: RunDirectory): CalibrationSummary['inputs'] {
  if (run.folder === undefined) return [];
  return ['manifest.json', 'records.jsonl.gz']
    .map((file) => join(run.folder!, file))
    .filter((path) => existsSync(path))
    .map((path) => ({ file: relative(process.cwd(), path), sha256: createHash('sha256').update(readFileSync(path)).digest('hex') }));
}
