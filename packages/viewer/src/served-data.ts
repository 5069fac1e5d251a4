import { PipelineCheck, PriceTable, RunRecord, ScoreDirection, TokenUsage } from '@confide/core';
import { z } from 'zod';
import { VIEW_DATA_SCHEMA_VERSION, type ViewProblem } from './view-data.js';

/**
 * What `confide view --serve` serves for a run too large for one page (the page reads it with `connect-src 'self'`):
 *
 *   /data/meta.json            ViewMeta: the bundle's runs, prices and settings, and how many problems it holds
 *   /data/problems.arrow       Arrow IPC: id, label (one row per problem, dataset order)
 *   /data/runs/<k>.arrow       Arrow IPC: run k's row columns (`RowColumns`), the ascending order of each sort key
 *                              (`order_<key>`), and for the viewed run of a run bundle its threshold score (`threshold_score`)
 *   /data/problem/<index>.json ServedProblem: the problem's question and every run's answer (record, core/math, calls)
 *   /data/search?q=<text>      Arrow IPC: index, the problems whose question, gold, id or responses hold the text
 *
 * The columns are a view's rows, computed by the functions the self-contained page uses (`problemRows`), so both pages
 * filter and sort the same numbers.
 */
export const SERVED_DATA_PATHS = {
  meta: '/data/meta.json',
  problems: '/data/problems.arrow',
  run: (run: number) => `/data/runs/${run}.arrow`,
  problem: (index: number) => `/data/problem/${index}.json`,
  search: (query: string) => `/data/search?q=${encodeURIComponent(query)}`,
} as const;

const ViewRunSchema = z.strictObject({
  id: z.string(),
  label: z.string(),
  role: z.enum(['run', 'large', 'compare', 'model']),
  grades: z.enum(['recorded', 'math', 'regrade']).optional(),
  pipelineCheck: PipelineCheck.optional(),
});

export const ViewMeta = z.strictObject({
  schemaVersion: z.literal(VIEW_DATA_SCHEMA_VERSION),
  title: z.string(),
  command: z.string(),
  runs: z.array(ViewRunSchema).min(1),
  lost: z.array(z.strictObject({ label: z.string(), count: z.number().int().nonnegative(), firstIds: z.array(z.string()) })).optional(),
  prices: PriceTable,
  bootstrap: z.strictObject({ resamples: z.number().int().positive(), seed: z.number().int(), confidence: z.number().gt(0).lt(1) }),
  problemCount: z.number().int().nonnegative(),
  /** The score a run bundle's threshold reads (its values: the viewed run's `threshold_score` column); null without one. */
  score: z.strictObject({ label: z.string(), direction: ScoreDirection }).nullable(),
  /** How many of the viewed run's answers carry token probabilities but no P(c), with the first reason; null when none. */
  noPConfident: z.strictObject({ count: z.number().int().positive(), reason: z.string() }).nullable(),
});
export type ViewMeta = z.infer<typeof ViewMeta>;

const FoundSchema = z.strictObject({ answer: z.string(), rule: z.string() }).nullable();

export const ServedProblem = z.strictObject({
  id: z.string(),
  question: z.string().nullable(),
  answers: z.array(
    z.strictObject({
      record: RunRecord,
      math: z.strictObject({
        correct: z.boolean(),
        reason: z.string(),
        gold: FoundSchema,
        prediction: FoundSchema,
        explanation: z.strictObject({ gold: z.string().nullable(), prediction: z.string().nullable(), reading: z.string().nullable(), decision: z.string() }).nullish(),
      }),
      calls: z.array(z.strictObject({ role: z.enum(['answer', 'router']), model: z.string(), usage: TokenUsage, costUsd: z.number(), latencyMs: z.number().nullable() })),
    }),
  ),
}) satisfies z.ZodType<ViewProblem, unknown>;
