import { InvalidConfigError, PluginChoice, RetrySettings, TokenConfidenceOptions } from '@confide/core';
import { RunReference } from '@confide/data';
import { z } from 'zod';
import { experimentHeader, PROBLEMS_AND_PRICES } from '../experiment-header.js';
import { RouterChoice } from '../run-folder/routing-policy-file.js';

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

/** One of the models a run routes among: its label (what routers, records and the report call it) and its slot. */
const ListedModel = z.strictObject({ label: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'lowercase letters, digits, dots and dashes'), model: ModelSlot });
export type ListedModel = z.infer<typeof ListedModel>;

const PublishedUsd = z.string().regex(/^\d+(\.\d+)?$/, 'dollars as printed, e.g. "1.249972"');

/** A live experiment over a pair (the form a pipeline's delegate step takes). */
export const LivePairExperiment = z.strictObject({
  ...experimentHeader('live'),
  ...PROBLEMS_AND_PRICES,
  /** Only the first N problems (a smoke run). */
  limit: z.number().int().positive().optional(),
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
  /**
   * The windows of the DeepConf summary of answers whose client records token logprobs (`logprobs: k`): tokens per
   * group and tokens in the tail (DeepConf's 2048 each when absent). Answers shorter than the group window are one group.
   */
  tokenConfidence: TokenConfidenceOptions.optional(),
  /** Numbers the run must reproduce; the report marks each ✓ or ✗. */
  expect: z.strictObject({ correct: z.number().int().nonnegative(), costUsd: PublishedUsd }).optional(),
});
export type LivePairExperiment = z.infer<typeof LivePairExperiment>;

/**
 * A live experiment: a pair (`small`, `large`, `router`; with `escalations`, a cascade), or K labelled `models` routed
 * by `router` or run as a `cascade`. `liveRoutingOf` checks which keys go together.
 */
export const LiveExperiment = LivePairExperiment.extend({
  /** The pair form: the small and the large model (or give `models`). */
  small: ModelSlot.optional(),
  large: ModelSlot.optional(),
  /**
   * The K-model form (K ≥ 2, instead of `small`/`large`): the models in order. `router` chooses among them (one that
   * decides before generation calls only the model it chooses), or `cascade` runs them as a chain in this order.
   */
  models: z.array(ListedModel).min(2).optional(),
  /** With `models`: the rule of each stage but the last (K − 1 rules): keep that model's answer or escalate to the next. */
  cascade: z.array(RouterChoice).min(1).optional(),
  /** A router plugin, or `{ "policy": "<file>" }`: a routing policy written by `confide ablate` (relative to this file's folder). */
  router: RouterChoice.optional(),
});
export type LiveExperiment = z.infer<typeof LiveExperiment>;

/** What a live experiment routes: a pair (with escalations, a cascade), K models by a router, or K models as a cascade. */
export type LiveRouting =
  | { form: 'pair'; small: ModelSlot; large: ModelSlot; router: RouterChoice }
  | { form: 'models'; models: readonly ListedModel[]; router: RouterChoice }
  | { form: 'models-cascade'; models: readonly ListedModel[]; rules: readonly RouterChoice[] };

/** The experiment's routing form, its keys checked together (one error naming the keys that do not fit). */
export function liveRoutingOf(experiment: LiveExperiment): LiveRouting {
  const where = `live experiment "${experiment.name}"`;
  const { small, large, models, router, cascade } = experiment;
  if (models === undefined) {
    if (small === undefined || large === undefined) throw new InvalidConfigError(`${where}: give "small" and "large" (a pair), or "models" (K ≥ 2 labelled models)`);
    if (cascade !== undefined) throw new InvalidConfigError(`${where}: key "cascade" goes with "models"; a pair's cascade is "escalations"`);
    if (router === undefined) throw new InvalidConfigError(`${where}: key "router": required`);
    return { form: 'pair', small, large, router };
  }
  if (small !== undefined || large !== undefined) throw new InvalidConfigError(`${where}: give either "small" and "large" or "models", not both`);
  if (experiment.escalations.length > 0) throw new InvalidConfigError(`${where}: key "escalations" is for a pair; list the models in order and give "cascade"`);
  const labels = models.map((entry) => entry.label);
  const repeated = labels.filter((label, index) => labels.indexOf(label) !== index);
  if (repeated.length > 0) throw new InvalidConfigError(`${where}: key "models": labels repeat (${[...new Set(repeated)].join(', ')})`);
  if (cascade !== undefined) {
    if (router !== undefined) throw new InvalidConfigError(`${where}: give "router" (it chooses among the models) or "cascade" (a rule per stage), not both`);
    if (cascade.length !== models.length - 1) {
      throw new InvalidConfigError(`${where}: key "cascade": a rule for each stage but the last: ${models.length - 1} for ${models.length} models, got ${cascade.length}`);
    }
    return { form: 'models-cascade', models, rules: cascade };
  }
  if (router === undefined) throw new InvalidConfigError(`${where}: with "models", give "router" (it chooses among them) or "cascade" (a rule per stage)`);
  return { form: 'models', models, router };
}
