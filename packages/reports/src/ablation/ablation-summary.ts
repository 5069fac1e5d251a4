import { PluginUse } from '@confide/core';
import { z } from 'zod';
import { SummaryProvenance } from '../summary-provenance.js';

/**
 * A computed figure: a finite number, or null where it is undefined (an AUROC with one class only, a kept error rate
 * with nothing kept). The metrics return NaN there; summary.json holds null, never NaN.
 */
const Figure = z.preprocess((value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), z.number().nullable());
const Interval = z.strictObject({ lower: Figure, upper: Figure });
const OperatingPoint = z.strictObject({ parameter: z.number().nullable(), accuracy: Figure, costUsd: Figure, delegationRate: Figure, llmCalls: Figure });
const Slice = z.strictObject({ slice: z.string(), correct: z.number().int(), total: z.number().int(), percent: Figure });
const Bin = z.strictObject({ lower: Figure, upper: Figure, count: z.number().int(), meanScore: Figure, accuracy: Figure });

const ModelsPoint = { label: z.string(), meanScore: Figure, meanCostUsd: Figure };

/** The models section (K ≥ 2 runs): every number its tables and chart show; costs are mean dollars per problem. */
const ModelsSummary = z.strictObject({
  problems: z.number().int(),
  labels: z.array(z.string()),
  lost: z.array(z.strictObject({ label: z.string(), count: z.number().int(), firstIds: z.array(z.string()) })),
  costRange: z.strictObject({ minCostUsd: Figure, maxCostUsd: Figure }),
  reportAtCostUsd: Figure,
  reportAtCostSource: z.string(),
  singles: z.array(z.strictObject({ ...ModelsPoint, confidence: z.enum(['token', 'p-confident', 'none']), aiq: Figure, scoreAtReportCost: Figure })),
  bestSingle: z.strictObject({ ...ModelsPoint, interval: Interval }),
  oracle: z.strictObject({ ...ModelsPoint, interval: Interval, shares: z.array(z.strictObject({ label: z.string(), share: Figure })), aiq: Figure, scoreAtReportCost: Figure }),
  headroom: z.strictObject({ value: Figure, interval: Interval }),
  chains: z.array(z.strictObject({ ...ModelsPoint, first: z.string(), second: z.string(), keepRule: z.string(), escalated: Figure, aiq: Figure, scoreAtReportCost: Figure })),
  skippedChains: z.array(z.strictObject({ first: z.string(), reason: z.string() })),
  pairs: z.array(
    z.strictObject({
      labels: z.tuple([z.string(), z.string()]),
      mixturesAiq: Figure,
      chains: z.array(z.string()),
      hull: z.array(z.strictObject(ModelsPoint)),
      hullAiq: Figure,
      scoreAtReportCost: Figure,
      mixtures: z.array(z.strictObject({ probability: z.number(), meanScore: Figure, meanCostUsd: Figure })),
    }),
  ),
  mixtureSteps: z.number().int(),
  bestPair: z.strictObject({ labels: z.tuple([z.string(), z.string()]), aiq: Figure, interval: Interval }),
  envelope: z.strictObject({ points: z.array(z.strictObject(ModelsPoint)), aiq: Figure, interval: Interval, scoreAtReportCost: Figure }),
  arena: z.array(
    z.strictObject({
      ...ModelsPoint,
      kind: z.enum(['oracle', 'best single', 'chain']),
      arenaScore: Figure,
      optimalSelection: Figure,
      optimalCost: Figure,
      optimalAccuracy: Figure,
      optimalityProblems: z.number().int(),
    }),
  ),
  references: z.array(z.strictObject({ ...ModelsPoint, envelopeScoreAtCost: Figure, gapToEnvelope: Figure, gapInterval: Interval })),
  bootstrap: z.strictObject({ resamples: z.number().int(), seed: z.number().int(), confidence: z.number() }),
});
export type ModelsSummary = z.infer<typeof ModelsSummary>;

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
