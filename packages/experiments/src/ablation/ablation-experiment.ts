import { InvalidConfigError } from '@confide/core';
import { DatasetReference, PriceTableReference, RunReference } from '@confide/data';
import { z } from 'zod';

const PluginChoice = z.strictObject({ id: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) });

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

export const AblationExperiment = z.strictObject({
  kind: z.literal('ablation'),
  name: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  /** The problems: a bundled name, a file (path, or {file, columns}) relative to this folder, or hf://datasets/…; an ablation uses those its small run answered. */
  dataset: DatasetReference,
  /** A bundled price table id or a price table .json file (relative to this file's folder). */
  priceTable: PriceTableReference,
  /** `recorded`: the verdicts the runs carry (lines up with the paper); `math`: re-graded by the core/math evaluator. */
  grades: z.enum(['recorded', 'math']).default('recorded'),
  /** Runs by bundled id or by path to a run directory (relative to this file's folder). */
  small: z.strictObject({ run: RunReference, label: z.string() }),
  large: z.strictObject({ run: RunReference, label: z.string() }),
  routers: z.array(RouterEntry).min(1),
  cascades: z.array(CascadeEntry).default([]),
  /** The folder of the paper experiment whose Delegation I and II are drawn on the same axes (relative to this file's folder). */
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
        /** `kept-error`: the kept answers err at most `maxKeptErrorRate`; `delegation-rate`: at most `maxDelegationRate` is delegated (a cap on spend). */
        guarantee: z.enum(['kept-error', 'delegation-rate']).default('kept-error'),
        maxKeptErrorRate: z.number().gt(0).lt(1).optional(),
        maxDelegationRate: z.number().gt(0).lt(1).optional(),
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
      }),
    )
    .default([]),
  calibrationBins: z.number().int().min(2).max(100).default(10),
});
export type AblationExperiment = z.infer<typeof AblationExperiment>;

/** Checks that comparisons and risk control name router entries of the experiment. */
export function checkAblationReferences(experiment: AblationExperiment, path: string): void {
  const ids = new Set(experiment.routers.map((router) => router.id));
  for (const comparison of experiment.comparisons) {
    for (const id of comparison.routers) if (!ids.has(id)) throw new InvalidConfigError(`${path}: key "comparisons": unknown router entry "${id}"`);
  }
  for (const entry of experiment.riskControl) {
    if (!ids.has(entry.router)) throw new InvalidConfigError(`${path}: key "riskControl": unknown router entry "${entry.router}"`);
  }
}
