import { join, relative, resolve } from 'node:path';
import {
  CONFIDENT_TOKEN,
  delegatedAtEveryThreshold,
  delegatesScore,
  distinctThresholds,
  minTokenMassOf,
  pConfident,
  ROUTING_POLICY_SCHEMA_VERSION,
  type RoutingPolicy,
  InvalidConfigError,
  routingScore,
  type PluginRegistry,
  type PriceTable,
  type PluginContext,
  type PluginUse,
  type Problem,
  type RunRecord,
  type RoutingScore,
  type ScoreDirection,
} from '@confide/core';
import { checkReportOutFolder, checkWritableOutFolder, datasetLabel, loadProblems, numpyDefaultRng, resolvePriceTable, RunStore, writeFileAtomic, writeReportFolder, type RunDirectory } from '@confide/data';
import {
  accuracyBySlice,
  agreementZones,
  arenaScore,
  delegationsByZone,
  routerArenaOptimality,
  headroomCaptured,
  oracleAccuracy,
  aiq,
  apgr,
  cpt,
  nonDecreasingConvexHull,
  percentileInterval,
} from '@confide/metrics';
import {
  cascade,
  delegate,
  operatingPoint,
  outcomeTable,
  replaySource,
  ThresholdSweep,
  type CostLedger,
  type GenerationSource,
  type OperatingPoint,
  type OutcomeTable,
  type ModelsEvaluation,
  type ProblemOutcomes,
  bootstrapInterval,
  buildModelsTable,
  evaluateModels,
  mcnemarComparison,
  resampleWeights,
  riskControlledThreshold,
  scoreCalibration,
} from '@confide/routing';
import { pairAblationOf, type AblationExperiment, type AblationRouterEntry, type PairAblationExperiment } from './ablation-experiment.js';
import { writeAblationReport, type AblationResults, type PaperPoint, type PipelineCheckNote, type RouterCurve, type UnscoredProblems } from '@confide/reports';
import { loadExperimentOfKind, type LoadedExperiment } from '../experiment.js';
import type { ExperimentOutcome } from '../outcome.js';
import { computePaperResults } from '../paper/run-paper-experiment.js';
import { experimentFileLabel } from '../run-folder/experiment-file.js';
import { calibrationDataHash, writeRoutingPolicies } from '../run-folder/routing-policy-file.js';
import { ReportInputs, summaryProvenance } from '../run-folder/provenance.js';

export interface AblationInputs {
  experiment: AblationExperiment;
  /** The experiment file (hashed into summary.json). */
  experimentFile: string;
  registry: PluginRegistry;
  /** The experiment's price table, resolved (a bundled id or a file). */
  prices: PriceTable;
  /** The dataset's problems; the ablation uses those the small run answered, in dataset order. */
  problems: readonly Problem[];
  /** The dataset as its manifest names it (a bundled name, a pinned hf:// reference). */
  datasetReference?: string;
  /** A run by reference (bundled id or path): the run store of the command, relative to the experiment's folder. */
  loadRun: (reference: string) => RunDirectory;
  /** Re-grades records when `grades` is `math`; absent means only recorded verdicts are available. */
  regrade?: (records: readonly RunRecord[]) => Promise<RunRecord[]>;
  /** The evaluator `regrade` grades with, recorded in summary.json. */
  evaluatorUse?: PluginUse;
  /** The paper's Delegation I and II (published accounting), to draw on the same axes. */
  paperPoints?: PaperPoint[];
  /** What the runs were read from, hashed into summary.json (absent: no run file is listed). */
  read?: ReportInputs;
}

/** Who graded recorded verdicts, as the records say (the grade's reason, else its evaluator), for the report's note. */
function recordedGraders(records: readonly RunRecord[]): string {
  return [...new Set(records.map((record) => record.grade.reason ?? record.grade.evaluator))].sort().join('; ');
}

/**
 * The delegation rate each router is reported at: the rate at which the small run's own confidence token delegates
 * (<|u_math|> or none, Delegation II's rule) when it has tokens, else the first comparison's rate, else one half.
 */
function referenceRate(experiment: AblationExperiment, small: readonly RunRecord[]): { rate: number; source: string } {
  if (small.some((record) => record.generation.confidenceToken !== null)) {
    const delegated = small.filter((record) => record.generation.confidenceToken !== CONFIDENT_TOKEN).length;
    return { rate: delegated / small.length, source: "the rate at which the small run's confidence token delegates: Delegation II's rule" };
  }
  const comparison = experiment.comparisons[0];
  if (comparison) return { rate: comparison.atDelegationRate, source: "the first comparison's rate" };
  return { rate: 0.5, source: 'one half: the small run has no confidence token and the experiment no comparison' };
}

