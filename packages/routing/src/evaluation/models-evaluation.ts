import { InvalidInputError, type PriceTable, type Problem, type RunRecord } from '@confide/core';
import {
  aiqOverCommonRange,
  arenaScore,
  commonCostRange,
  hullScoreAt,
  nonDecreasingConvexHull,
  oracleHeadroom,
  pairwiseEnvelope,
  routerArenaOptimalityOverModels,
  type CommonCostRange,
  type RouterOnModels,
} from '@confide/metrics';
import { buildOutcomeTable, COST_UNITS_PER_USD, type LostProblems, type ModelOutcomeTable, type OutcomeTableModel } from './outcome-table.js';
import { ResamplePlan, weightedSum, type RunControl } from './resample-plan.js';
import type { Interval } from './router-statistics.js';
import { recordedCalls } from './run-comparison.js';
import { keepWhenConfidentToken, keepWhenPConfidentAtLeast, twoStageCascade } from './routers/cascade-router.js';
import { modelsBySlice, type ModelsSlice } from './models-slices.js';
import { learnedOverModels, type LearnedOverModels, type LearnedOverModelsOptions } from './routers/learned-over-models.js';
import { oracleRouter } from './routers/oracle-router.js';
import { mixtureProbabilityGrid, randomMixtures } from './routers/random-mixture.js';
import type { ListedRouterColumns } from './routers/listed-routers.js';
import type { ColumnRouterResult } from './routers/router-result.js';
import { alwaysModelRouter, bestSingleModel, modelMeans, type ModelMean } from './routers/single-model-routers.js';
import { everyPConfidentSweep, pConfidentSweepPoints, type PConfidentSweep, type SweepPoints } from './routers/threshold-router.js';

/**
 * The models evaluation of an ablation over K runs (issue 23): every single model, the best one, the oracle over K and
 * its headroom, random mixtures of every pair, every two-stage chain a keep rule exists for, the pairwise envelope and
 * the best pair, common-range AIQ, scores at one reference cost, RouterArena's figures, reference runs (recorded
 * delegations) against the envelope, and paired-bootstrap intervals. Scores are the table's graded scores (binary
 * grades: 1 right, 0 wrong); costs are mean dollars per problem over the problems every run answered.
 */

/** A run placed beside the models as a point, aligned to the table's problems. */
export interface ReferenceColumns {
  label: string;
  score: Float32Array;
  /** Every call the run's records hold (answers and router calls), in 1e-8 dollars. */
  costHundredMillionths: Float64Array;
}

/**
 * The table of the K models and the reference runs' columns over the problems every one of them answered (each run's
 * loss counted in `table.lost`, references after the models). A reference's cost is every call its records hold
 * (`recordedCalls`: an orchestrator's call too), not only its answers.
 */
export function buildModelsTable(
  models: readonly OutcomeTableModel[],
  references: ReadonlyArray<{ label: string; records: readonly RunRecord[] }>,
  prices: PriceTable,
): { table: ModelOutcomeTable; references: ReferenceColumns[] } {
  // references enter the intersection under labels no model label can take (model labels are [a-z0-9.-])
  const full = buildOutcomeTable([...models, ...references.map((reference, index) => ({ label: `#reference ${index}`, records: reference.records }))], prices);
  const k = models.length;
  const lost: LostProblems[] = full.lost.map((entry, index) => (index < k ? entry : { ...entry, label: references[index - k]!.label }));
  const table: ModelOutcomeTable = { problemCount: full.problemCount, problemIds: full.problemIds, labels: full.labels.slice(0, k), models: full.models.slice(0, k), lost };
  const columns = references.map((reference, index): ReferenceColumns => {
    const byId = new Map(reference.records.map((record) => [record.problemId, record]));
    const costHundredMillionths = Float64Array.from(full.problemIds, (id) => recordedCalls(byId.get(id)!, prices).reduce((sum, call) => sum + call.costHundredMillionths, 0));
    return { label: reference.label, score: full.models[k + index]!.score, costHundredMillionths };
  });
  return { table, references: columns };
}

export interface ModelsEvaluationOptions {
  bootstrap: { resamples: number; seed: number; confidence: number };
  /** The mean cost per problem every router is also read at (default: the best single model's mean cost). */
  reportAtCostUsd?: number;
  /** Mixture probabilities 0, 1/steps, …, 1 (default 10). */
  mixtureSteps?: number;
  /** The P(c) a chain's first model keeps at, where its run has P(c) but no confidence token (default 0.5). */
  keepAtPConfident?: number;
  references?: readonly ReferenceColumns[];
  /** The problems (by id; a superset is fine): the learned router over K reads their questions. Without them it is skipped. */
  problems?: readonly Problem[];
  /** The learned router over K's settings (folds, seed, learner, features, λ steps). */
  learned?: LearnedOverModelsOptions;
  /** The routers and chains the experiment lists, run through the engine (`listedRouters`, `listedChains`). */
  listed?: readonly ListedRouterColumns[];
}

