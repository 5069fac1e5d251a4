import { RetrySettings } from '@confide/core';
import { DatasetReference, PriceTableReference, RunReference } from '@confide/data';
import { z } from 'zod';
import { RouterChoice } from '../run-folder/routing-policy-file.js';

const PluginChoice = z.strictObject({
  id: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
});
export type PluginChoice = z.infer<typeof PluginChoice>;

const Prompt = z.strictObject({
  system: z.string().optional(),
  user: z.string().refine((text) => text.includes('{problem}'), { message: 'the user template must contain {problem}' }),
});

/** One model of the run: its client plugin, prompt, sampling parameters and lane limits. */
const ModelSlot = z.strictObject({
  client: PluginChoice,
  prompt: Prompt,
  maxOutputTokens: z.number().int().positive(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().optional(),
  /** Requests in flight at once for this model. */
  concurrency: z.number().int().positive().default(8),
  requestsPerMinute: z.number().int().positive().optional(),
  tokensPerMinute: z.number().int().positive().optional(),
});
export type ModelSlot = z.infer<typeof ModelSlot>;

/** The model a live orchestrator (Delegation I) asks; its prompt is the router's own. */
const OrchestratorSlot = ModelSlot.omit({ prompt: true });
export type OrchestratorSlot = z.infer<typeof OrchestratorSlot>;

const PublishedUsd = z.string().regex(/^\d+(\.\d+)?$/, 'dollars as printed, e.g. "1.249972"');

export const LiveExperiment = z.strictObject({
  /** Which pipeline runs this experiment (the Nx experiments plugin reads it too). */
  kind: z.literal('live'),
  name: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  /** The problems: a bundled name, a file (path, or {file, columns}) relative to the experiment's folder, or hf://datasets/…. */
  dataset: DatasetReference,
  /** Only the first N problems (a smoke run). */
  limit: z.number().int().positive().optional(),
  /** A bundled price table id or a price table .json file (relative to this file's folder). */
  priceTable: PriceTableReference,
  small: ModelSlot,
  large: ModelSlot,
  orchestrator: OrchestratorSlot.optional(),
  /** A router plugin, or `{ "policy": "<file>" }`: a routing policy written by `confide ablate` (relative to this file's folder). */
  router: RouterChoice,
  /**
   * Models between the small and the large one, for a cascade: the small model's answer is kept or escalated by
   * `router`, each escalation's answer by its own router, and the large model answers what reaches the end.
   */
  escalations: z.array(z.strictObject({ name: z.string().regex(/^[a-z0-9-]+$/), model: ModelSlot, router: RouterChoice })).default([]),
  /** Other models the router reads (its declared `peers`, e.g. core/agreement's second small model), by peer name. */
  peers: z.record(z.string(), ModelSlot).default({}),
  /** A recorded delegated run whose per-problem routes a replaying router reads (core/orchestrator in replay mode). */
  recordedRoutes: RunReference.optional(),
  evaluator: PluginChoice,
  /** More evaluators whose verdicts the report shows beside the main one. */
  alsoGradeWith: z.array(PluginChoice).default([]),
  /** Problems in flight in the delegation engine at once. */
  concurrency: z.number().int().positive().default(32),
  retry: RetrySettings.default({}),
  /** Numbers the run must reproduce; the report marks each ✓ or ✗. */
  expect: z.strictObject({ correct: z.number().int().nonnegative(), costUsd: PublishedUsd }).optional(),
});
export type LiveExperiment = z.infer<typeof LiveExperiment>;
