import type { RoutingPolicy } from '@confide/core';
import type { ModelsEvaluation, OperatingPoint, ProblemOutcomes, RiskControlResult, RouterComparison, ScoreCalibration, ScoreCalibratorSplit, SystemGuaranteeResult, FairBaselines, ScoreRecalibration } from '@confide/routing';
import type { OffPolicyResults } from '@confide/routing';
import type { z } from 'zod';
import type { SummaryProvenance } from '../summary-provenance.js';
import type { AblationRouterSummary, LeaderboardResults, PaperPoint, PipelineCheckNote, ProblemAgreement } from './ablation-summary.js';

/** What the ablation report reads of its experiment (the experiments package's AblationExperiment has this shape). */
export interface AblationReportExperiment {
  name: string;
  title: string;
  /** A dataset reference: a bundled name, hf://…, a file path or {file, columns}; absent: the problems the runs carry. */
  dataset?: string | { file: string } | undefined;
  /** The pair (absent when the experiment lists only `models`). */
  small?: { run: string; label: string } | undefined;
  large?: { run: string; label: string } | undefined;
  /** The K models and the runs placed beside them (absent or empty without `models`). */
  models?: ReadonlyArray<{ run: string; label: string }> | undefined;
  referenceRuns?: ReadonlyArray<{ run: string; label: string }> | undefined;
  bootstrap: { resamples: number; seed: number; confidence: number };
}

/**
 * A router's curve as the engine computes it: its summary part (the schema's input, so its figures are plain numbers,
 * NaN where undefined), and the per-problem outcomes at its reported point, which stay out of summary.json.
 */
export type RouterCurve = z.input<typeof AblationRouterSummary> & { reportedOutcomes: ProblemOutcomes; accuracySamples?: Float64Array };

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
  /**
   * Problems of the dataset evaluated (the pair: those the small run answered; models only: those every run answered)
   * and the dataset's size (without a dataset: the problems the runs carry), with how the runs' own problems agree.
   */
  problems: { evaluated: number; dataset: number; datasetReference: string; agreement?: ProblemAgreement | null };
  /** Runs costed by their recorded cost, and runs left off the cost axis (cost-unknown), one sentence each. */
  costNotes?: string[];
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
  /** Each with the calibrator its scores went through where the score is calibrated (absent or null: the score as it is). */
  riskControl: Array<RiskControlResult & { scoreCalibrator?: ScoreCalibratorSplit | null }>;
  /** System-level threshold rules (cheapest threshold for a target accuracy, most accurate under a mean-cost cap). */
  thresholdTargets: Array<SystemGuaranteeResult & { scoreCalibrator?: ScoreCalibratorSplit | null }>;
  /** Every router against its cost-matched random mix and the best single model at equal cost; κ between routes (null without the pair). */
  fairBaselines: FairBaselines | null;
  /** The routers `offPolicy` names, estimated from an exploration log beside their actual figures (absent or null without it). */
  offPolicy?: OffPolicyResults | null;
  /** Every swept score recalibrated (isotonic, Platt), with ECE, Brier and AUROC before and after. */
  recalibration: ScoreRecalibration[];
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