function outcomesFrom(records: readonly RunRecord[], ledger: CostLedger, problems: readonly Problem[]): ProblemOutcomes {
  const index = new Map(problems.map((problem, position) => [problem.id, position]));
  const outcomes: ProblemOutcomes = {
    correct: new Uint8Array(problems.length),
    cost: new Float64Array(problems.length),
    delegated: new Uint8Array(problems.length),
  };
  for (const record of records) {
    const position = index.get(record.problemId)!;
    outcomes.correct[position] = record.grade.correct ? 1 : 0;
    outcomes.delegated[position] = record.route?.target === 'large' ? 1 : 0;
  }
  for (const entry of ledger.entries) {
    if (entry.role !== 'peek') outcomes.cost[index.get(entry.problemId)!]! += entry.costHundredMillionths;
  }
  return outcomes;
}

function outcomesFromSweep(table: OutcomeTable, sweep: ThresholdSweep, k: number): ProblemOutcomes {
  const n = table.problemIds.length;
  const outcomes: ProblemOutcomes = { correct: new Uint8Array(n), cost: new Float64Array(n), delegated: new Uint8Array(n) };
  const delegatedCount = sweep.delegatedCounts[k]!;
  for (let position = 0; position < n; position++) {
    const index = sweep.order[position]!;
    const delegated = position < delegatedCount;
    outcomes.delegated[index] = delegated ? 1 : 0;
    outcomes.correct[index] = delegated ? table.largeCorrect[index]! : table.smallCorrect[index]!;
    outcomes.cost[index] = table.smallCost[index]! + (delegated ? table.largeCost[index]! : 0);
  }
  return outcomes;
}

function closestToRate(points: readonly OperatingPoint[], rate: number): number {
  let best = 0;
  for (let k = 1; k < points.length; k++) {
    if (Math.abs(points[k]!.delegationRate - rate) < Math.abs(points[best]!.delegationRate - rate)) best = k;
  }
  return best;
}

interface RunContext {
  inputs: PairAblationInputs;
  problems: readonly Problem[];
  /** What routers are created with: the prices, and the problems and small run a learning router fits on. */
  pluginContext: PluginContext;
  records: (runId: string) => RunRecord[];
  source: (runId: string) => GenerationSource;
}

async function engineRun(context: RunContext, entry: AblationRouterEntry, options: Record<string, unknown>) {
  const { inputs } = context;
  const prices = inputs.prices;
  const created = inputs.registry.create('router', entry.router.id, options, context.pluginContext);
  const peers = Object.fromEntries(Object.entries(entry.peers).map(([name, peer]) => [name, context.source(peer.run)]));
  const result = await delegate({
    runId: `${inputs.experiment.name}/${entry.id}`,
    problems: context.problems,
    router: created.instance,
    small: context.source(inputs.experiment.small.run),
    large: context.source(inputs.experiment.large.run),
    prices,
    peers,
  });
  return { ...result, use: created.use };
}

function slicesOf(outcomes: ProblemOutcomes, problems: readonly Problem[]) {
  const records = problems.map((problem, index) => ({
    subject: problem.subject,
    level: problem.level,
    grade: { correct: outcomes.correct[index] === 1 },
  })) as unknown as RunRecord[];
  return { subject: accuracyBySlice(records, 'subject'), level: accuracyBySlice(records, 'level') };
}

/**
 * A threshold router's score of every problem, for the prefix-sum sweep. A problem with no score (P(c) where the
 * confidence tokens hold less mass than the router's `minTokenMass`) is delegated at every threshold, as Delegation II
 * delegates a missing token; they are counted, with the reason, for the report.
 */
export function sweepScores(
  problems: readonly Problem[],
  smallRecords: ReadonlyMap<string, RunRecord>,
  score: RoutingScore,
  direction: ScoreDirection,
  routerOptions: Readonly<Record<string, unknown>>,
): { scores: Float64Array; unscored: UnscoredProblems | null } {
  const minTokenMass = minTokenMassOf(routerOptions);
  let count = 0;
  let reason = '';
  const scores = Float64Array.from(problems, (problem) => {
    const record = smallRecords.get(problem.id)!;
    const value = routingScore(record, score, { minTokenMass });
    if (value !== null) return value;
    if (count++ === 0) reason = pConfident(record.generation.confidenceProbabilities!, minTokenMass).reason!;
    return delegatedAtEveryThreshold(direction);
  });
  return { scores, unscored: count === 0 ? null : { count, of: problems.length, reason } };
}

