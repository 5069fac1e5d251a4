import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { closestIds, InvalidConfigError, PluginChoice, schemaKeysAt, type PluginRegistry } from '@confide/core';
import { isRunPath, RunReference, workspaceRoot } from '@confide/data';
import { z } from 'zod';
import { LentClients } from '../regrade/lent-evaluator.js';
import { experimentHeader, PROBLEMS_AND_PRICES } from '../experiment-header.js';

/** A router to evaluate on the small/large pair: one point, or a sweep of one numeric option. */
const RouterEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string().min(1),
  router: PluginChoice,
  /** Sweep one numeric option: `distinct` (every distinct score, threshold routers only) or explicit values. */
  sweep: z
    .strictObject({
      option: z.string().min(1),
      values: z.union([z.literal('distinct'), z.array(z.number()).min(2)]),
    })
    .optional(),
  /** Seeds to average a randomised router over (its `seed` option is set to 0..repeats-1). */
  repeats: z.number().int().min(1).max(1000).default(1),
  /** Other models the router reads, by peer name. */
  peers: z.record(z.string(), z.strictObject({ run: RunReference })).default({}),
});
export type AblationRouterEntry = z.infer<typeof RouterEntry>;

const CascadeEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string().min(1),
  stages: z
    .array(z.strictObject({ run: RunReference, router: PluginChoice.optional() }))
    .min(2)
    .refine((stages) => stages.slice(0, -1).every((stage) => stage.router !== undefined), {
      message: 'every stage but the last needs a router that keeps or escalates its answer',
    }),
});

/** One of the K models of a models ablation: a run and a short label (lower-case letters, digits, dots and dashes). */
const ModelEntry = z.strictObject({
  run: RunReference,
  label: z.string().regex(/^[a-z0-9.-]+$/, { message: 'a label is lower-case letters, digits, "." and "-" (e.g. "qwen-1.5b")' }),
});

/** A plugin router choosing among the models' labels, run through the engine (before generation, or after the answers it reads). */
const ModelRouterEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string().min(1),
  router: PluginChoice,
});

/** An ordered chain over the models' labels: each stage but the last with a rule that keeps its answer or escalates. */
const ChainEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string().min(1),
  stages: z
    .array(z.strictObject({ model: z.string().min(1), router: PluginChoice.optional() }))
    .min(2)
    .refine((stages) => stages.slice(0, -1).every((stage) => stage.router !== undefined), {
      message: 'every stage but the last needs a router that keeps or escalates its answer',
    }),
});

/** A run placed beside the models as a point (e.g. a recorded delegation): its mean score and cost on the same problems. */
const ReferenceRunEntry = z.strictObject({ run: RunReference, label: z.string().min(1) });

/** Labels given twice, for the schema's message. */
function repeatedLabels(entries: ReadonlyArray<{ label: string }>): string[] {
  const labels = entries.map((entry) => entry.label);
  return [...new Set(labels.filter((label, index) => labels.indexOf(label) !== index))];
}

