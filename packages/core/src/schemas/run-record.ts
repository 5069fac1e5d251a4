import { z } from 'zod';
import { Generation } from './generation.js';
import { Grade } from './grade.js';
import { RouteDecision } from './route-decision.js';

export const RUN_RECORD_SCHEMA_VERSION = 2;

/**
 * One line of a run's `records.jsonl` (schema v2): one problem's generation, its grade (a binary verdict, and a graded
 * `score` in [0, 1] where the source gives one) and, in a delegated run, the route taken (with the `model` label that
 * answered). A recorded run imported from elsewhere, a live run and a replayed run are all this shape.
 */
export const RunRecordV2 = z.strictObject({
  schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
  runId: z.string().min(1),
  problemId: z.string().min(1),
  sourceId: z.string().optional(),
  subject: z.string().optional(),
  level: z.number().int().min(1).max(5).optional(),
  /** The problem's task or benchmark (Problem.slice), beside subject and level. */
  slice: z.string().min(1).optional(),
  gold: z.string().nullable(),
  /** The generation without its raw token logprobs: those live in the run folder's logprobs sidecar. */
  generation: Generation.omit({ tokenLogprobs: true }),
  grade: Grade,
  route: RouteDecision.optional(),
  /** A data-quality note carried from import (e.g. an upstream row whose question belongs to another id). */
  note: z.string().optional(),
});

/**
 * Schema v1 differs from v2 only by what v2 added (`grade.score`, `route.model`, an exploring router's
 * `route.propensity` and `route.propensities`, all optional), so a v1 line reads as v2 once its version says 2; one
 * that already holds a v2 field is refused by the v2 schema's version check.
 */
function readV1AsV2(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || (value as { schemaVersion?: unknown }).schemaVersion !== 1) return value;
  const grade = (value as { grade?: { score?: unknown } }).grade;
  const route = (value as { route?: { model?: unknown; propensity?: unknown; propensities?: unknown } }).route;
  if (grade?.score !== undefined || route?.model !== undefined || route?.propensity !== undefined || route?.propensities !== undefined) return value;
  return { ...value, schemaVersion: RUN_RECORD_SCHEMA_VERSION };
}

/** Reads a record line of schema v2, or of v1 (upgraded in memory); the bundled runs are v1 files and stay readable. */
export const RunRecord = z.preprocess(readV1AsV2, RunRecordV2);
export type RunRecord = z.infer<typeof RunRecord>;

/** A record a live run keeps for a request that failed after its retries: shown in reports, retried on resume. */
export const FAILED_FINISH_REASON = 'error';
export const FAILED_REASON_PREFIX = 'request failed: ';

/** Whether a record stands for a problem whose request failed (not an answer of the run). */
export function isFailedRecord(record: RunRecord): boolean {
  return record.generation.finishReason === FAILED_FINISH_REASON && record.grade.reason?.startsWith(FAILED_REASON_PREFIX) === true;
}
