import { PluginUse } from '@confide/core';
import { z } from 'zod';
import { SummaryProvenance } from '../summary-provenance.js';
import { ModelsSummary } from './models-summary.js';
import { Figure, Interval } from './summary-figures.js';

const OperatingPoint = z.strictObject({ parameter: z.number().nullable(), accuracy: Figure, costUsd: Figure, delegationRate: Figure, llmCalls: Figure });
const Slice = z.strictObject({ slice: z.string(), correct: z.number().int(), total: z.number().int(), percent: Figure });
const Bin = z.strictObject({ lower: Figure, upper: Figure, count: z.number().int(), meanScore: Figure, accuracy: Figure });

/** summary.json of an ablation report: every router's curve and statistics at full precision, and how it was made. */
export const AblationSummary = z.strictObject({
  schemaVersion: z.literal(1),
  experiment: z.string(),
  provenance: SummaryProvenance,
  problems: z.strictObject({ evaluated: z.number().int(), dataset: z.number().int(), datasetReference: z.string() }),
  title: z.string(),
  grades: z.string(),
  bootstrap: z.strictObject({ resamples: z.number().int(), seed: z.number().int(), confidence: z.number() }),
  tokenProbabilities: z.boolean(),
  /** Set when a run read is a pipeline check (its manifest says so): the numbers show the pipeline runs, not a result. */
  pipelineCheck: z.strictObject({ runs: z.array(z.strictObject({ run: z.string(), reason: z.string() })) }).nullable(),
  /** The small/large pair and its reference rate: null when the experiment lists only `models`. */
  pair: z.strictObject({ small: OperatingPoint, large: OperatingPoint }).nullable(),
  referenceDelegationRate: z.number().nullable(),
  referenceDelegationRateSource: z.string().nullable(),
  routers: z.array(
    z.strictObject({
      id: z.string(),
      label: z.string(),
      kind: z.enum(['sweep', 'point', 'cascade']),
      router: z.union([PluginUse, z.strictObject({ id: z.literal('cascade'), kind: z.literal('router'), options: z.record(z.string(), z.unknown()) })]),
      reported: OperatingPoint,
      intervals: z.strictObject({ accuracy: Interval, costUsd: Interval, aiq: Interval.optional() }),
      aiq: Figure.nullable(),
      apgr: Figure.nullable(),
      cpt50: Figure.nullable(),
      cpt80: Figure.nullable(),
      engineCheck: z.strictObject({ points: z.number().int(), agreed: z.number().int() }).nullable(),
      points: z.array(OperatingPoint),
      slices: z.strictObject({ subject: z.array(Slice), level: z.array(Slice) }),
      /** Problems the router's score leaves undefined (no P(c)): delegated at every threshold. */
      unscored: z.strictObject({ count: z.number().int(), of: z.number().int(), reason: z.string() }).nullable(),
    }),
  ),
  hull: z.array(z.strictObject({ label: z.string(), accuracy: Figure, costUsd: Figure })),
  paperPoints: z.array(z.strictObject({ label: z.string(), accuracy: Figure, costUsd: Figure, delegationRate: Figure, accounting: z.string() })),
  comparisons: z.array(
    z.strictObject({
      left: z.string(),
      right: z.string(),
      atDelegationRate: z.number(),
      delegationRates: z.tuple([Figure, Figure]),
      accuracies: z.tuple([Figure, Figure]),
      difference: Figure,
      differenceInterval: Interval,
      mcnemar: z.strictObject({ b: z.number().int(), c: z.number().int(), statistic: Figure, pValue: Figure, method: z.enum(['exact', 'chi-square-continuity']) }),
    }),
  ),
  calibration: z.array(
    z.strictObject({
      router: z.string(),
      score: z.string(),
      auroc: Figure,
      aurc: Figure,
      excessAurc: Figure,
      probability: z
        .strictObject({
          brier: Figure,
          equalWidth: z.strictObject({ ece: Figure, binning: z.string(), binCount: z.number().int(), bins: z.array(Bin) }),
          equalMass: z.strictObject({ ece: Figure, binning: z.string(), binCount: z.number().int(), bins: z.array(Bin) }),
          binCount: z.number().int(),
        })
        .nullable(),
    }),
  ),
  riskControl: z.array(
    z.strictObject({
      label: z.string(),
      guarantee: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('kept-error'), maxKeptErrorRate: z.number() }),
        z.strictObject({ kind: z.literal('delegation-rate'), maxDelegationRate: z.number() }),
      ]),
      target: z.number(),
      delta: z.number(),
      method: z.string(),
      feasibility: z.strictObject({ smallErrorRate: Figure, minimumDelegationRate: Figure }).nullable(),
      violations: z
        .strictObject({
          splits: z.number().int(),
          population: z.strictObject({ violated: z.number().int(), rate: Figure }),
          heldOut: z.strictObject({ violated: z.number().int(), rate: Figure }),
        })
        .nullable(),
      threshold: z.number().nullable(),
      calibration: z.strictObject({ size: z.number().int(), kept: z.number().int(), keptErrorRate: Figure, pValue: Figure }).nullable(),
      heldOut: z
        .strictObject({ size: z.number().int(), kept: z.number().int(), keptErrorRate: Figure, delegationRate: Figure, accuracy: Figure, costUsd: Figure })
        .nullable(),
    }),
  ),
  /** The models section: null when the experiment lists no `models`. */
  models: ModelsSummary.nullable(),
});
export type AblationSummary = z.infer<typeof AblationSummary>;