export const AblationExperiment = z.strictObject({
  ...experimentHeader('ablation'),
  /** The problems (an ablation uses those its small run answered), and the prices. */
  ...PROBLEMS_AND_PRICES,
  /**
   * Optional: without it the problems are those the runs carry (runs imported from a log, or written since runs carry
   * their problems), which must agree on each id's question; with it, each run's carried problems are matched by id and
   * the mismatches counted in the report.
   */
  dataset: PROBLEMS_AND_PRICES.dataset.optional(),
  /** `recorded`: the verdicts the runs carry (lines up with the paper); `math`: re-graded by the core/math evaluator (shorthand for `"evaluator": {"id": "core/math"}`). */
  grades: z.enum(['recorded', 'math']).default('recorded'),
  /**
   * Re-grade every named run with this evaluator (a chain too): each record's extracted answer, as `grades: "math"`
   * does, with the problem's question. Not with `grades: "math"`.
   */
  evaluator: PluginChoice.optional(),
  /** Model clients lent to the evaluator by name (a verifier's judge): scheduled, cached, billed and capped by `confide ablate --budget`. */
  clients: LentClients.default({}),
  /**
   * Runs by bundled id or by path to a run directory (relative to this file's folder). The small/large pair and its
   * routers (the K = 2 form) are optional only when `models` is given; with both, the pair analysis runs as well.
   */
  small: z.strictObject({ run: RunReference, label: z.string() }).optional(),
  large: z.strictObject({ run: RunReference, label: z.string() }).optional(),
  routers: z.array(RouterEntry).min(1).optional(),
  /** K ≥ 2 models to route among (runs over the same problems; those not every run answered are left out and counted). */
  models: z
    .array(ModelEntry)
    .min(2, { message: 'needs at least two models (K ≥ 2) to route among' })
    .superRefine((entries, context) => {
      const repeated = repeatedLabels(entries);
      if (repeated.length > 0) context.addIssue({ code: 'custom', message: `labels must be unique; given more than once: ${repeated.map((label) => `"${label}"`).join(', ')}` });
    })
    .optional(),
  /** Runs placed beside the models (e.g. delegation-1-flash, delegation-2-flash): where they stand against the envelope. Needs `models`. */
  referenceRuns: z.array(ReferenceRunEntry).default([]),
  /** The mean cost per problem (dollars) every router of the models section is also read at (default: the best single model's). */
  reportAtCostUsd: z.number().positive().optional(),
  /** Plugin routers choosing among the models (labels), run through the engine. Needs `models`. */
  modelRouters: z.array(ModelRouterEntry).default([]),
  /** Chains over the models (labels) beside every two-stage chain the models section builds itself. Needs `models`. */
  chains: z.array(ChainEntry).default([]),
  cascades: z.array(CascadeEntry).default([]),
  /**
   * The paper experiment whose Delegation I and II are drawn on the same axes: a bundled experiment id
   * (`paper-math500`, under the workspace's experiments/) or a path to its folder (relative to this file's folder).
   * Loading resolves it to an absolute folder.
   */
  paperExperiment: z.string().min(1).optional(),
  bootstrap: z.strictObject({
    resamples: z.number().int().min(10).max(100_000).default(1000),
    seed: z.number().int().nonnegative().default(0),
    confidence: z.number().gt(0).lt(1).default(0.95),
  }),
  /** Router ids compared pairwise (McNemar, paired bootstrap of the difference) at the given delegation rate. */
  comparisons: z.array(z.strictObject({ routers: z.tuple([z.string(), z.string()]), atDelegationRate: z.number().min(0).max(1) })).default([]),
  /** Threshold choice with a guarantee on a calibration split. */
  riskControl: z
    .array(
      z.strictObject({
        router: z.string(),
        calibrationShare: z.number().gt(0).lt(1).default(0.5),
        seed: z.number().int().nonnegative().default(0),
        /**
         * `kept-error`: the kept answers err at most `maxKeptErrorRate`; `delegation-rate`: at most `maxDelegationRate`
         * is delegated (a cap on spend); `system-accuracy`: the cheapest threshold whose routed accuracy is at least
         * `minAccuracy`; `mean-cost`: the most accurate threshold whose mean cost per problem is at most `maxMeanCostUsd`.
         */
        guarantee: z.enum(['kept-error', 'delegation-rate', 'system-accuracy', 'mean-cost']).default('kept-error'),
        maxKeptErrorRate: z.number().gt(0).lt(1).optional(),
        maxDelegationRate: z.number().gt(0).lt(1).optional(),
        minAccuracy: z.number().gt(0).lt(1).optional(),
        maxMeanCostUsd: z.number().gt(0).optional(),
        delta: z.number().gt(0).lt(1).default(0.1),
        /** Candidate thresholds, fixed in advance (Learn then Test needs them chosen without the calibration data). */
        grid: z.strictObject({ from: z.number(), to: z.number(), steps: z.number().int().min(1).max(100_000) }).optional(),
        /** Random calibration/test splits over which the guarantee's violation rate is measured (0: none). */
        violationSplits: z.number().int().min(0).max(100_000).default(1000),
      }).superRefine((entry, context) => {
        if (entry.guarantee === 'kept-error' && (entry.maxKeptErrorRate === undefined || entry.grid === undefined)) {
          context.addIssue({ code: 'custom', message: 'a kept-error guarantee needs maxKeptErrorRate and grid', path: ['maxKeptErrorRate'] });
        }
        if (entry.guarantee === 'delegation-rate' && entry.maxDelegationRate === undefined) {
          context.addIssue({ code: 'custom', message: 'a delegation-rate guarantee needs maxDelegationRate', path: ['maxDelegationRate'] });
        }
        if (entry.guarantee === 'system-accuracy' && (entry.minAccuracy === undefined || entry.grid === undefined)) {
          context.addIssue({ code: 'custom', message: 'a system-accuracy guarantee needs minAccuracy and grid', path: ['minAccuracy'] });
        }
        if (entry.guarantee === 'mean-cost' && (entry.maxMeanCostUsd === undefined || entry.grid === undefined)) {
          context.addIssue({ code: 'custom', message: 'a mean-cost guarantee needs maxMeanCostUsd and grid', path: ['maxMeanCostUsd'] });
        }
      }),
    )
    .default([]),
  calibrationBins: z.number().int().min(2).max(100).default(10),
  /**
   * Off-policy evaluation: the pair's routers named in `routers` (router entry ids) estimated at their reported points
   * from an exploration log — a delegated run whose routes carry propensities (`confide run` with core/explore), by
   * IPS, SNIPS and doubly robust estimators (the reward model: per-route means by `strata` equal-mass strata of the
   * logged score, cross-fitted over `folds`), each beside what the router actually scores and costs.
   */
  offPolicy: z
    .strictObject({
      log: RunReference,
      routers: z.array(z.string().min(1)).min(1),
      strata: z.number().int().min(1).max(100).default(5),
      folds: z.number().int().min(2).max(20).default(2),
    })
    .optional(),
}).superRefine((experiment, context) => {
  if (experiment.evaluator !== undefined && experiment.grades === 'math') {
    context.addIssue({ code: 'custom', path: ['grades'], message: '"grades": "math" is core/math\'s shorthand and "evaluator" names one: give one of them' });
  }
  if (experiment.evaluator === undefined && Object.keys(experiment.clients).length > 0) {
    context.addIssue({ code: 'custom', path: ['clients'], message: '"clients" are lent to the "evaluator", and the experiment names none' });
  }
  const pairKeys = (['small', 'large', 'routers'] as const).filter((key) => experiment[key] !== undefined);
  if (experiment.models === undefined && pairKeys.length < 3) {
    const missing = (['small', 'large', 'routers'] as const).filter((key) => experiment[key] === undefined);
    context.addIssue({
      code: 'custom',
      path: [missing[0]!],
      message: `an ablation needs "small", "large" and "routers" (the pair form) or "models" (K ≥ 2 runs); missing ${missing.map((key) => `"${key}"`).join(', ')}`,
    });
  } else if (pairKeys.length > 0 && pairKeys.length < 3) {
    const missing = (['small', 'large', 'routers'] as const).filter((key) => experiment[key] === undefined);
    context.addIssue({ code: 'custom', path: [missing[0]!], message: `"small", "large" and "routers" go together (the pair analysis); missing ${missing.map((key) => `"${key}"`).join(', ')}` });
  }
  if (pairKeys.length === 0) {
    for (const key of ['cascades', 'comparisons', 'riskControl'] as const) {
      if (experiment[key].length > 0) context.addIssue({ code: 'custom', path: [key], message: `"${key}" needs the pair form ("small", "large", "routers")` });
    }
    if (experiment.paperExperiment !== undefined) context.addIssue({ code: 'custom', path: ['paperExperiment'], message: '"paperExperiment" needs the pair form ("small", "large", "routers"); with "models", list the delegation runs under "referenceRuns"' });
    if (experiment.offPolicy !== undefined) context.addIssue({ code: 'custom', path: ['offPolicy'], message: '"offPolicy" needs the pair form ("small", "large", "routers"): it estimates the pair\'s routers' });
  }
  if (experiment.models === undefined) {
    for (const key of ['referenceRuns', 'modelRouters', 'chains'] as const) {
      if (experiment[key].length > 0) context.addIssue({ code: 'custom', path: [key], message: `"${key}" needs "models"` });
    }
    if (experiment.reportAtCostUsd !== undefined) context.addIssue({ code: 'custom', path: ['reportAtCostUsd'], message: '"reportAtCostUsd" needs "models"' });
  } else {
    const labels = experiment.models.map((entry) => entry.label);
    experiment.chains.forEach((chain, index) => {
      chain.stages.forEach((stage, position) => {
        if (!labels.includes(stage.model)) {
          context.addIssue({ code: 'custom', path: ['chains', index, 'stages', position, 'model'], message: `chain "${chain.id}": "${stage.model}" is not one of the models (${labels.join(', ')})` });
        }
      });
    });
    const ids = [...experiment.modelRouters, ...experiment.chains].map((entry) => entry.id);
    const repeated = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
    if (repeated.length > 0) context.addIssue({ code: 'custom', path: ['chains'], message: `router and chain ids must be unique; given more than once: ${repeated.map((id) => `"${id}"`).join(', ')}` });
  }
});
export type AblationExperiment = z.infer<typeof AblationExperiment>;

