import { z } from 'zod';
import { Generation } from './generation.js';
import { Grade } from './grade.js';
import { RouteDecision } from './route-decision.js';

export const RUN_RECORD_SCHEMA_VERSION = 1;

/**
 * One line of a run's `records.jsonl`: one problem's generation, its grade and, in a delegated run, the route taken.
 * A recorded run imported from elsewhere, a live run and a replayed run are all this shape.
 */
export const RunRecord = z.strictObject({
  schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
  runId: z.string().min(1),
  problemId: z.string().min(1),
  sourceId: z.string().optional(),
  subject: z.string().optional(),
  level: z.number().int().min(1).max(5).optional(),
  gold: z.string().nullable(),
  generation: Generation,
  grade: Grade,
  route: RouteDecision.optional(),
  /** A data-quality note carried from import (e.g. an upstream row whose question belongs to another id). */
  note: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** A record a live run keeps for a request that failed after its retries: shown in reports, retried on resume. */
export const FAILED_FINISH_REASON = 'error';
export const FAILED_REASON_PREFIX = 'request failed: ';

/** Whether a record stands for a problem whose request failed (not an answer of the run). */
export function isFailedRecord(record: RunRecord): boolean {
  return record.generation.finishReason === FAILED_FINISH_REASON && record.grade.reason?.startsWith(FAILED_REASON_PREFIX) === true;
}