/** A (cost, score) point: mean dollars per problem and mean score. */
export interface ModelsPoint {
  label: string;
  meanScore: number;
  meanCostUsd: number;
}

/** One router's choice on each problem of the table (the model that answers it), for exports such as RouterArena's. */
export interface ModelsRouterChoices {
  /** A file-safe id (`oracle`, `best-single`, `chain-<first>-to-<second>`, `learned`). */
  id: string;
  label: string;
  /** Per problem, in the table's order: the label of the model whose answer the router returns. */
  chosen: string[];
}

export interface ModelsEvaluation {
  problems: number;
  labels: string[];
  /** The table's problems, in the order of `routerChoices[].chosen`. */
  problemIds: string[];
  /** Per-problem choices of the oracle, the best single model, every two-stage chain and the learned router at its operating λ (not in summary.json). */
  routerChoices: ModelsRouterChoices[];
  /** Per run (models, then references): problems it answered that some other run did not, left out. */
  lost: Array<{ label: string; count: number; firstIds: string[] }>;
  /** Each model's and the oracle's mean score by the problems' slice (task or benchmark); empty when none has one (or no problems are given). */
  slices: ModelsSlice[];
  /** The common cost range of the AIQ: the cheapest single model's mean cost to the dearest's. */
  costRange: { minCostUsd: number; maxCostUsd: number };
  reportAtCostUsd: number;
  reportAtCostSource: string;
  singles: Array<ModelsPoint & { confidence: 'token' | 'p-confident' | 'none'; aiq: number; scoreAtReportCost: number }>;
  bestSingle: ModelsPoint & { interval: Interval };
  oracle: ModelsPoint & { interval: Interval; shares: Array<{ label: string; share: number }>; aiq: number; scoreAtReportCost: number };
  headroom: { value: number; interval: Interval };
  chains: Array<ModelsPoint & { first: string; second: string; keepRule: string; escalated: number; aiq: number; scoreAtReportCost: number }>;
  /**
   * P(c) threshold routers, one per ordered (keep, escalate-to) pair whose keep model has a P(c): the threshold swept
   * over every distinct P(c) (descending, first one past the largest: escalate everything); their points enter the
   * pair's hull. `best` is the curve's highest-scoring point (the cheaper of equals).
   */
  thresholdRouters: Array<{
    label: string;
    keep: string;
    escalateTo: string;
    points: Array<{ threshold: number; keptShare: number; meanScore: number; meanCostUsd: number }>;
    aiq: number;
    scoreAtReportCost: number;
    best: ModelsPoint & { threshold: number };
  }>;
  /** Why no threshold router was evaluated (no model's run has a P(c)); null when some were. */
  thresholdRoutersSkipped: string | null;
  /**
   * The learned router over K (decides before generation, from the problem alone): its points over the λ grid, their
   * hull, AIQ and score at the reference cost with intervals, and the operating point it enters the arena with. Null
   * when skipped (`learnedSkipped` says why).
   */
  learned: null | {
    label: string;
    learner: string;
    features: string;
    folds: number;
    seed: number;
    points: Array<{ lambda: number; meanScore: number; meanCostUsd: number; shares: Array<{ label: string; share: number }> }>;
    hull: ModelsPoint[];
    aiq: number;
    aiqInterval: Interval;
    scoreAtReportCost: number;
    scoreAtReportCostInterval: Interval;
    /** The arena's operating point: the highest-scoring λ whose mean cost is at most the reference cost (the cheaper of equals). */
    operatingPoint: ModelsPoint & { lambda: number };
  };
  learnedSkipped: string | null;
  /**
   * The routers and chains the experiment lists (run through the engine over the K models): each one's point with its
   * score interval, AIQ over the common range, score at the reference cost, and a chain's column check.
   */
  listed: Array<
    ModelsPoint & {
      id: string;
      kind: 'router' | 'chain';
      models: string[];
      decides: 'before-generation' | 'after-first-answer';
      interval: Interval;
      aiq: number;
      scoreAtReportCost: number;
      engineCheck: { agreed: boolean; columnsMeanScore: number; columnsMeanCostUsd: number } | null;
    }
  >;
  /** The non-decreasing hull over every single model and router evaluated here (chains, threshold routers, the learned router): not the oracle, not reference runs. */
  routersHull: { points: ModelsPoint[]; aiq: number; interval: Interval; scoreAtReportCost: number };
  /**
   * The learned router (before generation) against each post-hoc router at that router's mean cost: every chain, and each
   * threshold router's best point. `difference` = the learned router's hull there − the router's score (positive: deciding
   * before generation does better at equal cost); `best` marks the post-hoc router of the highest mean score (the cheaper of equals).
   */
  beforeVsPostHoc: Array<{ router: string; kind: 'chain' | 'threshold' | 'listed'; meanScore: number; meanCostUsd: number; learnedScoreAtCost: number; difference: number; interval: Interval; best: boolean }>;
  /** First models no chain starts from, and why. */
  skippedChains: Array<{ first: string; reason: string }>;
  pairs: Array<{
    labels: [string, string];
    /** AIQ of the pair's random mixtures alone (the chord between the two models). */
    mixturesAiq: number;
    /** The chains that use exactly this pair. */
    chains: string[];
    hull: ModelsPoint[];
    hullAiq: number;
    scoreAtReportCost: number;
    mixtures: Array<{ probability: number; meanScore: number; meanCostUsd: number }>;
  }>;
  mixtureSteps: number;
  bestPair: { labels: [string, string]; aiq: number; interval: Interval };
  envelope: { points: ModelsPoint[]; aiq: number; interval: Interval; scoreAtReportCost: number };
  arena: Array<ModelsPoint & { kind: 'oracle' | 'best single' | 'chain' | 'learned' | 'listed'; arenaScore: number; optimalSelection: number; optimalCost: number; optimalAccuracy: number; optimalityProblems: number }>;
  references: Array<ModelsPoint & { envelopeScoreAtCost: number; gapToEnvelope: number; gapInterval: Interval }>;
  bootstrap: { resamples: number; seed: number; confidence: number };
}

