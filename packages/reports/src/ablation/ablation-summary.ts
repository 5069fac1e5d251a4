import { PluginUse } from '@confide/core';
import { z } from 'zod';
import { SummaryProvenance } from '../summary-provenance.js';
import { ModelsSummary } from './models-summary.js';
import { OffPolicySummary } from './off-policy-summary.js';
import { Figure, Interval } from './summary-figures.js';

/** The shape of summary.json; 2 added `runs` and `leaderboard` (every number report.md prints is now in it). Nothing reads version 1. */
export const ABLATION_SUMMARY_SCHEMA_VERSION = 2;

const OperatingPoint = z.strictObject({ parameter: z.number().nullable(), accuracy: Figure, costUsd: Figure, delegationRate: Figure, llmCalls: Figure });
const Slice = z.strictObject({ slice: z.string(), correct: z.number().int(), total: z.number().int(), percent: Figure });
const Bin = z.strictObject({ lower: Figure, upper: Figure, count: z.number().int(), meanScore: Figure, accuracy: Figure });

/** A figure and its percentile interval. */
/**
 * A calibrated score's calibrator, where a guarantee was certified on one: its method and the problems it was fitted
 * on (a split of their own, disjoint from the calibration split and the held-out check); null for a score as it is.
 */
const ScoreCalibratorSplit = z
  .strictObject({ method: z.string(), fittedOn: z.strictObject({ size: z.number().int(), dataHash: z.string() }) })
  .nullable()
  .default(null);
const Estimate = z.strictObject({ estimate: Figure, lower: Figure, upper: Figure });
/** ECE (equal-width, equal-mass), Brier — null for a score that is no probability — AUROC, and the reliability bins. */
const RecalibrationFigures = z.strictObject({
  eceEqualWidth: Estimate.nullable(),
  eceEqualMass: Estimate.nullable(),
  brier: Estimate.nullable(),
  auroc: Estimate,
  reliability: z.strictObject({ equalWidth: z.array(Bin), equalMass: z.array(Bin) }).nullable(),
});

/** How many problems disagree, and the first few (an id and the runs, or the run and the dataset, that differ). */
const ProblemDisagreements = z.strictObject({ count: z.number().int(), first: z.array(z.string()) });

/**
 * Where an ablation's problems come from (the dataset it names, or the problems the runs carry) and how the runs agree
 * with them, by id: questions that differ (whitespace aside), and, with a dataset, ids a run carries that it lacks.
 */
export const ProblemAgreement = z.strictObject({
  source: z.enum(['dataset', 'runs']),
  /** The runs whose carried problems were compared (a run written before runs carried their problems is not). */
  runsCompared: z.number().int(),
  questionMismatches: ProblemDisagreements,
  missingFromDataset: ProblemDisagreements,
});
export type ProblemAgreement = z.infer<typeof ProblemAgreement>;

/** A run the experiment names, and its label in the report. */
export const AblationRun = z.strictObject({ run: z.string(), label: z.string() });
export type AblationRun = z.infer<typeof AblationRun>;

/** Problems a score leaves undefined (P(c) where the confidence tokens hold too little mass): delegated at every threshold. */
export const UnscoredProblems = z.strictObject({
  count: z.number().int(),
  of: z.number().int(),
  /** Why, in words (the first such problem's reason). */
  reason: z.string(),
});
export type UnscoredProblems = z.infer<typeof UnscoredProblems>;

/** A run the ablation read whose manifest marks it a pipeline check (not a result), and the reason it gives. */
export const PipelineCheckNote = z.strictObject({ run: z.string(), reason: z.string() });
export type PipelineCheckNote = z.infer<typeof PipelineCheckNote>;

/** A router at every swept point, its reported point and its statistics. */
export const AblationRouterSummary = z.strictObject({
  id: z.string(),
  label: z.string(),
  kind: z.enum(['sweep', 'point', 'cascade']),
  router: z.union([PluginUse, z.strictObject({ id: z.literal('cascade'), kind: z.literal('router'), options: z.record(z.string(), z.unknown()) })]),
  /** The point reported in tables: the only one, or the sweep point whose delegation rate is closest to the reference rate. */
  reported: OperatingPoint,
  intervals: z.strictObject({ accuracy: Interval, costUsd: Interval, aiq: Interval.optional() }),
  aiq: Figure.nullable(),
  apgr: Figure.nullable(),
  cpt50: Figure.nullable(),
  cpt80: Figure.nullable(),
  /** For sweeps computed by the fast path: how many points were re-run through the engine and agreed (null otherwise). */
  /** A fast path's check: points re-run through the engine on `problems` problems (all, or a seeded sample), and how many agreed problem by problem. */
  engineCheck: z.strictObject({ points: z.number().int(), agreed: z.number().int(), problems: z.number().int() }).nullable().default(null),
  /** A sweep with more distinct thresholds than its grid: how many, and how many the stored points and the resampled AIQ use (null: all). */
  grid: z.strictObject({ thresholds: z.number().int(), kept: z.number().int() }).nullable().default(null),
  points: z.array(OperatingPoint),
  /** Accuracy by subject, level and slice (the problems' task or benchmark: empty when they carry none). */
  slices: z.strictObject({ subject: z.array(Slice), level: z.array(Slice), slice: z.array(Slice).default([]) }),
  /** For a threshold sweep: the problems with no score (null when every problem has one). */
  unscored: UnscoredProblems.nullable(),
});

