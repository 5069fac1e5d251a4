import { z } from 'zod';
import { Figure, Interval } from './summary-figures.js';

const ModelsPoint = { label: z.string(), meanScore: Figure, meanCostUsd: Figure };

/** The models section (K ≥ 2 runs): every number its tables and chart show; costs are mean dollars per problem. */
export const ModelsSummary = z.strictObject({
  problems: z.number().int(),
  labels: z.array(z.string()),
  lost: z.array(z.strictObject({ label: z.string(), count: z.number().int(), firstIds: z.array(z.string()) })),
  /** Each model's and the oracle's mean score by the problems' slice (their task or benchmark); empty when they carry none. */
  slices: z.array(z.strictObject({ slice: z.string(), problems: z.number().int(), scores: z.array(z.strictObject({ label: z.string(), meanScore: Figure })), oracle: Figure })).default([]),
  costRange: z.strictObject({ minCostUsd: Figure, maxCostUsd: Figure }),
  reportAtCostUsd: Figure,
  reportAtCostSource: z.string(),
  singles: z.array(z.strictObject({ ...ModelsPoint, confidence: z.enum(['token', 'p-confident', 'none']), aiq: Figure, scoreAtReportCost: Figure })),
  bestSingle: z.strictObject({ ...ModelsPoint, interval: Interval }),
  oracle: z.strictObject({ ...ModelsPoint, interval: Interval, shares: z.array(z.strictObject({ label: z.string(), share: Figure })), aiq: Figure, scoreAtReportCost: Figure }),
  headroom: z.strictObject({ value: Figure, interval: Interval }),
  chains: z.array(z.strictObject({ ...ModelsPoint, first: z.string(), second: z.string(), keepRule: z.string(), escalated: Figure, aiq: Figure, scoreAtReportCost: Figure })),
  thresholdRouters: z.array(
    z.strictObject({
      label: z.string(),
      keep: z.string(),
      escalateTo: z.string(),
      points: z.array(z.strictObject({ threshold: z.number(), keptShare: Figure, meanScore: Figure, meanCostUsd: Figure })),
      aiq: Figure,
      scoreAtReportCost: Figure,
      best: z.strictObject({ ...ModelsPoint, threshold: z.number() }),
    }),
  ),
  thresholdRoutersSkipped: z.string().nullable(),
  learned: z
    .strictObject({
      label: z.string(),
      learner: z.string(),
      features: z.string(),
      folds: z.number().int(),
      seed: z.number().int(),
      points: z.array(z.strictObject({ lambda: z.number(), meanScore: Figure, meanCostUsd: Figure, shares: z.array(z.strictObject({ label: z.string(), share: Figure })) })),
      hull: z.array(z.strictObject(ModelsPoint)),
      aiq: Figure,
      aiqInterval: Interval,
      scoreAtReportCost: Figure,
      scoreAtReportCostInterval: Interval,
      operatingPoint: z.strictObject({ ...ModelsPoint, lambda: z.number() }),
    })
    .nullable(),
  learnedSkipped: z.string().nullable(),
  listed: z.array(
    z.strictObject({
      ...ModelsPoint,
      id: z.string(),
      kind: z.enum(['router', 'chain']),
      models: z.array(z.string()),
      decides: z.enum(['before-generation', 'after-first-answer']),
      interval: Interval,
      aiq: Figure,
      scoreAtReportCost: Figure,
      engineCheck: z.strictObject({ agreed: z.boolean(), columnsMeanScore: Figure, columnsMeanCostUsd: Figure }).nullable(),
    }),
  ),
  routersHull: z.strictObject({ points: z.array(z.strictObject(ModelsPoint)), aiq: Figure, interval: Interval, scoreAtReportCost: Figure }),
  beforeVsPostHoc: z.array(
    z.strictObject({
      router: z.string(),
      kind: z.enum(['chain', 'threshold', 'listed']),
      meanScore: Figure,
      meanCostUsd: Figure,
      learnedScoreAtCost: Figure,
      difference: Figure,
      interval: Interval,
      best: z.boolean(),
    }),
  ),
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
      kind: z.enum(['oracle', 'best single', 'chain', 'learned', 'listed']),
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