interface FrontierPoint {
  label: string;
  cost: number;
  accuracy: number;
}

const pointOf = (label: string, meanScore: number, meanCostUsd: number): FrontierPoint => ({ label, cost: meanCostUsd, accuracy: meanScore });
const modelsPoint = (point: FrontierPoint): ModelsPoint => ({ label: point.label, meanScore: point.accuracy, meanCostUsd: point.cost });

/** Which keep rule a chain starting at `model` uses: its confidence token, else P(c) ≥ the floor, else none. */
function chainKeepRule(table: ModelOutcomeTable, model: number, keepAt: number): { rule: string; keep: Uint8Array; confidence: 'token' | 'p-confident' } | null {
  const columns = table.models[model]!;
  if (columns.confidenceToken.some((token) => token !== 0)) return { rule: 'keep when the answer carries <|c_math|>', keep: keepWhenConfidentToken(table, model), confidence: 'token' };
  if (columns.pConfidentPresent.some((present) => present === 1)) return { rule: `keep when P(c) ≥ ${keepAt}`, keep: keepWhenPConfidentAtLeast(table, model, keepAt), confidence: 'p-confident' };
  return null;
}

/** The pairwise envelope of singles and two-stage chains, each pair's hull AIQ over `range`, and the best pair. */
function envelopeOf(singles: readonly FrontierPoint[], chains: ReadonlyArray<RouterOnModels<FrontierPoint>>, range: CommonCostRange) {
  const { pairs, envelope } = pairwiseEnvelope(singles, chains);
  const pairAiq = pairs.map((pair) => aiqOverCommonRange(pair.hull, range));
  let best = 0;
  pairAiq.forEach((value, index) => {
    if (value > pairAiq[best]!) best = index;
  });
  return { pairs, envelope, pairAiq, best, envelopeAiq: aiqOverCommonRange(envelope, range) };
}

/** Σ weight·value over the problems, divided by n: a resample's mean (the resample plan's weighted sum). */
function weightedMean(values: ArrayLike<number>, weight: ArrayLike<number>, n: number): number {
  return weightedSum(values, weight) / n;
}

/** Per problem, what a two-stage chain's answer scored and what it paid (the first call always, the second where escalated). */
function chainColumns(table: ModelOutcomeTable, chain: ColumnRouterResult, first: number, second: number) {
  const n = table.problemCount;
  const score = new Float64Array(n);
  const cost = new Float64Array(n);
  for (let problem = 0; problem < n; problem++) {
    const escalated = chain.choices[problem] === second;
    score[problem] = table.models[escalated ? second : first]!.score[problem]!;
    cost[problem] = table.models[first]!.costHundredMillionths[problem]! + (escalated ? table.models[second]!.costHundredMillionths[problem]! : 0);
  }
  return { score, cost };
}