/** A paper's published point, placed beside the routers (its own cost accounting). */
export const PaperPoint = z.strictObject({ label: z.string(), accuracy: Figure, costUsd: Figure, delegationRate: Figure, accounting: z.string() });
export type PaperPoint = z.input<typeof PaperPoint>;

/** How many problems fall in each agreement zone of the pair (or, per router, how many of them it delegated). */
const AgreementZones = z.strictObject({ bothRight: z.number().int(), onlySmallRight: z.number().int(), onlyLargeRight: z.number().int(), bothWrong: z.number().int() });

/** Leaderboard figures of every router at its reported point: the pair's agreement zones, the oracle's headroom, RouterArena's figures. */
export const AblationLeaderboard = z.strictObject({
  zones: AgreementZones,
  /** Right wherever either model is. */
  oracleAccuracy: Figure,
  routers: z.array(
    z.strictObject({
      id: z.string(),
      label: z.string(),
      accuracy: Figure,
      costUsd: Figure,
      /** (accuracy − small) / (oracle − small); null when the oracle gains nothing. */
      headroomCaptured: Figure.nullable(),
      /** RouterArena's arena score (β = 0.1) from the accuracy and the cost per 1,000 problems. */
      arenaScore: Figure,
      /** RouterArena's Opt.Sel, Opt.Cost, Opt.Acc (null for a cascade). */
      optimality: z.strictObject({ optimalSelection: Figure, optimalCost: Figure, optimalAccuracy: Figure, problems: z.number().int() }).nullable(),
      /** What the router delegated in each zone at its reported point (null for a cascade: its escalations are not the pair's). */
      delegatedByZone: AgreementZones.nullable(),
    }),
  ),
});
export type LeaderboardResults = z.input<typeof AblationLeaderboard>;

/**
 * summary.json of an ablation report: every number report.md prints, and every router's curve and statistics at full
 * precision, and how it was made. The report is rendered from this object as parsed (per-problem arrays stay out).
 */