/** An ablation with the small/large pair and its routers (the K = 2 form). */
export type PairAblationExperiment = AblationExperiment & Required<Pick<AblationExperiment, 'small' | 'large' | 'routers'>>;

/** The experiment as a pair ablation, or null when it gives only `models` (the schema makes the three go together). */
export function pairAblationOf(experiment: AblationExperiment): PairAblationExperiment | null {
  return experiment.small !== undefined && experiment.large !== undefined && experiment.routers !== undefined ? (experiment as PairAblationExperiment) : null;
}

/** Every run the experiment names, once each: the pair's, the peers', the cascade stages', the models' and the reference runs. */
export function namedRuns(experiment: AblationExperiment): string[] {
  return [
    ...new Set([
      ...(experiment.small ? [experiment.small.run] : []),
      ...(experiment.large ? [experiment.large.run] : []),
      ...(experiment.routers ?? []).flatMap((entry) => Object.values(entry.peers).map((peer) => peer.run)),
      ...experiment.cascades.flatMap((entry) => entry.stages.map((stage) => stage.run)),
      ...(experiment.models ?? []).map((entry) => entry.run),
      ...experiment.referenceRuns.map((entry) => entry.run),
    ]),
  ];
}

/** Where an experiment reference points: a bundled experiment id names a folder under the workspace's experiments/. */
export function experimentReferenceFolder(reference: string, baseFolder: string): string {
  if (!isRunPath(reference)) return join(workspaceRoot(), 'experiments', reference);
  return isAbsolute(reference) ? reference : resolve(baseFolder, reference);
}