function arenaEntry(table: ModelOutcomeTable, kind: 'oracle' | 'best single' | 'chain' | 'learned' | 'listed', router: Pick<ColumnRouterResult, 'choices' | 'meanScore' | 'meanCostUsd'>, label: string, choiceCosts: readonly ArrayLike<number>[]) {
  const optimality = routerArenaOptimalityOverModels(table.models.map((columns) => columns.score), choiceCosts, router.choices);
  return {
    label,
    kind,
    meanScore: router.meanScore,
    meanCostUsd: router.meanCostUsd,
    arenaScore: arenaScore(router.meanCostUsd * 1000, router.meanScore),
    optimalSelection: optimality.optimalSelection,
    optimalCost: optimality.optimalCost,
    optimalAccuracy: optimality.optimalAccuracy,
    optimalityProblems: optimality.problems,
  };
}

/** A threshold sweep's points as routers on its pair (they enter that pair's hull). */
function sweepRouters(table: ModelOutcomeTable, sweep: PConfidentSweep, points: SweepPoints): Array<RouterOnModels<FrontierPoint>> {
  const uses = [table.labels[sweep.keep]!, table.labels[sweep.escalateTo]!];
  return Array.from(points.meanScore, (meanScore, index) => ({ uses, point: pointOf(`${sweep.name}, P(c) ≥ ${sweep.thresholds[index]!.toPrecision(3)}`, meanScore, points.meanCostUsd[index]!) }));
}

/** The index of the highest score (the cheaper of equals) among points, optionally only those costing at most `maxCost`; the cheapest where none does. */
function bestPointIndex(scores: ArrayLike<number>, costs: ArrayLike<number>, maxCost = Infinity): number {
  let best = -1;
  let cheapest = 0;
  for (let index = 0; index < scores.length; index++) {
    if (costs[index]! < costs[cheapest]!) cheapest = index;
    if (costs[index]! > maxCost) continue;
    if (best < 0 || scores[index]! > scores[best]! || (scores[index] === scores[best] && costs[index]! < costs[best]!)) best = index;
  }
  return best < 0 ? cheapest : best;
}

/** The learned router over K, or why it is skipped (no problems to read, too few problems for its folds, a problem missing). */
function learnedRouterOf(table: ModelOutcomeTable, options: ModelsEvaluationOptions): { learned: LearnedOverModels | null; skipped: string | null } {
  if (options.problems === undefined) return { learned: null, skipped: 'no problems were given to read its features from' };
  try {
    return { learned: learnedOverModels(table, options.problems, options.learned), skipped: null };
  } catch (error) {
    if (error instanceof InvalidInputError) return { learned: null, skipped: error.message };
    throw error;
  }
}

/**
 * Evaluates K ≥ 2 models on their outcome table (see the file's comment). Routers' per-problem choices are fixed; the
 * bootstrap resamples problems (by multiplicity weights, the experiment's seed) and recomputes every mean from the
 * per-problem score and cost vectors, re-choosing the best single model and the best pair on each resample.
 */