/** Every run the experiment names, once each: the pair's, the peers', the cascade stages', the models' and the reference runs. */
function namedRuns(experiment: AblationExperiment): string[] {
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

/** The runs of the ablation whose manifests mark them a pipeline check (not a result), with the reason each gives. */
function pipelineChecksOf(experiment: AblationExperiment, loadRun: (reference: string) => RunDirectory): PipelineCheckNote[] {
  return namedRuns(experiment).flatMap((run) => {
    const check = loadRun(run).manifest.pipelineCheck ?? null;
    return check === null ? [] : [{ run, reason: check.reason }];
  });
}

/** Each named run's records, read once; with grades `math`, every named run re-graded once up front. */
async function gradedRecords(inputs: AblationInputs): Promise<(runId: string) => RunRecord[]> {
  const graded = new Map<string, RunRecord[]>();
  if (inputs.experiment.grades === 'math') {
    if (!inputs.regrade) throw new InvalidConfigError('grades "math" needs the core/math evaluator');
    for (const runId of namedRuns(inputs.experiment)) graded.set(runId, await inputs.regrade(inputs.loadRun(runId).records));
  }
  return (runId) => {
    const cached = graded.get(runId);
    if (cached) return cached;
    const loaded = inputs.loadRun(runId).records;
    graded.set(runId, loaded);
    return loaded;
  };
}

/** The models section's evaluation (routing's `evaluateModels` on the K runs and the reference runs), null without `models`. */
function modelsEvaluationOf(experiment: AblationExperiment, records: (runId: string) => RunRecord[], prices: PriceTable): { evaluation: ModelsEvaluation; problemIds: readonly string[] } | null {
  if (experiment.models === undefined) return null;
  const { table, references } = buildModelsTable(
    experiment.models.map((entry) => ({ label: entry.label, records: records(entry.run) })),
    experiment.referenceRuns.map((entry) => ({ label: entry.label, records: records(entry.run) })),
    prices,
  );
  const evaluation = evaluateModels(table, { bootstrap: experiment.bootstrap, references, ...(experiment.reportAtCostUsd === undefined ? {} : { reportAtCostUsd: experiment.reportAtCostUsd }) });
  return { evaluation, problemIds: table.problemIds };
}

/** An ablation with `models` only: the models section, and no pair analysis. */
function modelsOnlyResults(inputs: AblationInputs, records: (runId: string) => RunRecord[], models: NonNullable<ReturnType<typeof modelsEvaluationOf>>): AblationResults {
  const { experiment } = inputs;
  const runs = namedRuns(experiment).map(records);
  return {
    experiment,
    grades: experiment.grades === 'recorded' ? `recorded: the verdicts the runs carry (${recordedGraders(runs.flat())})` : 're-graded by the core/math evaluator',
    referenceDelegationRate: null,
    referenceDelegationRateSource: null,
    problems: { evaluated: models.evaluation.problems, dataset: inputs.problems.length, datasetReference: inputs.datasetReference ?? datasetLabel(experiment.dataset) },
    problemIds: [...models.problemIds],
    models: null,
    provenance: summaryProvenance({ path: inputs.experimentFile, label: experimentFileLabel(inputs.experimentFile) }, inputs.evaluatorUse ? [inputs.evaluatorUse] : [], {
      ...(inputs.read ? { read: inputs.read } : {}),
      prices: inputs.prices,
      dataset: { reference: inputs.datasetReference ?? datasetLabel(experiment.dataset), problems: inputs.problems },
    }),
    pair: null,
    curves: [],
    hull: [],
    paperPoints: [],
    comparisons: [],
    calibration: [],
    riskControl: [],
    leaderboard: null,
    policies: [],
    tokenProbabilities: runs.some((run) => run.some((record) => record.generation.confidenceProbabilities !== undefined)),
    pipelineCheck: pipelineChecksOf(experiment, inputs.loadRun),
    modelsEvaluation: models.evaluation,
  };
}

/**
 * Every figure of the ablation: the small/large pair's analysis (`computePairResults`) where the experiment has the
 * pair, and the models section (`evaluateModels`) where it lists `models`.
 */
export async function computeAblationResults(inputs: AblationInputs): Promise<AblationResults> {
  const records = await gradedRecords(inputs);
  const models = modelsEvaluationOf(inputs.experiment, records, inputs.prices);
  const pairExperiment = pairAblationOf(inputs.experiment);
  if (pairExperiment === null) return modelsOnlyResults(inputs, records, models!);
  return { ...(await computePairResults({ ...inputs, experiment: pairExperiment }, records)), modelsEvaluation: models?.evaluation ?? null };
}

type PairAblationInputs = AblationInputs & { experiment: PairAblationExperiment };

/**
 * Every router of the ablation on the small/large pair: threshold sweeps by the fast prefix-sum path (spot-checked
 * through the engine), other routers and cascades through the engine, with bootstrap intervals, AIQ, APGR and CPT,
 * pairwise comparisons, score calibration and a risk-controlled threshold.
 */
async function computePairResults(inputs: PairAblationInputs, records: (runId: string) => RunRecord[]): Promise<Omit<AblationResults, 'modelsEvaluation'>> {
  const { experiment } = inputs;
  const prices = inputs.prices;
  const answered = new Set(inputs.loadRun(experiment.small.run).records.map((record) => record.problemId));
  const problems = inputs.problems.filter((problem) => answered.has(problem.id));
  if (problems.length === 0) {
    throw new InvalidConfigError(`small run "${experiment.small.run}" answers none of the problems of dataset "${datasetLabel(experiment.dataset)}"`);
  }
  const context: RunContext = {
    inputs,
    problems,
    records,
    source: (runId) => replaySource(runId, records(runId)),
    pluginContext: { priceTable: prices, fitData: { problems, small: records(experiment.small.run) } },
  };
  const table = outcomeTable(
    problems,
    { label: experiment.small.run, records: records(experiment.small.run) },
    { label: experiment.large.run, records: records(experiment.large.run) },
    prices,
  );
  const n = problems.length;
  const weights = resampleWeights(n, experiment.bootstrap.resamples, experiment.bootstrap.seed);
  const confidence = experiment.bootstrap.confidence;
  const smallAccuracy = table.smallCorrect.reduce((sum, value) => sum + value, 0) / n;
  const largeAccuracy = table.largeCorrect.reduce((sum, value) => sum + value, 0) / n;
  const pair = {
    small: { parameter: null, accuracy: smallAccuracy, costUsd: table.smallCost.reduce((a, b) => a + b, 0) / 1e8, delegationRate: 0, llmCalls: 0 },
    large: { parameter: null, accuracy: largeAccuracy, costUsd: table.largeCost.reduce((a, b) => a + b, 0) / 1e8, delegationRate: 1, llmCalls: n },
  };
  const { rate: referenceDelegationRate, source: referenceDelegationRateSource } = referenceRate(experiment, records(experiment.small.run));
  const pairAccuracy = { weakAccuracy: smallAccuracy, strongAccuracy: largeAccuracy };

  const intervalsOf = (outcomes: ProblemOutcomes) => ({
    accuracy: bootstrapInterval(outcomes.correct, weights, confidence, (sum) => sum / n),
    costUsd: bootstrapInterval(outcomes.cost, weights, confidence, (sum) => sum / 1e8),
  });

  const curves: RouterCurve[] = [];
  const sweeps = new Map<string, { sweep: ThresholdSweep; scores: Float64Array; unscored: UnscoredProblems | null; score: string; direction: 'keep-high' | 'keep-low'; router: { id: string; options: Record<string, unknown> }; option: string }>();
  // every point's outcomes of the routers swept through the engine (over any option), for comparisons at a rate
  const engineSweepOutcomes = new Map<string, ProblemOutcomes[]>();
  for (const entry of experiment.routers) {
    const created = inputs.registry.create('router', entry.router.id, entry.router.options, context.pluginContext);
    // a router that learned on the data is run as fitted from here on (the engine runs do not fit it again)
    const fittedEntry: AblationRouterEntry = { ...entry, router: { ...entry.router, options: created.instance.capabilities.fittedOptions?.() ?? entry.router.options } };
    const { sweepableScore: fieldScore, ownScore } = created.instance.capabilities;
    const sweepable = fieldScore ?? (ownScore ? { option: ownScore.option, direction: 'keep-high' as const } : undefined);
    const fastSweep = sweepable !== undefined && entry.sweep?.option === sweepable.option;
    if (entry.sweep?.values === 'distinct' && !fastSweep) {
      throw new InvalidConfigError(
        `router "${entry.id}": sweep values "distinct" need a router that declares a sweepable score on option "${entry.sweep.option}" (core/threshold on "threshold")`,
      );
    }
    if (fastSweep && entry.sweep) {
      const direction = sweepable.direction;
      const smallRecords = new Map(records(experiment.small.run).map((record) => [record.problemId, record]));
      const { scores, unscored } =
        ownScore && !fieldScore
          ? { scores: Float64Array.from(problems, (problem) => ownScore.score(problem, smallRecords.get(problem.id))), unscored: null }
          : sweepScores(problems, smallRecords, fieldScore!.score, direction, created.use.options);
      const sweep = new ThresholdSweep(table, scores, {
        direction,
        thresholds: entry.sweep.values === 'distinct' ? distinctThresholds(scores, direction) : entry.sweep.values,
      });
      sweeps.set(entry.id, { sweep, scores, unscored, score: fieldScore?.score ?? ownScore!.label, direction, router: fittedEntry.router, option: entry.sweep.option });
      const points = sweep.points();
      // Spot-check the fast path against the engine with the plugin itself. The last distinct point (past every score:
      // delegate all) is outside a probability threshold's range; it equals the always-large router's point.
      const last = entry.sweep.values === 'distinct' ? points.length - 2 : points.length - 1;
      const checks = [0, Math.floor(last / 3), Math.floor((2 * last) / 3), last].filter((k) => k >= 0);
      let agreed = 0;
      for (const k of [...new Set(checks)]) {
        const run = await engineRun(context, fittedEntry, { ...fittedEntry.router.options, [entry.sweep.option]: points[k]!.parameter });
        const point = operatingPoint(run.records, run.ledger);
        if (Math.abs(point.accuracy - points[k]!.accuracy) < 1e-12 && Math.abs(point.costUsd - points[k]!.costUsd) < 1e-9) agreed++;
      }
      const reportedIndex = closestToRate(points, referenceDelegationRate);
      const reportedOutcomes = outcomesFromSweep(table, sweep, reportedIndex);
      const aiqSamples = weights.map((weight) =>
        aiq(sweep.pointsWithWeights(weight).map((point) => ({ cost: point.costUsd, accuracy: point.accuracy }))),
      );
      curves.push({
        id: entry.id,
        label: entry.label,
        router: created.use,
        kind: 'sweep',
        points,
        reported: points[reportedIndex]!,
        reportedOutcomes,
        intervals: { ...intervalsOf(reportedOutcomes), aiq: percentileInterval(aiqSamples, confidence) },
        aiq: aiq(points.map((point) => ({ cost: point.costUsd, accuracy: point.accuracy }))),
        apgr: apgr(points.map((point) => ({ strongCallRate: point.delegationRate, accuracy: point.accuracy })), pairAccuracy),
        cpt50: cpt(points.map((point) => ({ strongCallRate: point.delegationRate, accuracy: point.accuracy })), { ...pairAccuracy, recovered: 0.5 }),
        cpt80: cpt(points.map((point) => ({ strongCallRate: point.delegationRate, accuracy: point.accuracy })), { ...pairAccuracy, recovered: 0.8 }),
        engineCheck: { points: new Set(checks).size, agreed },
        slices: slicesOf(reportedOutcomes, problems),
        unscored,
      });
      continue;
    }
    // Engine path: one point, or one point per swept value (averaged over seeds for randomised routers).
    const values: Array<number | null> = entry.sweep ? (entry.sweep.values as number[]) : [null];
    const points: OperatingPoint[] = [];
    const outcomesPerValue: ProblemOutcomes[] = [];
    for (const value of values) {
      const perSeed: OperatingPoint[] = [];
      let firstOutcomes: ProblemOutcomes | undefined;
      for (let seed = 0; seed < entry.repeats; seed++) {
        const options = {
          ...fittedEntry.router.options,
          ...(entry.sweep && value !== null ? { [entry.sweep.option]: value } : {}),
          ...(entry.repeats > 1 ? { seed } : {}),
        };
        const run = await engineRun(context, fittedEntry, options);
        perSeed.push(operatingPoint(run.records, run.ledger, value));
        firstOutcomes ??= outcomesFrom(run.records, run.ledger, problems);
      }
      const mean = (pick: (point: OperatingPoint) => number) => perSeed.reduce((sum, point) => sum + pick(point), 0) / perSeed.length;
      points.push({
        parameter: value,
        accuracy: mean((point) => point.accuracy),
        costUsd: mean((point) => point.costUsd),
        delegationRate: mean((point) => point.delegationRate),
        llmCalls: mean((point) => point.llmCalls),
      });
      outcomesPerValue.push(firstOutcomes!);
    }
    const reportedIndex = points.length === 1 ? 0 : closestToRate(points, referenceDelegationRate);
    const reportedOutcomes = outcomesPerValue[reportedIndex]!;
    const curve = points.length > 1;
    if (curve) engineSweepOutcomes.set(entry.id, outcomesPerValue);
    curves.push({
      id: entry.id,
      label: entry.label,
      router: created.use,
      kind: curve ? 'sweep' : 'point',
      points,
      reported: points[reportedIndex]!,
      reportedOutcomes,
      intervals: intervalsOf(reportedOutcomes),
      aiq: curve ? aiq(points.map((point) => ({ cost: point.costUsd, accuracy: point.accuracy }))) : null,
      apgr: curve ? apgr(points.map((point) => ({ strongCallRate: point.delegationRate, accuracy: point.accuracy })), pairAccuracy) : null,
      cpt50: curve ? cpt(points.map((point) => ({ strongCallRate: point.delegationRate, accuracy: point.accuracy })), { ...pairAccuracy, recovered: 0.5 }) : null,
      cpt80: curve ? cpt(points.map((point) => ({ strongCallRate: point.delegationRate, accuracy: point.accuracy })), { ...pairAccuracy, recovered: 0.8 }) : null,
      slices: slicesOf(reportedOutcomes, problems),
      unscored: null,
    });
  }

  for (const entry of experiment.cascades) {
    const stages = entry.stages.map((stage) => ({
      source: context.source(stage.run),
      ...(stage.router ? { router: inputs.registry.create('router', stage.router.id, stage.router.options, { priceTable: prices }).instance } : {}),
    }));
    const run = await cascade({ runId: `${experiment.name}/${entry.id}`, problems, stages, prices });
    const outcomes = outcomesFrom(run.records, run.ledger, problems);
    const lastModel = records(entry.stages.at(-1)!.run)[0]!.generation.model;
    const llmCalls = run.records.filter((record) => record.generation.model === lastModel).length;
    const point: OperatingPoint = { ...operatingPoint(run.records, run.ledger), llmCalls, delegationRate: llmCalls / n };
    for (let index = 0; index < n; index++) outcomes.delegated[index] = 0;
    curves.push({
      id: entry.id,
      label: entry.label,
      router: { id: 'cascade', kind: 'router', options: { stages: entry.stages } },
      kind: 'cascade',
      points: [point],
      reported: point,
      reportedOutcomes: outcomes,
      intervals: intervalsOf(outcomes),
      aiq: null,
      apgr: null,
      cpt50: null,
      cpt80: null,
      slices: slicesOf(outcomes, problems),
      unscored: null,
    });
  }

  // The hull of what deployable routers reach: the oracle reads the large model's grade, so it is left out.
  const allPoints = curves
    .filter((curve) => curve.router.id !== 'core/oracle')
    .flatMap((curve) => curve.points.map((point) => ({ label: curve.label, cost: point.costUsd, accuracy: point.accuracy })));
  const hull = nonDecreasingConvexHull(allPoints).map((point) => ({ label: point.label!, accuracy: point.accuracy, costUsd: point.cost }));

  const comparisons = experiment.comparisons.map((comparison) => {
    const [left, right] = comparison.routers.map((id) => curves.find((curve) => curve.id === id)!) as [RouterCurve, RouterCurve];
    // each router at its point closest to the comparison's rate: a prefix-sum sweep, or a sweep through the engine
    // over any option (the experiment's check refuses a comparison of a router that has one point)
    const pick = (curve: RouterCurve) => {
      const index = closestToRate(curve.points, comparison.atDelegationRate);
      const sweep = sweeps.get(curve.id);
      if (sweep) return outcomesFromSweep(table, sweep.sweep, index);
      const outcomes = engineSweepOutcomes.get(curve.id);
      if (outcomes) return outcomes[index]!;
      throw new InvalidConfigError(`comparisons: router entry "${curve.id}" has one operating point; it cannot be placed at delegation rate ${comparison.atDelegationRate}`);
    };
    return mcnemarComparison(left.label, pick(left), right.label, pick(right), comparison.atDelegationRate, weights, confidence);
  });

  // a score's calibration is measured on the problems that have the score (P(c) under the mass floor has none)
  const calibration = [...sweeps.entries()].flatMap(([id, { scores, score, direction }]) => {
    const scored = Array.from(scores.keys()).filter((index) => Number.isFinite(scores[index]!));
    if (scored.length === 0) return [];
    return [
      scoreCalibration(
        curves.find((curve) => curve.id === id)!.label,
        score,
        direction,
        Float64Array.from(scored, (index) => scores[index]!),
        Uint8Array.from(scored, (index) => table.smallCorrect[index]!),
        experiment.calibrationBins,
      ),
    ];
  });

  const oracle = oracleAccuracy(table.smallCorrect, table.largeCorrect);
  const leaderboard = {
    zones: agreementZones(table.smallCorrect, table.largeCorrect),
    oracleAccuracy: oracle,
    routers: curves.map((curve) => ({
      id: curve.id,
      label: curve.label,
      accuracy: curve.reported.accuracy,
      costUsd: curve.reported.costUsd,
      headroomCaptured: headroomCaptured(curve.reported.accuracy, smallAccuracy, oracle),
      arenaScore: arenaScore((curve.reported.costUsd / n) * 1000, curve.reported.accuracy),
      optimality: curve.router.id === 'cascade' ? null : routerArenaOptimality(table.smallCorrect, table.largeCorrect, table.smallCost, table.largeCost, curve.reportedOutcomes.delegated),
      delegatedByZone: curve.router.id === 'cascade' ? null : delegationsByZone(table.smallCorrect, table.largeCorrect, curve.reportedOutcomes.delegated),
    })),
  };

  const policies: RoutingPolicy[] = [];
  const riskControl = experiment.riskControl.map((entry) => {
    const sweep = sweeps.get(entry.router);
    if (!sweep) throw new InvalidConfigError(`riskControl: router entry "${entry.router}" is not a threshold sweep`);
    const permutation = numpyDefaultRng(entry.seed).permutation(n);
    const calibrationSize = Math.round(entry.calibrationShare * n);
    const grid = entry.grid ?? { from: 0, to: 1, steps: 1 };
    // the splits that measure violations: other seeds of the same generator, the same calibration size
    const splits = Array.from({ length: entry.violationSplits }, (_, split) => numpyDefaultRng(entry.seed + 1 + split).permutation(n));
    const calibrationIndices = Array.from(permutation.slice(0, calibrationSize));
    const result = riskControlledThreshold({
      label: curves.find((curve) => curve.id === entry.router)!.label,
      table,
      scores: sweep.scores,
      direction: sweep.direction,
      calibrationIndices,
      testIndices: Array.from(permutation.slice(calibrationSize)),
      guarantee: entry.guarantee === 'kept-error' ? { kind: 'kept-error', maxKeptErrorRate: entry.maxKeptErrorRate! } : { kind: 'delegation-rate', maxDelegationRate: entry.maxDelegationRate! },
      delta: entry.delta,
      grid: Array.from({ length: grid.steps + 1 }, (_, step) => grid.from + ((grid.to - grid.from) * step) / grid.steps),
      splits,
    });
    // a certified threshold becomes a routing policy: the router as fitted, the threshold, how it was calibrated
    if (result.threshold !== null && result.heldOut !== null) {
      const threshold = result.threshold;
      policies.push({
        schemaVersion: ROUTING_POLICY_SCHEMA_VERSION,
        router: { id: sweep.router.id, options: { ...sweep.router.options, [sweep.option]: threshold } },
        threshold: { option: sweep.option, value: threshold },
        guarantee:
          result.guarantee.kind === 'kept-error'
            ? { kind: 'kept-error', maxKeptErrorRate: result.guarantee.maxKeptErrorRate, delta: entry.delta }
            : { kind: 'delegation-rate', maxDelegationRate: result.guarantee.maxDelegationRate, delta: entry.delta },
        calibration: {
          experiment: experiment.name,
          dataHash: calibrationDataHash(
            calibrationIndices.map((index) => problems[index]!.id),
            Uint8Array.from(calibrationIndices, (index) => table.smallCorrect[index]!),
            Float64Array.from(calibrationIndices, (index) => sweep.scores[index]!),
          ),
          splitSeed: entry.seed,
          calibrationShare: entry.calibrationShare,
          calibrationSize,
          routerEntry: entry.router,
          heldOut: { size: result.heldOut.size, keptErrorRate: result.heldOut.keptErrorRate, delegationRate: result.heldOut.delegationRate, accuracy: result.heldOut.accuracy, costUsd: result.heldOut.costUsd },
        },
        expectedRoutes: Object.fromEntries(problems.map((problem, index) => [problem.id, delegatesScore(sweep.scores[index]!, { direction: sweep.direction, threshold }) ? 'large' : 'small'])),
        createdBy: { commit: null, command: `confide ablate --experiment ${experimentFileLabel(inputs.experimentFile)}` },
      });
    }
    return result;
  });

  const tokenProbabilities = records(experiment.small.run).some((record) => record.generation.confidenceProbabilities !== undefined);
  return {
    experiment,
    grades: experiment.grades === 'recorded' ? `recorded: the verdicts the runs carry (${recordedGraders([...records(experiment.small.run), ...records(experiment.large.run)])})` : 're-graded by the core/math evaluator',
    referenceDelegationRate,
    referenceDelegationRateSource,
    problems: { evaluated: problems.length, dataset: inputs.problems.length, datasetReference: inputs.datasetReference ?? datasetLabel(experiment.dataset) },
    problemIds: problems.map((problem) => problem.id),
    models: { small: records(experiment.small.run)[0]!.generation.model, large: records(experiment.large.run)[0]!.generation.model },
    provenance: summaryProvenance({ path: inputs.experimentFile, label: experimentFileLabel(inputs.experimentFile) }, [
      ...curves.map((curve) => curve.router).filter((use) => use.id !== 'cascade'),
      ...experiment.cascades.flatMap((entry) =>
        entry.stages.flatMap((stage) => (stage.router ? [inputs.registry.create('router', stage.router.id, stage.router.options, { priceTable: prices }).use] : [])),
      ),
      ...(inputs.evaluatorUse ? [inputs.evaluatorUse] : []),
    ], {
      ...(inputs.read ? { read: inputs.read } : {}),
      prices,
      dataset: { reference: inputs.datasetReference ?? datasetLabel(experiment.dataset), problems: inputs.problems },
    }),
    pair,
    curves,
    hull,
    paperPoints: inputs.paperPoints ?? [],
    comparisons,
    calibration,
    riskControl,
    leaderboard,
    policies,
    tokenProbabilities,
    pipelineCheck: pipelineChecksOf(experiment, inputs.loadRun),
  };
}

/** Delegation I and II of a paper experiment, with the paper's own cost accounting, as points on the ablation's axes. */
async function paperPoints(folder: string, registry: PluginRegistry, read: ReportInputs): Promise<PaperPoint[]> {
  const { experiment, file } = loadExperimentOfKind(folder, 'paper');
  const store = read.relativeTo(folder);
  store.file(file);
  const results = await computePaperResults({
    experiment,
    experimentFile: file,
    registry,
    prices: resolvePriceTable(experiment.priceTable, folder),
    problems: (await loadProblems(experiment.dataset, { baseFolder: folder })).problems,
    loadRun: (reference) => store.loadRun(reference),
  });
  return experiment.table2.map((id) => {
    const delegation = results.delegations.find((candidate) => candidate.id === id)!;
    const delegated = delegation.handOff.find((row) => row.side === 'large')?.problems ?? 0;
    return {
      label: `${delegation.label} (paper)`,
      accuracy: delegation.accuracy.correct / delegation.accuracy.total,
      costUsd: delegation.costUsd,
      delegationRate: delegated / delegation.accuracy.total,
      accounting: 'answering models only (the paper)',
    };
  });
}

/** Re-grades records' extracted answers with an evaluator plugin (core/math: the same verdicts as reports/regrade-math500). */
function regrader(registry: PluginRegistry, prices: PriceTable, evaluatorId: string) {
  // one evaluator for every run the ablation re-grades; the executor closes it
  const { instance: evaluator, use } = registry.create('evaluator', evaluatorId, {}, { priceTable: prices });
  const regrade = async (records: readonly RunRecord[]): Promise<RunRecord[]> => {
    const regraded: RunRecord[] = [];
    for (const record of records) {
      const grade = await evaluator.grade({ gold: record.gold ?? '', response: record.generation.answer ?? '', extracted: true });
      regraded.push({ ...record, grade: { correct: grade.correct, evaluator: grade.evaluator, ...(grade.reason ? { reason: grade.reason } : {}) } });
    }
    return regraded;
  };
  return { regrade, use, close: () => evaluator.close() };
}

export interface AblationRunOptions {
  loaded: LoadedExperiment<'ablation'>;
  registry: PluginRegistry;
  /** The command's run store; runs the experiment names by path resolve against its folder. */
  runs?: RunStore;
  outFolder: string;
  /** Overrides the experiment's `grades`. */
  grades?: 'recorded' | 'math';
  /** Also write every router's choices in RouterArena's prediction-file format here. */
  routerArenaFolder?: string;
}

/**
 * Every router's per-problem choices at its reported point in RouterArena's prediction-file format (RouteWorks/RouterArena,
 * README "Get Routing Decisions" and router_inference/check_config_prediction_files.py: a JSON list of
 * {global_index, prompt, prediction}, with a config {pipeline_params: {router_name, models}}), one pair of files per
 * router; cascades are left out (their choices are not the pair's).
 */
export function writeRouterArenaPredictions(results: AblationResults, problems: readonly Problem[], folder: string): string[] {
  const questions = new Map(problems.map((problem) => [problem.id, problem.problem]));
  const files: string[] = [];
  const models = results.models;
  // an ablation with only `models` has no pair routers to write
  for (const curve of models === null ? [] : results.curves) {
    if (curve.router.id === 'cascade') continue;
    const predictions = results.problemIds.map((id, index) => ({
      global_index: id,
      prompt: questions.get(id) ?? '',
      prediction: curve.reportedOutcomes.delegated[index] === 1 ? models!.large : models!.small,
      // filled by RouterArena's own inference and evaluation
      generated_result: null,
      cost: null,
      accuracy: null,
    }));
    const config = { pipeline_params: { router_name: curve.id, models: [models!.small, models!.large] } };
    const predictionsPath = join(folder, 'predictions', `${curve.id}.json`);
    const configPath = join(folder, 'config', `${curve.id}.json`);
    writeFileAtomic(predictionsPath, `${JSON.stringify(predictions, null, 2)}\n`);
    writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
    files.push(predictionsPath, configPath);
  }
  return files;
}

/** The ablation executor: every router on the experiment's small/large pair, then the report in `outFolder`. */
export async function runAblationExperiment(options: AblationRunOptions): Promise<ExperimentOutcome<{ results: AblationResults }>> {
  checkReportOutFolder(options.outFolder, 'ablation');
  if (options.routerArenaFolder) checkWritableOutFolder(options.routerArenaFolder);
  const { folder, file } = options.loaded;
  const experiment = options.grades ? { ...options.loaded.experiment, grades: options.grades } : options.loaded.experiment;
  const runs = (options.runs ?? new RunStore()).relativeTo(folder);
  const loadedProblems = await loadProblems(experiment.dataset, { baseFolder: folder });
  const prices = resolvePriceTable(experiment.priceTable, folder);
  const math = experiment.grades === 'math' ? regrader(options.registry, prices, 'core/math') : undefined;
  const read = new ReportInputs(runs);
  let results: AblationResults;
  try {
    results = await computeAblationResults({
      experiment,
      experimentFile: file,
      registry: options.registry,
      prices,
      problems: loadedProblems.problems,
      datasetReference: loadedProblems.reference,
      loadRun: (reference) => read.loadRun(reference),
      read,
      ...(math ? { regrade: math.regrade, evaluatorUse: math.use } : {}),
      ...(experiment.paperExperiment ? { paperPoints: await paperPoints(resolve(folder, experiment.paperExperiment), options.registry, read) } : {}),
    });
  } finally {
    await math?.close();
  }
  // the report and its policies written whole: no policy of an earlier config survives
  const { files, policyFiles } = await writeReportFolder(options.outFolder, 'ablation', async (staging) => ({
    files: await writeAblationReport(results, staging),
    policyFiles: writeRoutingPolicies(join(staging, 'policies'), results.policies).map((path) =>
      join(options.outFolder, relative(staging, path)),
    ),
  }));
  const arenaFiles = options.routerArenaFolder ? writeRouterArenaPredictions(results, loadedProblems.problems, options.routerArenaFolder) : [];
  return { status: 'complete', files: [...files, ...policyFiles, ...arenaFiles], results };
}
