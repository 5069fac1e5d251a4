import { join, relative, resolve } from 'node:path';
import { CONFIDENT_TOKEN, handTurn, InvalidConfigError, type LogisticFitCache, type PluginRegistry, type PriceTable, type PluginUse, type Problem, type RunRecord } from '@confide/core';
import { checkReportOutFolder, checkWritableOutFolder, loadProblems, numpyDefaultRng, resolvePriceTable, RunStore, writeFileAtomic, writeReportFolder, type LoadedProblems, type RunDirectory } from '@confide/data';
import {
  accuracyByProblemSlice,
  buildModelsTable,
  cascadeCurves,
  compareRouters,
  fairBaselines,
  deployableHull,
  evaluateModels,
  listedChains,
  listedRouters,
  pairLeaderboard,
  pairOutcomeTable,
  pairRouterCurves,
  replaySource,
  ResamplePlan,
  SectionsByRouter,
  startPairRouters,
  type StartedPairRouters,
  sweptScoreCalibration,
  type ModelsEvaluation,
  type RouterCurve,
  type RunControl,
} from '@confide/routing';
import { namedRuns, pairAblationOf, type AblationExperiment, type PairAblationExperiment } from './ablation-experiment.js';
import { forgetPrerenderedCharts, prerenderPairCurveCharts, prerenderReliabilityChart, writeAblationReport, type AblationResults, type PaperPoint, type PipelineCheckNote, type ProblemAgreement } from '@confide/reports';
import { loadExperimentOfKind, type LoadedExperiment } from '../experiment.js';
import type { ExperimentOutcome } from '../outcome.js';
import { computePaperDelegations } from '../paper/run-paper-experiment.js';
import { experimentFileLabel } from '../run-folder/experiment-file.js';
import { calibrationDataHash, writeRoutingPolicies } from '../run-folder/routing-policy-file.js';
import { ReportInputs, summaryProvenance } from '../run-folder/provenance.js';
import { stopReasonOf } from '../run-folder/stop-reason.js';
import { ablationCosts, type AblationCosts } from './ablation-costs.js';
import { ablationEvaluator, ablationRegrader, gradesNote, withGrades } from './ablation-grading.js';
import { ablationProblems, problemsLabel, type AblationProblems } from './ablation-problems.js';
import { ablationExplorationLog, ablationOffPolicy } from './ablation-off-policy.js';