export async function evaluateModels(table: ModelOutcomeTable, options: ModelsEvaluationOptions, control: RunControl = {}): Promise<ModelsEvaluation> {
  const k = table.labels.length;
  const n = table.problemCount;
  if (k < 2) throw new InvalidInputError({ field: 'models', problem: `needs at least two models, got ${k}` });
  if (n === 0) throw new InvalidInputError({ field: 'models', problem: `no problem is answered by every run (${table.lost.map((entry) => `${entry.label} ${entry.count}`).join(', ')} left out)` });
  const references = options.references ?? [];
  const keepAt = options.keepAtPConfident ?? 0.5;
  const steps = options.mixtureSteps ?? 10;
  const means = modelMeans(table);
  const best = bestSingleModel(means);
  const oracle = oracleRouter(table);
  const singlePoints = means.map((mean) => pointOf(mean.label, mean.meanScore, mean.meanCostUsd));
  const range = commonCostRange(singlePoints);
  const reportAt = options.reportAtCostUsd ?? best.meanCostUsd;
  const aiqOf = (points: readonly FrontierPoint[]) => aiqOverCommonRange(points, range);
  const atReport = (points: readonly FrontierPoint[]) => hullScoreAt(points, reportAt);

  // two-stage chains: every ordered pair whose first model has a keep rule
  const rules = table.labels.map((_, model) => chainKeepRule(table, model, keepAt));
  const chains: Array<{ first: number; second: number; rule: string; result: ColumnRouterResult; score: Float64Array; cost: Float64Array }> = [];
  rules.forEach((rule, first) => {
    if (rule === null) return;
    for (let second = 0; second < k; second++) {
      if (second === first) continue;
      const result = twoStageCascade(table, first, second, rule.keep);
      chains.push({ first, second, rule: rule.rule, result, ...chainColumns(table, result, first, second) });
    }
  });
  const chainPoint = (chain: (typeof chains)[number], meanScore: number, meanCostUsd: number): RouterOnModels<FrontierPoint> => ({
    uses: [table.labels[chain.first]!, table.labels[chain.second]!],
    point: pointOf(chain.result.name, meanScore, meanCostUsd),
  });
  const chainPoints = chains.map((chain) => chainPoint(chain, chain.result.meanScore, chain.result.meanCostUsd));

  // P(c) threshold routers: every ordered pair whose keep model has a P(c); their points enter the pair's hull
  const sweeps = everyPConfidentSweep(table);
  const sweepPoints = sweeps.map((sweep) => pConfidentSweepPoints(table, sweep));
  const sweepRouterPoints = sweeps.flatMap((sweep, index) => sweepRouters(table, sweep, sweepPoints[index]!));
  // the routers and chains the experiment lists: a pair's enter its hull, every one the routers' hull
  const listed = options.listed ?? [];
  const listedPoint = (router: ListedRouterColumns, meanScore: number, meanCostUsd: number): RouterOnModels<FrontierPoint> => ({ uses: router.models, point: pointOf(router.label, meanScore, meanCostUsd) });
  const listedPoints = listed.map((router) => listedPoint(router, router.meanScore, router.meanCostUsd));
  const frontier = envelopeOf(singlePoints, [...chainPoints, ...sweepRouterPoints, ...listedPoints], range);

  // the learned router over K: per λ, the chosen model's score and cost on each problem
  const { learned, skipped: learnedSkipped } = learnedRouterOf(table, options);
  const learnedColumns = (learned?.points ?? []).map(({ result }) => ({
    score: Float64Array.from(result.choices, (model, problem) => table.models[model]!.score[problem]!),
    cost: Float64Array.from(result.choices, (model, problem) => table.models[model]!.costHundredMillionths[problem]!),
  }));
  const learnedPoints = (learned?.points ?? []).map(({ result }) => pointOf(result.name, result.meanScore, result.meanCostUsd));
  const learnedOperating = bestPointIndex(
    learnedPoints.map((point) => point.accuracy),
    learnedPoints.map((point) => point.cost),
    reportAt,
  );

  // post-hoc routers against the learned one: every chain, and each threshold router's best point
  const postHoc = [
    ...chains.map((chain) => ({ router: chain.result.name, kind: 'chain' as const, score: chain.score, cost: chain.cost, meanScore: chain.result.meanScore, meanCostUsd: chain.result.meanCostUsd })),
    ...sweeps.map((sweep, index) => {
      const points = sweepPoints[index]!;
      const best = bestPointIndex(points.meanScore, points.meanCostUsd);
      const keep = new Uint8Array(n);
      for (let position = 0; position < sweep.keptCount[best]!; position++) keep[sweep.order[position]!] = 1;
      const result = twoStageCascade(table, sweep.keep, sweep.escalateTo, keep, `${sweep.name}, P(c) ≥ ${sweep.thresholds[best]!.toPrecision(3)}`);
      return { router: result.name, kind: 'threshold' as const, ...chainColumns(table, result, sweep.keep, sweep.escalateTo), meanScore: result.meanScore, meanCostUsd: result.meanCostUsd };
    }),
    ...listed
      .filter((router) => router.decides === 'after-first-answer')
      .map((router) => ({ router: router.label, kind: 'listed' as const, score: router.score, cost: router.cost, meanScore: router.meanScore, meanCostUsd: router.meanCostUsd })),
  ];
  const bestPostHoc = bestPointIndex(
    postHoc.map((router) => router.meanScore),
    postHoc.map((router) => router.meanCostUsd),
  );
  const everyRouterPoints = (singles: readonly FrontierPoint[], chainsAndSweeps: ReadonlyArray<RouterOnModels<FrontierPoint>>, learnedAt: readonly FrontierPoint[]) => [
    ...singles,
    ...chainsAndSweeps.map((router) => router.point),
    ...learnedAt,
  ];
  const routersHull = nonDecreasingConvexHull(everyRouterPoints(singlePoints, [...chainPoints, ...sweepRouterPoints, ...listedPoints], learnedPoints));
  const grid = mixtureProbabilityGrid(steps);
  const oraclePoint = pointOf('oracle', oracle.meanScore, oracle.meanCostUsd);
  const referencePoints = references.map((reference) => {
    let score = 0;
    let cost = 0;
    for (let problem = 0; problem < n; problem++) {
      score += reference.score[problem]!;
      cost += reference.costHundredMillionths[problem]!;
    }
    return pointOf(reference.label, score / n, cost / n / COST_UNITS_PER_USD);
  });

  // the paired bootstrap: every statistic on the same resampled problems
  const { resamples, seed, confidence } = options.bootstrap;
  const plan = new ResamplePlan(n, options.bootstrap);
  const oracleScore = Float64Array.from({ length: n }, (_, problem) => table.models[oracle.choices[problem]!]!.score[problem]!);
  const samples = {
    oracle: new Float64Array(resamples),
    best: new Float64Array(resamples),
    headroom: new Float64Array(resamples),
    envelope: new Float64Array(resamples),
    bestPair: new Float64Array(resamples),
    gaps: references.map(() => new Float64Array(resamples)),
    learnedAiq: new Float64Array(resamples),
    learnedAtReport: new Float64Array(resamples),
    beforeVsPostHoc: postHoc.map(() => new Float64Array(resamples)),
    routersHull: new Float64Array(resamples),
    listed: listed.map(() => new Float64Array(resamples)),
  };
  plan.each((weight, resample) => {
    const resampledMeans: ModelMean[] = means.map((mean, model) => ({
      ...mean,
      meanScore: weightedMean(table.models[model]!.score, weight, n),
      meanCostUsd: weightedMean(table.models[model]!.costHundredMillionths, weight, n) / COST_UNITS_PER_USD,
    }));
    const resampledBest = bestSingleModel(resampledMeans);
    const oracleMean = weightedMean(oracleScore, weight, n);
    samples.oracle[resample] = oracleMean;
    samples.best[resample] = resampledBest.meanScore;
    samples.headroom[resample] = oracleHeadroom(oracleMean, resampledBest.meanScore);
    const singles = resampledMeans.map((mean) => pointOf(mean.label, mean.meanScore, mean.meanCostUsd));
    const resampledRange = commonCostRange(singles);
    const resampledChains = chains.map((chain) => chainPoint(chain, weightedMean(chain.score, weight, n), weightedMean(chain.cost, weight, n) / COST_UNITS_PER_USD));
    const resampledSweeps = sweeps.flatMap((sweep) => sweepRouters(table, sweep, pConfidentSweepPoints(table, sweep, weight)));
    const resampledListed = listed.map((router, index) => {
      const meanScore = weightedMean(router.score, weight, n);
      samples.listed[index]![resample] = meanScore;
      return listedPoint(router, meanScore, weightedMean(router.cost, weight, n) / COST_UNITS_PER_USD);
    });
    const resampled = envelopeOf(singles, [...resampledChains, ...resampledSweeps, ...resampledListed], resampledRange);
    const resampledLearned = learnedColumns.map((columns, index) => pointOf(learnedPoints[index]!.label, weightedMean(columns.score, weight, n), weightedMean(columns.cost, weight, n) / COST_UNITS_PER_USD));
    if (resampledLearned.length > 0) {
      samples.learnedAiq[resample] = aiqOverCommonRange(resampledLearned, resampledRange);
      samples.learnedAtReport[resample] = hullScoreAt(resampledLearned, reportAt);
      postHoc.forEach((router, index) => {
        samples.beforeVsPostHoc[index]![resample] = hullScoreAt(resampledLearned, weightedMean(router.cost, weight, n) / COST_UNITS_PER_USD) - weightedMean(router.score, weight, n);
      });
    }
    samples.routersHull[resample] = aiqOverCommonRange(everyRouterPoints(singles, [...resampledChains, ...resampledSweeps, ...resampledListed], resampledLearned), resampledRange);
    samples.envelope[resample] = resampled.envelopeAiq;
    samples.bestPair[resample] = resampled.pairAiq[resampled.best]!;
    references.forEach((reference, index) => {
      const cost = weightedMean(reference.costHundredMillionths, weight, n) / COST_UNITS_PER_USD;
      samples.gaps[index]![resample] = hullScoreAt(resampled.envelope, cost) - weightedMean(reference.score, weight, n);
    });
  });
  await plan.run(control, 'models: bootstrap');
  const interval = (values: Float64Array): Interval => plan.interval(values);

  const bestPair = frontier.pairs[frontier.best]!;
  const costColumns = table.models.map((columns) => columns.costHundredMillionths);
  const chosenLabels = (choices: ArrayLike<number>) => Array.from(choices, (model) => table.labels[model]!);
  const routerChoices: ModelsRouterChoices[] = [
    { id: 'oracle', label: 'oracle', chosen: chosenLabels(oracle.choices) },
    { id: 'best-single', label: `best single (${best.label})`, chosen: chosenLabels(alwaysModelRouter(table, best.model).choices) },
    ...chains.map((chain) => ({ id: `chain-${table.labels[chain.first]}-to-${table.labels[chain.second]}`, label: chain.result.name, chosen: chosenLabels(chain.result.choices) })),
    ...(learned === null ? [] : [{ id: 'learned', label: learned.points[learnedOperating]!.result.name, chosen: chosenLabels(learned.points[learnedOperating]!.result.choices) }]),
    ...listed.map((router) => ({ id: `listed-${router.id}`, label: router.label, chosen: chosenLabels(router.choices) })),
  ];
  return {
    problems: n,
    labels: [...table.labels],
    problemIds: [...table.problemIds],
    routerChoices,
    lost: table.lost.map((entry) => ({ label: entry.label, count: entry.count, firstIds: [...entry.firstIds] })),
    slices: modelsBySlice(table, options.problems ?? []),
    costRange: { minCostUsd: range.minCost, maxCostUsd: range.maxCost },
    reportAtCostUsd: reportAt,
    reportAtCostSource: options.reportAtCostUsd === undefined ? `the best single model's mean cost (${best.label})` : 'the experiment\'s reportAtCostUsd',
    singles: means.map((mean, model) => ({
      label: mean.label,
      meanScore: mean.meanScore,
      meanCostUsd: mean.meanCostUsd,
      confidence: rules[model]?.confidence ?? 'none',
      aiq: aiqOf([singlePoints[model]!]),
      scoreAtReportCost: atReport([singlePoints[model]!]),
    })),
    bestSingle: { label: best.label, meanScore: best.meanScore, meanCostUsd: best.meanCostUsd, interval: interval(samples.best) },
    oracle: {
      label: 'oracle',
      meanScore: oracle.meanScore,
      meanCostUsd: oracle.meanCostUsd,
      interval: interval(samples.oracle),
      shares: table.labels.map((label, model) => ({ label, share: oracle.shares[model]! })),
      aiq: aiqOf([oraclePoint]),
      scoreAtReportCost: atReport([oraclePoint]),
    },
    headroom: { value: oracleHeadroom(oracle.meanScore, best.meanScore), interval: interval(samples.headroom) },
    chains: chains.map((chain, index) => ({
      label: chain.result.name,
      first: table.labels[chain.first]!,
      second: table.labels[chain.second]!,
      keepRule: chain.rule,
      meanScore: chain.result.meanScore,
      meanCostUsd: chain.result.meanCostUsd,
      escalated: chain.result.callShares[chain.second]!,
      aiq: aiqOf([chainPoints[index]!.point]),
      scoreAtReportCost: atReport([chainPoints[index]!.point]),
    })),
    thresholdRouters: sweeps.map((sweep, index) => {
      const points = sweepPoints[index]!;
      const routers = sweepRouters(table, sweep, points).map((router) => router.point);
      const best = bestPointIndex(points.meanScore, points.meanCostUsd);
      return {
        label: sweep.name,
        keep: table.labels[sweep.keep]!,
        escalateTo: table.labels[sweep.escalateTo]!,
        points: Array.from(sweep.thresholds, (threshold, point) => ({ threshold, keptShare: points.keptShare[point]!, meanScore: points.meanScore[point]!, meanCostUsd: points.meanCostUsd[point]! })),
        aiq: aiqOf(routers),
        scoreAtReportCost: atReport(routers),
        best: { label: routers[best]!.label, meanScore: points.meanScore[best]!, meanCostUsd: points.meanCostUsd[best]!, threshold: sweep.thresholds[best]! },
      };
    }),
    thresholdRoutersSkipped: sweeps.length > 0 ? null : "no model's run carries a P(c) (token probabilities of <|c_math|> and <|u_math|>), so no threshold router can be swept",
    learned:
      learned === null
        ? null
        : {
            label: learned.name,
            learner: learned.scores.learner.model === 'knn' ? `kNN (k = ${learned.scores.learner.k}, cosine; the neighbours' mean score, one pseudo-neighbour at the model's training mean)` : `logistic regression on graded scores (L2 ${learned.scores.learner.l2}, ${learned.scores.learner.iterations} Adam steps)`,
            features: `the question's hashed words and word bigrams${learned.scores.features.characters ? ` and character ${learned.scores.features.characterN}-grams` : ''}${learned.scores.features.subjectAndLevel ? ', its subject and level' : ''} (2^${learned.scores.features.hashBits} buckets); no answer`,
            folds: learned.scores.folds,
            seed: learned.scores.seed,
            points: learned.points.map(({ lambda, result }) => ({
              lambda,
              meanScore: result.meanScore,
              meanCostUsd: result.meanCostUsd,
              shares: table.labels.map((label, model) => ({ label, share: result.shares[model]! })),
            })),
            hull: nonDecreasingConvexHull(learnedPoints).map(modelsPoint),
            aiq: aiqOf(learnedPoints),
            aiqInterval: interval(samples.learnedAiq),
            scoreAtReportCost: atReport(learnedPoints),
            scoreAtReportCostInterval: interval(samples.learnedAtReport),
            operatingPoint: { ...modelsPoint(learnedPoints[learnedOperating]!), lambda: learned.points[learnedOperating]!.lambda },
          },
    learnedSkipped,
    listed: listed.map((router, index) => ({
      id: router.id,
      label: router.label,
      kind: router.kind,
      models: [...router.models],
      decides: router.decides,
      meanScore: router.meanScore,
      meanCostUsd: router.meanCostUsd,
      interval: interval(samples.listed[index]!),
      aiq: aiqOf([listedPoints[index]!.point]),
      scoreAtReportCost: atReport([listedPoints[index]!.point]),
      engineCheck: router.engineCheck,
    })),
    routersHull: { points: routersHull.map(modelsPoint), aiq: aiqOf(routersHull), interval: interval(samples.routersHull), scoreAtReportCost: atReport(routersHull) },
    beforeVsPostHoc:
      learned === null
        ? []
        : postHoc.map((router, index) => {
            const learnedScoreAtCost = hullScoreAt(learnedPoints, router.meanCostUsd);
            return {
              router: router.router,
              kind: router.kind,
              meanScore: router.meanScore,
              meanCostUsd: router.meanCostUsd,
              learnedScoreAtCost,
              difference: learnedScoreAtCost - router.meanScore,
              interval: interval(samples.beforeVsPostHoc[index]!),
              best: index === bestPostHoc,
            };
          }),
    skippedChains: rules.flatMap((rule, model) =>
      rule === null ? [{ first: table.labels[model]!, reason: 'its run carries neither a confidence token nor a P(c), so no chain can keep its answer' }] : [],
    ),
    pairs: frontier.pairs.map((pair, index) => {
      const [first, second] = pair.labels.map((label) => table.labels.indexOf(label)) as [number, number];
      const mixtures = randomMixtures(means, [first, second], grid);
      return {
        labels: [pair.labels[0], pair.labels[1]],
        mixturesAiq: aiqOf(mixtures.map((mixture) => pointOf(mixture.name, mixture.meanScore, mixture.meanCostUsd))),
        chains: chainPoints.filter((chain) => new Set(chain.uses).size === 2 && chain.uses.includes(pair.labels[0]) && chain.uses.includes(pair.labels[1])).map((chain) => chain.point.label),
        hull: pair.hull.map(modelsPoint),
        hullAiq: frontier.pairAiq[index]!,
        scoreAtReportCost: atReport(pair.hull),
        mixtures: mixtures.map((mixture) => ({ probability: mixture.probability, meanScore: mixture.meanScore, meanCostUsd: mixture.meanCostUsd })),
      };
    }),
    mixtureSteps: steps,
    bestPair: { labels: [bestPair.labels[0], bestPair.labels[1]], aiq: frontier.pairAiq[frontier.best]!, interval: interval(samples.bestPair) },
    envelope: { points: frontier.envelope.map(modelsPoint), aiq: frontier.envelopeAiq, interval: interval(samples.envelope), scoreAtReportCost: atReport(frontier.envelope) },
    arena: [
      arenaEntry(table, 'oracle', oracle, 'oracle', costColumns),
      arenaEntry(table, 'best single', alwaysModelRouter(table, best.model), `best single (${best.label})`, costColumns),
      ...chains.map((chain) => {
        // a post-hoc chain pays the first call on every problem: choosing the second model costs both calls
        const first = costColumns[chain.first]!;
        const choiceCosts = costColumns.map((column, model) => (model === chain.second ? column.map((cost, problem) => cost + first[problem]!) : column));
        return arenaEntry(table, 'chain', chain.result, chain.result.name, choiceCosts);
      }),
      // the learned router calls only the model it chooses
      ...(learned === null ? [] : [arenaEntry(table, 'learned', learned.points[learnedOperating]!.result, learned.points[learnedOperating]!.result.name, costColumns)]),
      // a listed router pays what the engine billed: its chosen model's cost is that problem's whole bill
      ...listed.map((router) =>
        arenaEntry(table, 'listed', router, router.label, costColumns.map((column, model) => column.map((cost, problem) => (router.choices[problem] === model ? router.cost[problem]! : cost)))),
      ),
    ],
    references: referencePoints.map((point, index) => {
      const envelopeScoreAtCost = hullScoreAt(frontier.envelope, point.cost);
      return { ...modelsPoint(point), envelopeScoreAtCost, gapToEnvelope: envelopeScoreAtCost - point.accuracy, gapInterval: interval(samples.gaps[index]!) };
    }),
    bootstrap: { resamples, seed, confidence },
  };
}

