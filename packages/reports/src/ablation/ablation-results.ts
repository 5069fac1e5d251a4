import type { PluginUse, RoutingPolicy } from '@confide/core';
import type { SummaryProvenance } from '../summary-provenance.js';
import type { AccuracySummary, AgreementZones } from '@confide/metrics';
import type { Interval, ModelsEvaluation, OperatingPoint, ProblemOutcomes, RiskControlResult, RouterComparison, ScoreCalibration } from '@confide/routing';

/** What the ablation report reads of its experiment (the experiments package's AblationExperiment has this shape). */
export interface AblationReportExperiment {
  name: string;
  title: string;
  /** A dataset reference: a bundled name, hf://…, a file path or {file, columns}. */
  dataset: string | { file: string };
  /** The pair (absent when the experiment lists only `models`). */
  small?: { run: string; label: string } | undefined;
  large?: { run: string; label: string } | undefined;
  /** The K models and the runs placed beside them (absent or empty without `models`). */
  models?: ReadonlyArray<{ run: string; label: string }> | undefined;
  referenceRuns?: ReadonlyArray<{ run: string; label: string }> | undefined;
  bootstrap: { resamples: number; seed: number; confidence: number };
}

/** Problems a score leaves undefined (P(c) where the confidence tokens hold too little mass): delegated at every threshold. */
export interface UnscoredProblems {
  count: number;
  of: number;
  /** Why, in words (the first such problem's reason). */
  reason: string;
}

/** A run the ablation read whose manifest marks it a pipeline check (not a result), and the reason it gives. */
export interface PipelineCheckNote {
  run: string;
  reason: string;
}

export interface RouterCurve {
  id: string;
  label: string;
  router: PluginUse;
  kind: 'sweep' | 'point' | 'cascade';
  points: OperatingPoint[];
  /** The point reported in tables: the only one, or the sweep point whose delegation rate is closest to the reference rate. */
  reported: OperatingPoint;
  reportedOutcomes: ProblemOutcomes;
  intervals: { accuracy: Interval; costUsd: Interval; aiq?: Interval };
  aiq: number | null;
  apgr: number | null;
  cpt50: number | null;
  cpt80: number | null;
  /** For sweeps computed by the fast path: how many points were re-run through the engine and agreed. */
  engineCheck?: { points: number; agreed: number };
  slices: { subject: Array<{ slice: string } & AccuracySummary>; level: Array<{ slice: string } & AccuracySummary> };
  /** For a threshold sweep: the problems with no score (null when every problem has one). */
  unscored: UnscoredProblems | null;
}

export interface PaperPoint {
  label: string;
  accuracy: number;
  costUsd: number;
  delegationRate: number;
  accounting: string;
}

export interface LeaderboardResults {
  /** The pair's agreement zones, and the oracle's accuracy (right wherever either model is). */
  zones: AgreementZones;
  oracleAccuracy: number;
  routers: Array<{
    id: string;
    label: string;
    accuracy: number;
    costUsd: number;
    /** (accuracy − small) / (oracle − small); null when the oracle gains nothing. */
    headroomCaptured: number | null;
    /** RouterArena's arena score (β = 0.1) from the accuracy and the cost per 1,000 problems. */
    arenaScore: number;
    /** RouterArena's Opt.Sel, Opt.Cost, Opt.Acc (null for a cascade). */
    optimality: { optimalSelection: number; optimalCost: number; optimalAccuracy: number; problems: number } | null;
    /** What the router delegated in each zone at its reported point (null for a cascade: its escalations are not the pair's). */
    delegatedByZone: AgreementZones | null;
  }>;
}

/**
 * An ablation's results. The pair's fields (`pair`, `models`, `leaderboard`, the reference rate) are null, and its
 * lists empty, when the experiment lists only `models`; `modelsEvaluation` is null when it lists no `models`.
 */
export interface AblationResults {
  experiment: AblationReportExperiment;
  grades: string;
  referenceDelegationRate: number | null;
  /** Where the reference rate comes from, in words (e.g. "the rate at which the small run's confidence token delegates"). */
  referenceDelegationRateSource: string | null;
  /** Problems of the dataset evaluated (the pair: those the small run answered; models only: those every run answered) and the dataset's size. */
  problems: { evaluated: number; dataset: number; datasetReference: string };
  /** The evaluated problems, in the order every per-problem array follows. */
  problemIds: string[];
  /** The models of the pair, as their records name them. */
  models: { small: string; large: string } | null;
  provenance: SummaryProvenance;
  pair: { small: OperatingPoint; large: OperatingPoint } | null;
  curves: RouterCurve[];
  hull: Array<{ label: string; accuracy: number; costUsd: number }>;
  paperPoints: PaperPoint[];
  comparisons: RouterComparison[];
  calibration: ScoreCalibration[];
  riskControl: RiskControlResult[];
  /** Leaderboard figures of every router at its reported point: agreement zones, oracle headroom captured. */
  leaderboard: LeaderboardResults | null;
  /** A routing policy per certified threshold (written to policies/ beside the report). */
  policies: RoutingPolicy[];
  tokenProbabilities: boolean;
  /** The runs read that are pipeline checks (empty when none is): the report is then a pipeline check too. */
  pipelineCheck: PipelineCheckNote[];
  /** The K models' evaluation (routing/src/evaluation/models-evaluation.ts), null without `models`. */
  modelsEvaluation: ModelsEvaluation | null;
}