export const AblationSummary = z.strictObject({
  schemaVersion: z.literal(ABLATION_SUMMARY_SCHEMA_VERSION),
  experiment: z.string(),
  provenance: SummaryProvenance,
  /** `dataset`: the problems the dataset (or, without one, the runs) holds; `agreement`: how the runs' own problems agree with them. */
  problems: z.strictObject({ evaluated: z.number().int(), dataset: z.number().int(), datasetReference: z.string(), agreement: ProblemAgreement.nullable().default(null) }),
  /** What the report says about costs: runs costed by their recorded cost, runs left off the cost axis (cost-unknown) and why. */
  costNotes: z.array(z.string()).default([]),
  title: z.string(),
  grades: z.string(),
  bootstrap: z.strictObject({ resamples: z.number().int(), seed: z.number().int(), confidence: z.number() }),
  tokenProbabilities: z.boolean(),
  /** The runs the experiment names: the pair (null when it lists only `models`), the K models and the reference runs. */
  runs: z.strictObject({ small: AblationRun.nullable(), large: AblationRun.nullable(), models: z.array(AblationRun), referenceRuns: z.array(AblationRun) }),
  /** Set when a run read is a pipeline check (its manifest says so): the numbers show the pipeline runs, not a result. */
  pipelineCheck: z.strictObject({ runs: z.array(PipelineCheckNote) }).nullable(),
  /** The small/large pair and its reference rate: null when the experiment lists only `models`. */
  pair: z.strictObject({ small: OperatingPoint, large: OperatingPoint }).nullable(),
  referenceDelegationRate: z.number().nullable(),
  referenceDelegationRateSource: z.string().nullable(),
  routers: z.array(AblationRouterSummary),
  hull: z.array(z.strictObject({ label: z.string(), accuracy: Figure, costUsd: Figure })),
  paperPoints: z.array(PaperPoint),
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
      scoreCalibrator: ScoreCalibratorSplit,
    }),
  ),
  /** System-level threshold rules: the cheapest threshold for a target accuracy, the most accurate under a mean-cost cap. */
  thresholdTargets: z
    .array(
      z.strictObject({
        label: z.string(),
        guarantee: z.discriminatedUnion('kind', [
          z.strictObject({ kind: z.literal('system-accuracy'), minAccuracy: z.number() }),
          z.strictObject({ kind: z.literal('mean-cost'), maxMeanCostUsd: z.number() }),
        ]),
        target: z.number(),
        delta: z.number(),
        method: z.string(),
        feasibility: z.strictObject({ feasible: z.boolean(), bestAccuracy: Figure, largeAccuracy: Figure, smallMeanCostUsd: Figure }),
        violations: z
          .strictObject({
            splits: z.number().int(),
            population: z.strictObject({ violated: z.number().int(), rate: Figure }),
            heldOut: z.strictObject({ violated: z.number().int(), rate: Figure }),
          })
          .nullable(),
        threshold: z.number().nullable(),
        calibration: z.strictObject({ size: z.number().int(), accuracy: Figure, meanCostUsd: Figure, delegationRate: Figure, pValue: Figure }).nullable(),
        heldOut: z
          .strictObject({
            size: z.number().int(),
            accuracy: Figure,
            accuracyInterval: Interval,
            meanCostUsd: Figure,
            delegationRate: Figure,
            largeAccuracy: Figure,
            largeMeanCostUsd: Figure,
            costSavingVsLarge: Figure,
            costSavingInterval: Interval,
          })
          .nullable(),
        scoreCalibrator: ScoreCalibratorSplit,
      }),
    )
    .default([]),
  /** Every swept score recalibrated by isotonic regression and Platt scaling (cross-fitted), figures before and after. */
  recalibration: z
    .array(
      z.strictObject({
        router: z.string(),
        score: z.string(),
        direction: z.enum(['keep-high', 'keep-low']),
        calibratedOn: z.enum(['the score', 'the negated score']),
        sample: z.strictObject({ size: z.number().int(), of: z.number().int(), seed: z.number().int() }).nullable().default(null),
        settings: z.strictObject({
          method: z.enum(['isotonic', 'platt', 'temperature']),
          folds: z.number().int(),
          seed: z.number().int(),
          bins: z.number().int(),
          resamples: z.number().int(),
          bootstrapSeed: z.number().int(),
          confidence: z.number(),
          refit: z.boolean(),
          interpolation: z.string().nullish(),
          targets: z.string().nullish(),
          input: z.string().nullish(),
        }),
        problems: z.number().int(),
        accuracy: Figure,
        before: RecalibrationFigures,
        after: RecalibrationFigures,
        change: z.strictObject({ eceEqualWidth: Estimate.nullable(), eceEqualMass: Estimate.nullable(), brier: Estimate.nullable(), auroc: Estimate }),
        /** The calibrator fitted on every problem (for new problems; no figure here uses it). */
        calibratorOnAll: z.record(z.string(), z.unknown()),
      }),
    )
    .default([]),
  /**
   * Every router of the pair at its reported point against the cost-matched random mix (credited only when the
   * paired-bootstrap interval of the score difference lies above 0) and the best single model at equal cost; Cohen's κ
   * between routers' routes. Null without the pair (and in summaries written before it existed).
   */
  fairBaselines: z
    .strictObject({
      routers: z.array(
        z.strictObject({
          id: z.string(),
          label: z.string(),
          accuracy: Figure,
          costUsd: Figure,
          mix: z.strictObject({ kind: z.enum(['after-small-answer', 'before-generation']), rate: Figure, accuracy: Figure, costUsd: Figure, matched: z.boolean() }),
          difference: Figure,
          differenceInterval: Interval,
          verdict: z.enum(['credited', 'not credited', 'worse than the mix']),
          bestSingleModel: z.strictObject({ label: z.enum(['small', 'large']), accuracy: Figure, costUsd: Figure }).nullable(),
        }),
      ),
      agreement: z.strictObject({ routers: z.array(z.string()), kappa: z.array(z.array(Figure)) }),
    })
    .nullable()
    .default(null),
  /** Routers estimated off-policy from an exploration log, beside their actual figures: null without `offPolicy`. */
  offPolicy: OffPolicySummary.nullable().default(null),
  /** The leaderboard of the pair's routers: null when the experiment lists only `models`. */
  leaderboard: AblationLeaderboard.nullable(),
  /** The models section: null when the experiment lists no `models`. */
  models: ModelsSummary.nullable(),
});
export type AblationSummary = z.infer<typeof AblationSummary>;