/**
 * Checks that comparisons and risk control name router entries of the experiment, and resolves `paperExperiment` to
 * an absolute folder (a dangling one is refused naming the key). Returns the experiment with that folder.
 */
export function checkAblationReferences(experiment: AblationExperiment, path: string, folder: string): AblationExperiment {
  const ids = (experiment.routers ?? []).map((router) => router.id);
  const unknownEntry = (key: string, id: string) => {
    const suggestions = closestIds(id, ids);
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((suggestion) => `"${suggestion}"`).join(' or ')}?` : ` (entries: ${ids.join(', ')})`;
    return new InvalidConfigError(`${path}: key "${key}": unknown router entry "${id}"${hint}`);
  };
  for (const comparison of experiment.comparisons) {
    for (const id of comparison.routers) if (!ids.includes(id)) throw unknownEntry('comparisons', id);
    // a router is placed at the comparison's delegation rate by its sweep (of a threshold or of any other option)
    for (const id of comparison.routers) {
      if (experiment.routers!.find((router) => router.id === id)!.sweep === undefined) {
        throw new InvalidConfigError(
          `${path}: key "comparisons": router entry "${id}" has no sweep, so it sits at one delegation rate and cannot be compared at atDelegationRate ${comparison.atDelegationRate}; give it a "sweep"`,
        );
      }
    }
  }
  for (const entry of experiment.riskControl) {
    if (!ids.includes(entry.router)) throw unknownEntry('riskControl', entry.router);
  }
  for (const id of experiment.offPolicy?.routers ?? []) {
    if (!ids.includes(id)) throw unknownEntry('offPolicy.routers', id);
  }
  if (experiment.paperExperiment === undefined) return experiment;
  const paperFolder = experimentReferenceFolder(experiment.paperExperiment, folder);
  if (!existsSync(join(paperFolder, 'experiment.json'))) {
    throw new InvalidConfigError(
      `${path}: key "paperExperiment": no experiment at ${paperFolder} (give a bundled experiment id such as "paper-math500", or a path to its folder relative to this file's folder)`,
    );
  }
  return { ...experiment, paperExperiment: paperFolder };
}

/**
 * Checks every plugin the experiment names against the registry when it loads, not halfway through a sweep: each
 * router entry's options, each value its sweep sets (naming the item), the swept option itself, and each cascade
 * stage's router. Errors name the file and the entry.
 */
export function checkAblationPlugins(experiment: AblationExperiment, path: string, registry: PluginRegistry): void {
  for (const entry of experiment.routers ?? []) {
    const where = `${path}: router entry "${entry.id}"`;
    registry.parseOptions('router', entry.router.id, entry.router.options, where);
    const sweep = entry.sweep;
    if (sweep === undefined) continue;
    const known = schemaKeysAt(registry.get('router', entry.router.id).optionsSchema, []);
    if (known.length > 0 && !known.includes(sweep.option)) {
      const suggestions = closestIds(sweep.option, known);
      const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((suggestion) => `"${suggestion}"`).join(' or ')}?` : ` (its options: ${known.join(', ')})`;
      throw new InvalidConfigError(`${where}: key "sweep.option": "${sweep.option}" is not an option of router plugin "${entry.router.id}"${hint}`);
    }
    if (sweep.values === 'distinct') continue;
    sweep.values.forEach((value, index) => {
      registry.parseOptions('router', entry.router.id, { ...entry.router.options, [sweep.option]: value }, `${where}: sweep.values[${index}] (${sweep.option} = ${value})`);
    });
  }
  for (const cascade of experiment.cascades) {
    cascade.stages.forEach((stage, index) => {
      if (stage.router) registry.parseOptions('router', stage.router.id, stage.router.options, `${path}: cascade "${cascade.id}", stages[${index}]`);
    });
  }
  if (experiment.evaluator !== undefined) registry.parseOptions('evaluator', experiment.evaluator.id, experiment.evaluator.options, `${path}: "evaluator"`);
  for (const [name, client] of Object.entries(experiment.clients)) registry.parseOptions('model', client.id, client.options, `${path}: clients "${name}"`);
}