export interface AblationInputs {
  experiment: AblationExperiment;
  /** The experiment file (hashed into summary.json). */
  experimentFile: string;
  registry: PluginRegistry;
  /** The experiment's price table, resolved (a bundled id or a file). */
  prices: PriceTable;
  /** The dataset's problems (without a dataset: those the runs carry, `ablationProblems`); the ablation uses those the small run answered, in their order. */
  problems: readonly Problem[];
  /** The dataset as its manifest names it (a bundled name, a pinned hf:// reference), or what stands for it without one. */
  datasetReference?: string;
  /** How the runs' own problems agree with `problems` (`ablationProblems`); absent: not compared. */
  problemAgreement?: ProblemAgreement;
  /** A run by reference (bundled id or path): the run store of the command, relative to the experiment's folder. */
  loadRun: (reference: string) => RunDirectory;
  /** The same store's run read with turns of the event loop (progress, Ctrl-C) where one is read late (the off-policy log); absent: `loadRun`. */
  loadRunCooperatively?: (reference: string) => Promise<RunDirectory>;
  /** Re-grades records with the experiment's evaluator (`grades: "math"`: core/math); absent means only recorded verdicts are available. */
  regrade?: (records: readonly RunRecord[]) => Promise<RunRecord[]>;
  /** The evaluator `regrade` grades with, recorded in summary.json. */
  evaluatorUse?: PluginUse;
  /**
   * The paper's Delegation I and II (published accounting), to draw on the same axes: computed beside the pair's
   * routers (its engine runs take their turns while a learned router fits in its worker thread).
   */
  paperPoints?: (signal: AbortSignal) => Promise<PaperPoint[]>;
  /** What the runs were read from, hashed into summary.json (absent: no run file is listed). */
  read?: ReportInputs;
  /** Progress of the long steps (engine runs, bootstrap passes, violation splits) and a signal that stops them (Ctrl-C): nothing is written then. */
  control?: RunControl;
  /** The most thresholds a sweep's stored curve and resampled AIQ use (default: routing's SWEEP_GRID). */
  sweepGrid?: number;
  /** The pair's routers started before the other runs were read (`startPairRoutersEarly`), used as they are. */
  startedRouters?: StartedPairRouters;
  /** Where learned routers keep their fits between runs (absent: every fit is fitted). */
  fitCache?: LogisticFitCache;
  /**
   * Called once the pair's curves are known (every router's and cascade's points, the paper's points, the deployable
   * hull), before the bootstrap and the sections after it: the ablation command starts rendering its curve charts here.
   */
  onCurves?: (curves: { routers: readonly RouterCurve[]; paperPoints: readonly PaperPoint[]; hull: ReturnType<typeof deployableHull> }) => void;
  /** Called with the swept scores' calibration as soon as it is computed (an ablation starts its reliability chart). */
  onCalibration?: (calibration: AblationResults['calibration']) => void;
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

/** The runs of the ablation whose manifests mark them a pipeline check (not a result), with the reason each gives. */
function pipelineChecksOf(experiment: AblationExperiment, loadRun: (reference: string) => RunDirectory): PipelineCheckNote[] {
  return namedRuns(experiment).flatMap((run) => {
    const check = loadRun(run).manifest.pipelineCheck ?? null;
    return check === null ? [] : [{ run, reason: check.reason }];
  });
}

/** Each named run's records, read once; with an evaluator (`grades: "math"`: core/math), every named run re-graded once up front. */
async function gradedRecords(inputs: AblationInputs): Promise<(runId: string) => RunRecord[]> {
  const graded = new Map<string, RunRecord[]>();
  const evaluator = ablationEvaluator(inputs.experiment);
  if (evaluator !== null) {
    if (!inputs.regrade) throw new InvalidConfigError(`re-grading with ${evaluator.id} needs the evaluator (AblationInputs.regrade)`);
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

/**
 * The models section's evaluation (routing's `evaluateModels` on the K runs and the reference runs, with the routers
 * and chains the experiment lists run through the engine first), null without `models`.
 */
async function modelsEvaluationOf(inputs: AblationInputs, records: (runId: string) => RunRecord[], costs: AblationCosts): Promise<{ evaluation: ModelsEvaluation; problemIds: readonly string[]; uses: PluginUse[] } | null> {
  const { experiment, prices, problems } = inputs;
  if (experiment.models === undefined) return null;
  // a cost-unknown run is left off the cost axis (the report says why)
  const models = experiment.models.filter((entry) => !costs.leftOut.has(entry.label));
  const { table, references } = buildModelsTable(
    models.map((entry) => ({ label: entry.label, records: records(entry.run) })),
    experiment.referenceRuns.filter((entry) => !costs.leftOut.has(entry.label)).map((entry) => ({ label: entry.label, records: records(entry.run) })),
    prices,
  );
  const runOf = new Map(models.map((entry) => [entry.label, entry.run]));
  const listedContext = {
    name: experiment.name,
    table,
    problems,
    records: (label: string) => records(runOf.get(label)!),
    registry: inputs.registry,
    prices,
    pluginContext: { priceTable: prices },
  };
  const listed = [...(await listedRouters(listedContext, experiment.modelRouters)), ...(await listedChains(listedContext, experiment.chains))];
  const evaluation = await evaluateModels(table, { bootstrap: experiment.bootstrap, references, problems, listed, ...(experiment.reportAtCostUsd === undefined ? {} : { reportAtCostUsd: experiment.reportAtCostUsd }) }, inputs.control);
  return { evaluation, problemIds: table.problemIds, uses: listed.flatMap((router) => router.uses) };
}

/** An ablation with `models` only: the models section, and no pair analysis. */
function modelsOnlyResults(inputs: AblationInputs, records: (runId: string) => RunRecord[], models: NonNullable<Awaited<ReturnType<typeof modelsEvaluationOf>>>, costs: AblationCosts): AblationResults {
  const { experiment } = inputs;
  const runs = namedRuns(experiment).map(records);
  return {
    experiment,
    grades: gradesNote(experiment, runs.flat()),
    referenceDelegationRate: null,
    referenceDelegationRateSource: null,
    problems: { evaluated: models.evaluation.problems, dataset: inputs.problems.length, datasetReference: inputs.datasetReference ?? problemsLabel(experiment), agreement: inputs.problemAgreement ?? null },
    costNotes: costs.notes,
    problemIds: [...models.problemIds],
    models: null,
    provenance: summaryProvenance({ path: inputs.experimentFile, label: experimentFileLabel(inputs.experimentFile) }, [...models.uses, ...(inputs.evaluatorUse ? [inputs.evaluatorUse] : [])], {
      ...(inputs.read ? { read: inputs.read } : {}),
      prices: inputs.prices,
      dataset: { reference: inputs.datasetReference ?? problemsLabel(experiment), problems: inputs.problems },
    }),
    pair: null,
    curves: [],
    hull: [],
    paperPoints: [],
    comparisons: [],
    calibration: [],
    riskControl: [],
    thresholdTargets: [],
    fairBaselines: null,
    recalibration: [],
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
  // every run placed on the cost axis has a cost (token counts or a recorded one), or the report says why it is not there
  const costs = ablationCosts(inputs.experiment, records, inputs.prices);
  const models = await modelsEvaluationOf(inputs, records, costs);
  const pairExperiment = pairAblationOf(inputs.experiment);
  if (pairExperiment === null) return modelsOnlyResults(inputs, records, models!, costs);
  return { ...(await computePairResults({ ...inputs, experiment: pairExperiment }, records, models?.uses ?? [])), costNotes: costs.notes, modelsEvaluation: models?.evaluation ?? null };
}

type PairAblationInputs = AblationInputs & { experiment: PairAblationExperiment };

/** The pair's problems: those of `problems` the small run answers, in their order (what its routers fit on and route). */
function problemsTheSmallRunAnswers(problems: readonly Problem[], small: readonly RunRecord[]): Problem[] {
  const answered = new Set(small.map((record) => record.problemId));
  return problems.filter((problem) => answered.has(problem.id));
}

/**
 * The small/large pair's analysis, wired from routing's named steps (routing/src/evaluation/pair/): the outcome
 * table, every router's curve (threshold sweeps by prefix sums, spot-checked through the engine; other routers through
 * the engine), cascades, the deployable hull, comparisons, score calibration, the leaderboard, certified thresholds
 * and their policies.
 */
async function computePairResults(inputs: PairAblationInputs, records: (runId: string) => RunRecord[], modelsUses: readonly PluginUse[]): Promise<Omit<AblationResults, 'modelsEvaluation'>> {
  const { experiment, prices } = inputs;
  const problems = problemsTheSmallRunAnswers(inputs.problems, inputs.loadRun(experiment.small.run).records);
  if (problems.length === 0) {
    throw new InvalidConfigError(`small run "${experiment.small.run}" answers none of the problems of ${experiment.dataset === undefined ? 'the runs' : `dataset "${problemsLabel(experiment)}"`}`);
  }
  const small = { run: experiment.small.run, records: records(experiment.small.run) };
  const table = pairOutcomeTable(problems, { label: small.run, records: small.records }, { label: experiment.large.run, records: records(experiment.large.run) }, prices);
  const n = problems.length;
  // every interval of the pair is registered on one bootstrap pass, run once the routers and comparisons are built
  const resamples = new ResamplePlan(n, experiment.bootstrap);
  const reference = referenceRate(experiment, small.records);
  // one replay source per run (each indexes its records by problem once), shared by every engine run
  const sources = new Map<string, ReturnType<typeof replaySource>>();
  const source = (runId: string) => sources.get(runId) ?? sources.set(runId, replaySource(runId, records(runId))).get(runId)!;

  // the routers and the paper's points side by side; the first failure (or Ctrl-C) stops the other, and both have
  // settled before it is thrown: nothing goes on running behind it
  const stopBoth = new AbortController();
  const signal = inputs.control?.signal ? AbortSignal.any([inputs.control.signal, stopBoth.signal]) : stopBoth.signal;
  const failures: unknown[] = [];
  const fail = (error: unknown): never => {
    failures.push(error);
    stopBoth.abort();
    throw error;
  };
  // the sections that depend on one router each (risk control, a score's recalibration): those of the routers ready
  // before a learned router's fit ends are computed while it runs, the others after
  const sections = new SectionsByRouter({
    certification: {
      experiment: experiment.name,
      command: `confide ablate --experiment ${experimentFileLabel(inputs.experimentFile)}`,
      problems,
      table,
      permutation: (seed, size) => numpyDefaultRng(seed).permutation(size),
      calibrationDataHash,
      bootstrap: resamples.settings,
    },
    riskControl: experiment.riskControl,
    // isotonic and Platt, cross-fitted (5 folds, seed 0), 15 bins; the probabilities held fixed across resamples
    // (refit: false; confide calibrate refits each fold per resample); each resample sorts its problems, so beyond
    // RECALIBRATION_SAMPLE problems a seeded sample of them (the report says so)
    recalibration: {
      resamples: resamples.settings.resamples,
      bootstrapSeed: resamples.settings.seed,
      confidence: resamples.settings.confidence,
      refit: false,
      sample: RECALIBRATION_SAMPLE,
    },
  });
  // what depends on no router (the cascades, the exploration log): started while a learned router's fit runs where
  // there is one, else in its turn
  let cascadesStarted: Promise<RouterCurve[]> | undefined;
  const cascadesOnce = () => (cascadesStarted ??= cascadeCurves({ name: experiment.name, problems, prices, registry: inputs.registry, source, records, resamples }, experiment.cascades));
  let logStarted: ReturnType<typeof ablationExplorationLog> | undefined;
  const explorationLogOnce = () => (logStarted ??= ablationExplorationLog(experiment, table, inputs));
  const [routersSettled, paperSettled] = await Promise.allSettled([
    pairRouterCurves(
      {
        name: experiment.name,
        problems,
        table,
        small,
        large: { run: experiment.large.run },
        prices,
        registry: inputs.registry,
        pluginContext: { priceTable: prices, fitData: { problems, small: small.records }, ...(inputs.fitCache ? { fitCache: inputs.fitCache } : {}) },
        source,
        resamples,
        referenceRate: reference.rate,
        ...(inputs.sweepGrid === undefined ? {} : { sweepGrid: inputs.sweepGrid }),
        control: { ...inputs.control, signal },
        ...(inputs.startedRouters === undefined ? {} : { startedRouters: inputs.startedRouters }),
        whileRoutersPrepare: async (ready) => {
          await cascadesOnce();
          await explorationLogOnce();
          await sections.computeReady(ready, { ...inputs.control, signal });
        },
      },
      experiment.routers,
    ).catch(fail),
    (inputs.paperPoints?.(signal) ?? Promise.resolve([])).catch(fail),
  ]);
  if (routersSettled.status === 'rejected' || paperSettled.status === 'rejected') throw failures[0];
  const [routers, paperPoints] = [routersSettled.value, paperSettled.value];
  await handTurn(inputs.control, 'pair: cascades');
  const cascades = await cascadesOnce();
  // accuracy by the problems' slice (a log's task or benchmark) beside subject and level
  const curves = [...routers.curves, ...cascades].map((curve) => ({ ...curve, slices: { ...curve.slices, slice: accuracyByProblemSlice(curve.reportedOutcomes, problems) } }));
  const hull = deployableHull(curves);
  inputs.onCurves?.({ routers: curves, paperPoints, hull });
  await handTurn(inputs.control, 'pair: certified thresholds');
  const { riskControl, targets, policies } = await sections.certifiedThresholds(routers, inputs.control);
  await handTurn(inputs.control, 'pair: comparisons and fair baselines');
  const comparisons = compareRouters(table, routers, experiment.comparisons, resamples);
  const fair = fairBaselines(table, curves, resamples);
  await handTurn(inputs.control, 'pair: bootstrap');
  await resamples.run(inputs.control, 'pair: bootstrap');
  fair.finish();
  // the sections after the bootstrap, each a turn of the event loop apart (Ctrl-C between them)
  const calibration = await sweptScoreCalibration(table, routers, experiment.calibrationBins, inputs.control);
  inputs.onCalibration?.(calibration);
  await handTurn(inputs.control, 'pair: recalibration');
  const recalibration = sections.recalibration(routers);
  await handTurn(inputs.control, 'pair: off-policy estimates');
  // the named routers estimated from an exploration log, beside their actual figures (null without offPolicy)
  const offPolicy = ablationOffPolicy(experiment, table, routers.curves, await explorationLogOnce());
  await handTurn(inputs.control, 'pair: leaderboard');
  const leaderboard = pairLeaderboard(table, curves);
  const sum = (values: Float64Array) => values.reduce((total, value) => total + value, 0);
  return {
    experiment,
    grades: gradesNote(experiment, [...small.records, ...records(experiment.large.run)]),
    referenceDelegationRate: reference.rate,
    referenceDelegationRateSource: reference.source,
    problems: { evaluated: n, dataset: inputs.problems.length, datasetReference: inputs.datasetReference ?? problemsLabel(experiment), agreement: inputs.problemAgreement ?? null },
    problemIds: problems.map((problem) => problem.id),
    models: { small: small.records[0]!.generation.model, large: records(experiment.large.run)[0]!.generation.model },
    provenance: summaryProvenance({ path: inputs.experimentFile, label: experimentFileLabel(inputs.experimentFile) }, [
      ...curves.map((curve) => curve.router).filter((use) => use.id !== 'cascade'),
      ...experiment.cascades.flatMap((entry) =>
        entry.stages.flatMap((stage) => (stage.router ? [inputs.registry.create('router', stage.router.id, stage.router.options, { priceTable: prices }).use] : [])),
      ),
      ...modelsUses,
      ...(inputs.evaluatorUse ? [inputs.evaluatorUse] : []),
    ], {
      ...(inputs.read ? { read: inputs.read } : {}),
      prices,
      dataset: { reference: inputs.datasetReference ?? problemsLabel(experiment), problems: inputs.problems },
    }),
    pair: {
      small: { parameter: null, accuracy: sum(table.smallScore) / n, costUsd: sum(table.smallCost) / 1e8, delegationRate: 0, llmCalls: 0 },
      large: { parameter: null, accuracy: sum(table.largeScore) / n, costUsd: sum(table.largeCost) / 1e8, delegationRate: 1, llmCalls: n },
    },
    curves,
    hull,
    paperPoints,
    comparisons,
    calibration,
    recalibration,
    riskControl,
    thresholdTargets: targets,
    fairBaselines: fair.baselines,
    offPolicy,
    leaderboard,
    policies,
    tokenProbabilities: small.records.some((record) => record.generation.confidenceProbabilities !== undefined),
    pipelineCheck: pipelineChecksOf(experiment, inputs.loadRun),
  };
}

/** The most problems an ablation's recalibration section reads (a seeded sample beyond). */
export const RECALIBRATION_SAMPLE = 2000;

/** Delegation I and II of a paper experiment, with the paper's own cost accounting, as points on the ablation's axes. */
async function paperPoints(folder: string, registry: PluginRegistry, read: ReportInputs, signal: AbortSignal): Promise<PaperPoint[]> {
  const { experiment, file } = loadExperimentOfKind(folder, 'paper');
  const store = read.relativeTo(folder);
  store.file(file);
  // Table 2's delegations only: the paper's other runs and tables are not drawn here
  const delegations = await computePaperDelegations(
    {
      experiment,
      experimentFile: file,
      registry,
      prices: resolvePriceTable(experiment.priceTable, folder),
      problems: (await loadProblems(experiment.dataset, { baseFolder: folder })).problems,
      loadRun: (reference) => store.loadRun(reference),
      signal,
    },
    experiment.table2,
  );
  return delegations.map((delegation) => {
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

export interface AblationRunOptions {
  loaded: LoadedExperiment<'ablation'>;
  registry: PluginRegistry;
  /** The command's run store; runs the experiment names by path resolve against its folder. */
  runs?: RunStore;
  outFolder: string;
  /** Overrides the experiment's grading: `recorded`, or `math` (core/math). */
  grades?: 'recorded' | 'math';
  /** Stops the evaluator's lent clients (a verifier) at this spend. */
  budgetUsd?: number;
  /** SQLite response cache for the evaluator's lent clients (null or absent: none). */
  cachePath?: string | null;
  /** Also write every router's choices in RouterArena's prediction-file format here. */
  routerArenaFolder?: string;
  /** Overrides the experiment's bootstrap resamples (a quick look). */
  resamples?: number;
  /** The most thresholds a sweep's stored curve and resampled AIQ use. */
  sweepGrid?: number;
  /** Progress of the long steps, and a signal (Ctrl-C) that stops them: the run then ends `stopped: cancelled` and writes nothing. */
  control?: RunControl;
  /** Where learned routers keep their fits between runs, so a second ablation of the same data does not fit them again (absent: every fit is fitted). */
  fitCache?: LogisticFitCache;
}

/**
 * Every router's per-problem choices at its reported point in RouterArena's prediction-file format (RouteWorks/RouterArena,
 * README "Get Routing Decisions" and router_inference/check_config_prediction_files.py: a JSON list of
 * {global_index, prompt, prediction}, with a config {pipeline_params: {router_name, models}}), one pair of files per
 * router; `prediction` is the model the router chose (its run's model id). The pair's routers choose small or large
 * (cascades are left out: their choices are not the pair's); with `models`, the oracle, the best single model, every
 * two-stage chain (the model whose answer it returns) and the learned router over K choose among the K models.
 */
export function writeRouterArenaPredictions(results: AblationResults, problems: readonly Problem[], modelOfLabel: ReadonlyMap<string, string>, folder: string): string[] {
  const questions = new Map(problems.map((problem) => [problem.id, problem.problem]));
  const routers: Array<{ id: string; problemIds: readonly string[]; chosen: (index: number) => string; models: string[] }> = [];
  const pair = results.models;
  for (const curve of pair === null ? [] : results.curves) {
    if (curve.router.id === 'cascade') continue;
    routers.push({ id: curve.id, problemIds: results.problemIds, chosen: (index) => (curve.reportedOutcomes.delegated[index] === 1 ? pair!.large : pair!.small), models: [pair!.small, pair!.large] });
  }
  const models = results.modelsEvaluation;
  for (const router of models?.routerChoices ?? []) {
    const model = (label: string) => modelOfLabel.get(label) ?? label;
    routers.push({ id: `models-${router.id}`, problemIds: models!.problemIds, chosen: (index) => model(router.chosen[index]!), models: models!.labels.map(model) });
  }
  const files: string[] = [];
  for (const router of routers) {
    const predictions = router.problemIds.map((id, index) => ({
      global_index: id,
      prompt: questions.get(id) ?? '',
      prediction: router.chosen(index),
      // filled by RouterArena's own inference and evaluation
      generated_result: null,
      cost: null,
      accuracy: null,
    }));
    const config = { pipeline_params: { router_name: router.id, models: [...new Set(router.models)] } };
    const predictionsPath = join(folder, 'predictions', `${router.id}.json`);
    const configPath = join(folder, 'config', `${router.id}.json`);
    writeFileAtomic(predictionsPath, `${JSON.stringify(predictions, null, 2)}\n`);
    writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
    files.push(predictionsPath, configPath);
  }
  return files;
}

/** What an ablation stopped by Ctrl-C gives: nothing written (the report folder is written whole, after the computation). */
function cancelledOutcome(error: unknown): ExperimentOutcome<{ results: AblationResults }> {
  return { status: 'stopped', reason: 'cancelled', message: `stopped: ${(error as Error).message}; no report written, the previous one (if any) is untouched`, files: [] };
}

/**
 * The pair's routers that work before routing (a learned router's fit), created and started as soon as the small run
 * and the dataset's problems are read — before the ablation reads its other runs — so that work goes on in its worker
 * thread meanwhile. They get the plugin context the pair gives its routers later (the prices; the dataset's problems
 * the small run answers and its records: the same arrays), so they are the same routers. Only where nothing read later
 * changes that context: the experiment has the pair, names a dataset and keeps the recorded grades (an evaluator
 * re-grades the small run first). Null otherwise, or when a router cannot be created (the pair then starts its routers
 * itself, and says why one cannot be).
 */
function startPairRoutersEarly(
  experiment: AblationExperiment,
  dataset: LoadedProblems,
  small: readonly RunRecord[],
  prices: PriceTable,
  registry: PluginRegistry,
  control: RunControl | undefined,
  fitCache: LogisticFitCache | undefined,
): StartedPairRouters | null {
  const pair = pairAblationOf(experiment);
  if (pair === null || ablationEvaluator(experiment) !== null) return null;
  const problems = problemsTheSmallRunAnswers(dataset.problems, small);
  if (problems.length === 0) return null;
  try {
    return startPairRouters(pair.routers, { registry, pluginContext: { priceTable: prices, fitData: { problems, small }, ...(fitCache ? { fitCache } : {}) }, ...(control ? { control } : {}) }, { onlyPreparing: true });
  } catch {
    // a router that cannot be created (nothing was started then) fails where the pair creates its routers, as without
    // this head start: after every run is read and checked
    return null;
  }
}

/** The ablation executor: every router on the experiment's small/large pair, then the report in `outFolder`. */
export async function runAblationExperiment(options: AblationRunOptions): Promise<ExperimentOutcome<{ results: AblationResults }>> {
  checkReportOutFolder(options.outFolder, 'ablation');
  if (options.routerArenaFolder) checkWritableOutFolder(options.routerArenaFolder);
  const { folder, file } = options.loaded;
  const graded = withGrades(options.loaded.experiment, options.grades);
  const experiment = options.resamples === undefined ? graded : { ...graded, bootstrap: { ...graded.bootstrap, resamples: options.resamples } };
  // an ablation never shows a response: its runs are read without their texts (an evaluator re-grades extracted answers)
  const runs = (options.runs ?? new RunStore({ texts: false })).relativeTo(folder);
  const read = new ReportInputs(runs);
  const prices = resolvePriceTable(experiment.priceTable, folder);
  const control = options.control ?? {};
  let loadedProblems: AblationProblems;
  let started: StartedPairRouters | null = null;
  try {
    // every run the experiment names read first, with turns of the event loop (progress in bytes, Ctrl-C): the steps
    // after find them in the store's cache; the small run (named first) and the dataset come before the others, so the
    // pair's learned routers start fitting (in their worker) while the other runs are read
    const named = namedRuns(experiment);
    let dataset: LoadedProblems | undefined;
    for (const [index, reference] of named.entries()) {
      await read.loadRunCooperatively(reference, control);
      if (index === 0 && experiment.small?.run === reference && experiment.dataset !== undefined) {
        dataset = await loadProblems(experiment.dataset, { baseFolder: folder, ...(control.signal ? { signal: control.signal } : {}) });
        started = startPairRoutersEarly(experiment, dataset, read.loadRun(reference).records, prices, options.registry, options.control, options.fitCache);
      }
    }
    // the dataset's problems, each run's own matched to them by id; without a dataset, the problems the runs carry
    loadedProblems = await ablationProblems(experiment, named, (reference) => read.loadRun(reference), folder, control, dataset);
  } catch (error) {
    await started?.stop();
    if (stopReasonOf(error) === 'cancelled') return cancelledOutcome(error);
    throw error;
  }
  const evaluator = ablationEvaluator(experiment);
  const grader = evaluator === null ? undefined : ablationRegrader(experiment, evaluator, { registry: options.registry, prices, runs, problems: loadedProblems.problems, budgetUsd: options.budgetUsd, cachePath: options.cachePath ?? null });
  let results: AblationResults;
  try {
    results = await computeAblationResults({
      experiment,
      experimentFile: file,
      registry: options.registry,
      prices,
      problems: loadedProblems.problems,
      datasetReference: loadedProblems.reference,
      problemAgreement: loadedProblems.agreement,
      loadRun: (reference) => read.loadRun(reference),
      loadRunCooperatively: (reference) => read.loadRunCooperatively(reference, options.control ?? {}),
      read,
      ...(grader ? { regrade: grader.regrade, evaluatorUse: grader.use } : {}),
      ...(experiment.paperExperiment ? { paperPoints: (signal: AbortSignal) => paperPoints(resolve(folder, experiment.paperExperiment!), options.registry, read, signal) } : {}),
      ...(options.control ? { control: options.control } : {}),
      ...(options.sweepGrid === undefined ? {} : { sweepGrid: options.sweepGrid }),
      // the pair's curve charts render (in their workers) while the bootstrap and the sections after it compute, and
      // the reliability chart while the sections after the calibration do
      onCurves: (curves) => prerenderPairCurveCharts(curves, experiment),
      onCalibration: (calibration) => prerenderReliabilityChart(calibration),
      ...(started === null ? {} : { startedRouters: started }),
      ...(options.fitCache ? { fitCache: options.fitCache } : {}),
    });
  } catch (error) {
    await started?.stop();
    forgetPrerenderedCharts();
    // Ctrl-C: nothing was written (the report folder is written whole, after the computation), the previous report stands
    if (stopReasonOf(error) === 'cancelled') return cancelledOutcome(error);
    // a paying evaluator (a verifier) stopped at the budget: nothing is written, a rerun answers from the cache
    if (grader === undefined || stopReasonOf(error) !== 'budget') throw error;
    return { status: 'stopped', reason: 'budget', message: `stopped: ${(error as Error).message}; $${grader.spentUsd().toFixed(6)} spent re-grading with ${evaluator!.id}, no report written. A rerun answers what was graded from the cache and pays only for the rest.`, files: [] };
  } finally {
    await grader?.close();
  }
  // the report and its policies written whole: no policy of an earlier config survives
  const { files, policyFiles } = await writeReportFolder(options.outFolder, 'ablation', async (staging) => ({
    files: await writeAblationReport(results, staging),
    policyFiles: writeRoutingPolicies(join(staging, 'policies'), results.policies).map((path) =>
      join(options.outFolder, relative(staging, path)),
    ),
  }));
  // a model's label stands for its run's model id in the prediction files
  const modelOfLabel = new Map((experiment.models ?? []).map((entry) => [entry.label, read.loadRun(entry.run).records[0]?.generation.model ?? entry.label]));
  const arenaFiles = options.routerArenaFolder ? writeRouterArenaPredictions(results, loadedProblems.problems, modelOfLabel, options.routerArenaFolder) : [];
  return { status: 'complete', files: [...files, ...policyFiles, ...arenaFiles], results };
}
