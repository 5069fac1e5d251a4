import {
  createRandom,
  delegatedAtEveryThreshold,
  resolveModelLabel,
  type Router,
  type RouterCapabilities,
  distinctThresholds,
  handTurn,
  InvalidConfigError,
  minTokenMassOf,
  scoreOfRecord,
  type CreatedPlugin,
  type PluginContext,
  type PluginRegistry,
  type PluginUse,
  type PriceTable,
  type Problem,
  type RoutingScore,
  type RunRecord,
  type ScoreCalibrationSettings,
  type ScoreDirection,
} from '@confide/core';
import { accuracyBySlice, aiqOverCommonRange, apgr, cpt, type AccuracySummary, type CommonCostRange } from '@confide/metrics';
import { delegate } from '../../delegate.js';
import { crossFittedSweepScores } from './calibrated-sweep-scores.js';
import type { GenerationSource } from '../../generation-source.js';
import { operatingPoint } from '../../sweep/records-point.js';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import { ThresholdSweep, type OperatingPoint } from '../../sweep/threshold-sweep.js';
import type { Interval, ProblemOutcomes } from '../router-statistics.js';
import { LoopTurns, type ResamplePlan, type RunControl, type StepProgress } from '../resample-plan.js';
import { closestToRate, outcomeIntervals, outcomesOfRun, outcomesOfSweepPoint } from './pair-outcomes.js';
import { onResampledSweep } from './resampled-sweeps.js';

/** Problems a score leaves undefined (P(c) where the confidence tokens hold too little mass): delegated at every threshold. */
export interface UnscoredProblems {
  count: number;
  of: number;
  /** Why, in words (the first such problem's reason). */
  reason: string;
}

/** A router entry of a pair ablation: one point, or a sweep of one numeric option (the experiment file's shape). */
export interface PairRouterEntry {
  id: string;
  label: string;
  router: { id: string; options: Record<string, unknown> };
  sweep?: { option: string; values: 'distinct' | number[] } | undefined;
  /** Seeds a randomised router is averaged over (its `seed` option set to 0..repeats − 1). */
  repeats: number;
  /** Other models the router reads, by peer name. */
  peers: Record<string, { run: string }>;
}

/** One router's operating points on the pair, the point reported in tables, and its statistics. */
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
  /** The bootstrap's samples of the reported mean score (filled when the evaluation's pass runs): statistics of the same resamples reuse them. */
  accuracySamples?: Float64Array;
  aiq: number | null;
  apgr: number | null;
  cpt50: number | null;
  cpt80: number | null;
  /** For sweeps computed by the fast path: how many points were re-run through the engine and agreed. */
  /** For a fast path (a prefix-sum sweep, a baseline on columns): how many points were re-run through the engine on how many problems (a seeded sample beyond ENGINE_CHECK_PROBLEMS), and at how many every problem's choice and cost agreed. */
  engineCheck?: { points: number; agreed: number; problems: number };
  slices: { subject: Array<{ slice: string } & AccuracySummary>; level: Array<{ slice: string } & AccuracySummary> };
  /** For a threshold sweep: the problems with no score (null when every problem has one). */
  unscored: UnscoredProblems | null;
  /** A sweep with more distinct thresholds than its grid: how many there are, and how many the stored curve and the bootstrap use. */
  grid?: { thresholds: number; kept: number };
}

/** A threshold router swept by prefix sums: what comparisons, calibration and guarantees read again. */
export interface PrefixSweep {
  sweep: ThresholdSweep;
  scores: Float64Array;
  unscored: UnscoredProblems | null;
  /** The score's name (a RoutingScore, or a learned router's own score). */
  score: string;
  direction: ScoreDirection;
  /** The router as fitted, and the option that holds its threshold (what a routing policy recreates). */
  router: { id: string; options: Record<string, unknown> };
  option: string;
  /**
   * A calibrated score (`core/threshold` with `calibration`): `scores` are the cross-fitted calibrated probabilities
   * (keep-high); here are the raw scores (±Infinity where undefined) and their direction, and the settings as fitted,
   * from which a policy's own calibrator is fitted. Absent for any other sweep.
   */
  calibration?: { settings: ScoreCalibrationSettings; raw: Float64Array; rawDirection: ScoreDirection };
}

/** What the routers of a pair ablation run on. */
export interface PairContext {
  /** The delegated runs' id prefix (the experiment's name). */
  name: string;
  problems: readonly Problem[];
  table: OutcomeTable;
  small: { run: string; records: readonly RunRecord[] };
  large: { run: string };
  prices: PriceTable;
  registry: PluginRegistry;
  /** What routers are created with: the prices, and the problems and small run a learning router fits on. */
  pluginContext: PluginContext;
  /** A replay source of a named run. */
  source: (run: string) => GenerationSource;
  /** The evaluation's one bootstrap pass: every interval is registered on it and filled when it runs. */
  resamples: ResamplePlan;
  /** The delegation rate sweeps are reported at. */
  referenceRate: number;
  /**
   * The most thresholds a sweep's curve keeps and resamples (default SWEEP_GRID): beyond it, the point estimates (and
   * AIQ) still use every distinct score, but the stored curve and the bootstrap use that many quantile thresholds.
   */
  sweepGrid?: number;
  /** Progress of the engine runs and a signal that stops them (Ctrl-C). */
  control?: RunControl;
  /**
   * Routers started before the pair's other inputs were read (`startPairRouters` with this same plugin context), by
   * entry id: used as they are instead of being created again.
   */
  startedRouters?: StartedPairRouters;
  /**
   * Called once, when the routers without work before routing have been evaluated and the others' work (a learned
   * router's fit in a worker thread) still goes on: with the curves and sweeps so far, so the caller can compute what
   * depends on those routers alone meanwhile instead of waiting. Not called when no router has such work, or when it
   * has all ended by then (fits read from a cache). A failure in it stops that work and is thrown as an evaluation
   * failure.
   */
  whileRoutersPrepare?: (ready: PairRouterCurves) => Promise<void>;
}

/** A pair router created, with its work before routing (a learned router's fit) started: awaited in its turn. */
export interface StartedPairRouter {
  created: CreatedPlugin<'router'>;
  prepared: Promise<void> | undefined;
}

/** Routers started ahead, and how to stop the work they still do (a failure on the way: nothing fits on behind it). */
export interface StartedPairRouters {
  byEntry: ReadonlyMap<string, StartedPairRouter>;
  stop(): Promise<void>;
}

/**
 * Creates the entries' routers with `pluginContext` and starts each one's work before routing at once (a learned
 * router's fit, in a worker thread), with progress as `pair: <entry>, …` and Ctrl-C; `stop()` aborts what still runs
 * and waits for it to settle. With `onlyPreparing`, only the routers that have such work are kept.
 */
export function startPairRouters(
  entries: readonly PairRouterEntry[],
  context: Pick<PairContext, 'registry' | 'pluginContext' | 'control'>,
  options: { onlyPreparing?: boolean } = {},
): StartedPairRouters {
  const stopPreparing = new AbortController();
  const signal = context.control?.signal ? AbortSignal.any([context.control.signal, stopPreparing.signal]) : stopPreparing.signal;
  const byEntry = new Map<string, StartedPairRouter>();
  // every router created before any work starts: a router that cannot be created leaves nothing running behind it
  const created = entries.map((entry) => context.registry.create('router', entry.router.id, entry.router.options, context.pluginContext));
  for (const [position, entry] of entries.entries()) {
    const router = created[position]!;
    const onProgress = (progress: StepProgress) => context.control?.onProgress?.({ ...progress, stage: `pair: ${entry.id}, ${progress.stage}` });
    const prepared = router.instance.capabilities.prepare?.({ signal, onProgress });
    prepared?.catch(() => undefined); // awaited (and thrown) in its turn
    if (prepared !== undefined || !options.onlyPreparing) byEntry.set(entry.id, { created: router, prepared });
  }
  return {
    byEntry,
    // idempotent: a second stop finds nothing running
    async stop() {
      stopPreparing.abort();
      await Promise.allSettled([...byEntry.values()].map((router) => router.prepared));
    },
  };
}

/** The default grid of a sweep with more distinct thresholds than this (see `PairContext.sweepGrid`). */
export const SWEEP_GRID = 1001;

/** Indices of `grid` thresholds spread evenly over `count` (first and last included), with `keep` added; ascending. */
export function gridIndices(count: number, grid: number, keep: number): number[] {
  const indices = new Set<number>([keep]);
  for (let step = 0; step < grid; step++) indices.add(Math.round((step * (count - 1)) / (grid - 1)));
  return [...indices].sort((left, right) => left - right);
}

/** Every router's curve, the prefix-sum sweeps by entry id, and every point's outcomes of routers swept through the engine. */
export interface PairRouterCurves {
  curves: RouterCurve[];
  sweeps: Map<string, PrefixSweep>;
  engineSweepOutcomes: Map<string, ProblemOutcomes[]>;
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
    const scored = scoreOfRecord(record, score, { minTokenMass });
    if (scored.value !== null) return scored.value;
    if (count++ === 0) reason = scored.reason;
    return delegatedAtEveryThreshold(direction);
  });
  return { scores, unscored: count === 0 ? null : { count, of: problems.length, reason } };
}

/** Accuracy by subject and by level of a routed run's answers (binary verdicts). */
export function slicesOf(outcomes: ProblemOutcomes, problems: readonly Problem[]): RouterCurve['slices'] {
  const records = problems.map((problem, index) => ({
    subject: problem.subject,
    level: problem.level,
    grade: { correct: outcomes.correct[index] === 1 },
  })) as unknown as RunRecord[];
  return { subject: accuracyBySlice(records, 'subject'), level: accuracyBySlice(records, 'level') };
}

/**
 * The cost range every router's AIQ on the pair is taken over (issue 23's common range): from the cheaper single
 * model's cost (the small model answering everything) to the dearer one's (the large model answering everything),
 * in dollars over the problems, or over a resample when `weights` are given.
 */
export function pairCostRange(table: OutcomeTable, weights: ArrayLike<number> | null = null): CommonCostRange {
  let small = 0;
  let large = 0;
  for (let index = 0; index < table.problemIds.length; index++) {
    const weight = weights === null ? 1 : weights[index]!;
    small += weight * table.smallCost[index]!;
    large += weight * table.largeCost[index]!;
  }
  return { minCost: Math.min(small, large) / 1e8, maxCost: Math.max(small, large) / 1e8 };
}

/**
 * The last resample's cost range per table: every swept router of a resample shares one pass over the problems (a
 * resample is its stream's buffer and its number: another bootstrap pass has a buffer of its own).
 */
const lastResampledRange = new WeakMap<OutcomeTable, { counts: ArrayLike<number>; resample: number; range: CommonCostRange }>();

function resampledCostRange(table: OutcomeTable, counts: ArrayLike<number>, resample: number): CommonCostRange {
  const last = lastResampledRange.get(table);
  if (last !== undefined && last.counts === counts && last.resample === resample) return last.range;
  const range = pairCostRange(table, counts);
  lastResampledRange.set(table, { counts, resample, range });
  return range;
}

/** A curve's AIQ over the pair's common cost range (its hull 0 below its cheapest point, flat above its dearest). */
function curveAiq(points: readonly OperatingPoint[], range: CommonCostRange): number {
  return aiqOverCommonRange(points.map((point) => ({ cost: point.costUsd, accuracy: point.accuracy })), range);
}

/** AIQ, APGR and CPT(50 %, 80 %) of a curve on the pair (APGR and CPT are two-model figures: small → large). */
function curveFigures(points: readonly OperatingPoint[], table: OutcomeTable) {
  const n = table.problemIds.length;
  const mean = (values: Float64Array) => values.reduce((sum, value) => sum + value, 0) / n;
  const pair = { weakAccuracy: mean(table.smallScore), strongAccuracy: mean(table.largeScore) };
  const byCalls = points.map((point) => ({ strongCallRate: point.delegationRate, accuracy: point.accuracy }));
  return {
    aiq: curveAiq(points, pairCostRange(table)),
    apgr: apgr(byCalls, pair),
    cpt50: cpt(byCalls, { ...pair, recovered: 0.5 }),
    cpt80: cpt(byCalls, { ...pair, recovered: 0.8 }),
  };
}

/** At most this many problems (a seeded sample beyond it, the same for every check) are run through the engine to check a fast path. */
export const ENGINE_CHECK_PROBLEMS = 2_000;

/** The positions of the problems an engine check runs: all of them up to ENGINE_CHECK_PROBLEMS, else a seeded sample (ascending). */
export function engineCheckPositions(n: number): Uint32Array {
  if (n <= ENGINE_CHECK_PROBLEMS) return Uint32Array.from({ length: n }, (_, index) => index);
  const random = createRandom(0);
  const positions = Uint32Array.from({ length: n }, (_, index) => index);
  // a partial Fisher–Yates shuffle: the first ENGINE_CHECK_PROBLEMS positions are a uniform sample
  for (let index = 0; index < ENGINE_CHECK_PROBLEMS; index++) {
    const other = index + Math.floor(random() * (n - index));
    [positions[index], positions[other]] = [positions[other]!, positions[index]!];
  }
  return positions.slice(0, ENGINE_CHECK_PROBLEMS).sort();
}

/** The points of a curve (0 … last) the engine spot-checks: the first, the last and two between (fewer on a short curve). */
function spotCheckedPoints(last: number): number[] {
  return [...new Set([0, Math.floor(last / 3), Math.floor((2 * last) / 3), last].filter((k) => k >= 0))];
}

/** The entry's router with these options, as the registry creates it (the same plugin the engine and a policy use). */
function routerOf(context: PairContext, entry: PairRouterEntry, options: Record<string, unknown>): Router {
  return context.registry.create('router', entry.router.id, options, context.pluginContext).instance;
}

async function engineRun(context: PairContext, entry: PairRouterEntry, router: Router, problems: readonly Problem[] = context.problems) {
  const peers = Object.fromEntries(Object.entries(entry.peers).map(([name, peer]) => [name, context.source(peer.run)]));
  return delegate({
    runId: `${context.name}/${entry.id}`,
    problems,
    router,
    small: context.source(context.small.run),
    large: context.source(context.large.run),
    prices: context.prices,
    peers,
    ...(context.control?.signal ? { signal: context.control.signal } : {}),
    onProgress: (done, total) => context.control?.onProgress?.({ stage: `pair: ${entry.id} through the engine`, done, total }),
  });
}

/**
 * A threshold router swept at every value by prefix sums, spot-checked against the engine with the plugin itself at
 * four points, reported at the point closest to the reference rate, with bootstrap intervals of its score, cost and AIQ.
 */
async function prefixSweepCurve(context: PairContext, entry: PairRouterEntry & { sweep: NonNullable<PairRouterEntry['sweep']> }, use: PluginUse, prefix: Omit<PrefixSweep, 'sweep'>) {
  const { table, resamples } = context;
  const sweep = new ThresholdSweep(table, prefix.scores, {
    direction: prefix.direction,
    thresholds: entry.sweep.values === 'distinct' ? distinctThresholds(prefix.scores, prefix.direction) : entry.sweep.values,
  });
  await handTurn(context.control, `pair: ${entry.id}, its curve`);
  const points = sweep.points();
  // The last distinct point (past every score: delegate all) is outside a probability threshold's range; it equals
  // the always-large router's point.
  const last = entry.sweep.values === 'distinct' ? points.length - 2 : points.length - 1;
  const checks = spotCheckedPoints(last);
  const positions = engineCheckPositions(table.problemIds.length);
  let agreed = 0;
  for (const k of checks) {
    const options = { ...prefix.router.options, [entry.sweep.option]: points[k]!.parameter };
    if (await engineAgrees(context, entry, routerOf(context, { ...entry, router: prefix.router }, options), outcomesOfSweepPoint(table, sweep, k), positions)) agreed++;
  }
  const reportedIndex = closestToRate(points, context.referenceRate);
  const reportedOutcomes = outcomesOfSweepPoint(table, sweep, reportedIndex);
  // more distinct thresholds than the grid: the stored curve and the resampled AIQ use the grid (and the reported point)
  const gridSize = context.sweepGrid ?? SWEEP_GRID;
  const grid = points.length > gridSize ? gridIndices(points.length, gridSize, reportedIndex) : null;
  // one pass per resample gives the curve's AIQ and the reported point's mean score and cost (the reported point is on
  // the grid): the reported outcomes' resampled means, exactly for binary verdicts and costs in 1e-8 $ (integer sums),
  // to rounding for graded scores
  const reportedOnCurve = grid === null ? reportedIndex : grid.indexOf(reportedIndex);
  const aiqSamples = new Float64Array(resamples.settings.resamples);
  const accuracySamples = new Float64Array(resamples.settings.resamples);
  const costSamples = new Float64Array(resamples.settings.resamples);
  onResampledSweep(resamples, sweep, grid, (resampled, counts, resample) => {
    aiqSamples[resample] = curveAiq(resampled, resampledCostRange(table, counts, resample));
    accuracySamples[resample] = resampled[reportedOnCurve]!.accuracy;
    costSamples[resample] = resampled[reportedOnCurve]!.costUsd;
  });
  const curve: RouterCurve = {
    id: entry.id,
    label: entry.label,
    router: use,
    kind: 'sweep',
    points: grid === null ? points : grid.map((index) => points[index]!),
    reported: points[reportedIndex]!,
    reportedOutcomes,
    intervals: { accuracy: resamples.intervalWhenRun(accuracySamples), costUsd: resamples.intervalWhenRun(costSamples), aiq: resamples.intervalWhenRun(aiqSamples) },
    accuracySamples,
    ...curveFigures(points, table),
    engineCheck: { points: checks.length, agreed, problems: positions.length },
    slices: slicesOf(reportedOutcomes, context.problems),
    unscored: prefix.unscored,
    ...(grid === null ? {} : { grid: { thresholds: points.length, kept: grid.length } }),
  };
  return { curve, sweep: { ...prefix, sweep } };
}

/**
 * A router's own score of every problem (a learned router's probability: a feature vector and a prediction each),
 * with progress and a turn of the event loop at least every 200 ms (Ctrl-C).
 */
async function ownScores(
  context: PairContext,
  entry: PairRouterEntry,
  ownScore: NonNullable<RouterCapabilities['ownScore']>,
  smallRecords: ReadonlyMap<string, RunRecord>,
): Promise<Float64Array> {
  const problems = context.problems;
  const scores = new Float64Array(problems.length);
  const turns = new LoopTurns(context.control ?? {}, `pair: ${entry.id}, scoring the problems`, problems.length, 'problems');
  for (let index = 0; index < problems.length; index++) {
    scores[index] = ownScore.score(problems[index]!, smallRecords.get(problems[index]!.id));
    if ((index & 255) === 255) await turns.step(index + 1);
  }
  turns.finish();
  return scores;
}

/** A router run through the engine: one point, or one point per swept value (averaged over seeds for randomised routers). */
async function engineCurve(context: PairContext, entry: PairRouterEntry, use: PluginUse) {
  const values: Array<number | null> = entry.sweep ? (entry.sweep.values as number[]) : [null];
  const points: OperatingPoint[] = [];
  const outcomesPerValue: ProblemOutcomes[] = [];
  let checked = 0;
  let agreed = 0;
  // a baseline evaluated on the columns is spot-checked through the engine at a few of its values, as a sweep is
  const checkedValues = new Set(spotCheckedPoints(values.length - 1));
  for (const [valueIndex, value] of values.entries()) {
    const perSeed: OperatingPoint[] = [];
    let firstOutcomes: ProblemOutcomes | undefined;
    for (let seed = 0; seed < entry.repeats; seed++) {
      const options = {
        ...entry.router.options,
        ...(entry.sweep && value !== null ? { [entry.sweep.option]: value } : {}),
        ...(entry.repeats > 1 ? { seed } : {}),
      };
      const router = routerOf(context, entry, options);
      await handTurn(context.control, `pair: ${entry.id} at ${entry.sweep && value !== null ? `${entry.sweep.option} ${value}` : 'its point'}`);
      if (router.capabilities.columnChoice !== undefined) {
        // a baseline: its choice follows from the problem or the verdicts, so it is evaluated on the columns; the
        // engine checks the first seed of a few values on a sample of problems, choice by choice and cost by cost
        const outcomes = outcomesOnColumns(context, router.capabilities);
        if (seed === 0 && checkedValues.has(valueIndex)) {
          checked++;
          if (await engineAgrees(context, entry, router, outcomes, engineCheckPositions(context.problems.length))) agreed++;
        }
        perSeed.push(pointOfOutcomes(outcomes, value));
        firstOutcomes ??= outcomes;
        continue;
      }
      const run = await engineRun(context, entry, router);
      perSeed.push(operatingPoint(run.records, run.ledger, value));
      firstOutcomes ??= outcomesOfRun(run.records, run.ledger, context.problems);
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
  const reportedIndex = points.length === 1 ? 0 : closestToRate(points, context.referenceRate);
  const reportedOutcomes = outcomesPerValue[reportedIndex]!;
  const isCurve = points.length > 1;
  const figures = isCurve ? curveFigures(points, context.table) : { aiq: null, apgr: null, cpt50: null, cpt80: null };
  const curve: RouterCurve = {
    id: entry.id,
    label: entry.label,
    router: use,
    kind: isCurve ? 'sweep' : 'point',
    points,
    reported: points[reportedIndex]!,
    reportedOutcomes,
    ...outcomeIntervals(reportedOutcomes, context.resamples),
    ...figures,
    ...(checked > 0 ? { engineCheck: { points: checked, agreed, problems: engineCheckPositions(context.problems.length).length } } : {}),
    slices: slicesOf(reportedOutcomes, context.problems),
    unscored: null,
  };
  return { curve, outcomesPerValue: isCurve ? outcomesPerValue : null };
}

/**
 * A baseline's outcomes on the table's columns: its choice per problem (from the problem, or from both answers'
 * verdicts and scores), the chosen answer's score, and what the engine would bill: the chosen model, plus the small
 * model where the router reads it and delegates (a read model after the chosen one is a peek: not paid).
 */
function outcomesOnColumns(context: PairContext, capabilities: RouterCapabilities): ProblemOutcomes {
  const { table } = context;
  const choice = capabilities.columnChoice!;
  const pair = ['small', 'large'] as const;
  const readsSmall = capabilities.reads.some((name) => resolveModelLabel(name, pair) === 'small');
  const n = table.problemIds.length;
  const outcomes: ProblemOutcomes = { correct: new Uint8Array(n), score: new Float64Array(n), cost: new Float64Array(n), delegated: new Uint8Array(n) };
  // a choice from the answers reads the small model's recorded answer (the only one a pair router reads before choosing)
  const smallRecords = choice.from === 'answers' ? smallRecordsById(context) : null;
  for (let index = 0; index < n; index++) {
    const chosen =
      choice.from === 'problem'
        ? choice.choose(context.problems[index]!, pair)
        : choice.from === 'answers'
          ? choice.choose({ small: smallRecords!.get(table.problemIds[index]!)! }, pair)
          : choice.choose(
              { small: { correct: table.smallCorrect[index] === 1, score: table.smallScore[index]! }, large: { correct: table.largeCorrect[index] === 1, score: table.largeScore[index]! } },
              pair,
            );
    const delegated = resolveModelLabel(chosen, pair) === 'large';
    outcomes.delegated[index] = delegated ? 1 : 0;
    outcomes.correct[index] = delegated ? table.largeCorrect[index]! : table.smallCorrect[index]!;
    outcomes.score[index] = delegated ? table.largeScore[index]! : table.smallScore[index]!;
    outcomes.cost[index] = delegated ? table.largeCost[index]! + (readsSmall ? table.smallCost[index]! : 0) : table.smallCost[index]!;
  }
  return outcomes;
}

/** The small run's records by problem id, built once per pair context. */
const smallRecordsOf = new WeakMap<PairContext['small'], ReadonlyMap<string, RunRecord>>();

function smallRecordsById(context: PairContext): ReadonlyMap<string, RunRecord> {
  let byId = smallRecordsOf.get(context.small);
  if (byId === undefined) {
    byId = new Map(context.small.records.map((record) => [record.problemId, record]));
    smallRecordsOf.set(context.small, byId);
  }
  return byId;
}

/** The operating point of per-problem outcomes (mean score, total cost, delegation rate, large calls). */
function pointOfOutcomes(outcomes: ProblemOutcomes, parameter: number | null): OperatingPoint {
  const n = outcomes.score.length;
  let score = 0;
  let cost = 0;
  let delegated = 0;
  for (let index = 0; index < n; index++) {
    score += outcomes.score[index]!;
    cost += outcomes.cost[index]!;
    delegated += outcomes.delegated[index]!;
  }
  return { parameter, accuracy: n === 0 ? 0 : score / n, costUsd: cost / 1e8, delegationRate: n === 0 ? 0 : delegated / n, llmCalls: delegated };
}

/**
 * Whether the engine, run with the plugin itself on the problems at `positions`, makes the same choice and bills the
 * same cost on each of them as a fast path's outcomes say.
 */
async function engineAgrees(context: PairContext, entry: PairRouterEntry, router: Router, outcomes: ProblemOutcomes, positions: Uint32Array): Promise<boolean> {
  const problems = Array.from(positions, (position) => context.problems[position]!);
  const run = await engineRun(context, entry, router, problems);
  const engine = outcomesOfRun(run.records, run.ledger, problems);
  return Array.from(positions).every(
    (position, index) => engine.delegated[index] === outcomes.delegated[position] && Math.abs(engine.cost[index]! - outcomes.cost[position]!) < 1e-6 && engine.score[index] === outcomes.score[position],
  );
}

/**
 * A calibrated score's sweep: the raw scores cross-fitted into calibrated probabilities (keep-high), and the router
 * handed its fold calibrators, so the engine checks reproduce every problem's value. A router that holds a fitted
 * calibrator already (a policy's) is not swept: its threshold was certified with that calibrator.
 */
function calibratedPrefix(
  context: PairContext,
  entry: PairRouterEntry,
  router: PrefixSweep['router'],
  field: { score: RoutingScore; direction: ScoreDirection },
  calibration: { settings: ScoreCalibrationSettings; fitted: boolean },
  raw: Float64Array,
  unscored: UnscoredProblems | null,
): Omit<PrefixSweep, 'sweep'> {
  if (calibration.fitted) {
    throw new InvalidConfigError(
      `router "${entry.id}": its calibration holds fitted calibrators (a policy's); an ablation sweeps a calibration it fits itself: leave calibration.calibrator and calibration.crossFitted out`,
    );
  }
  const calibrated = crossFittedSweepScores(context.table.problemIds, raw, field.direction, context.table.smallCorrect, calibration.settings, entry.id);
  const options = router.options as { calibration: Record<string, unknown> };
  return {
    scores: calibrated.values,
    unscored,
    score: `${field.score}, ${calibrated.settings.method}-calibrated`,
    direction: 'keep-high',
    router: { id: router.id, options: { ...options, calibration: { ...options.calibration, ...calibrated.settings, crossFitted: calibrated.crossFitted } } },
    option: entry.sweep!.option,
    calibration: { settings: calibrated.settings, raw, rawDirection: field.direction },
  };
}

/**
 * Every router entry on the pair: a threshold router swept over its declared score (a field score or a learned
 * router's own) by prefix sums, any other router through the engine. A router that learns is created once (fitted on
 * the pair's problems) and run as fitted from there on.
 */
export async function pairRouterCurves(context: PairContext, entries: readonly PairRouterEntry[]): Promise<PairRouterCurves> {
  const smallRecords = new Map(context.small.records.map((record) => [record.problemId, record]));
  // every router created first (or taken as started ahead), and each one's own work before it routes (a learned
  // router's fit, in a worker thread) started at once, with progress and Ctrl-C: it goes on while the other routers are
  // evaluated
  const ahead = context.startedRouters;
  const started = startPairRouters(
    entries.filter((entry) => !ahead?.byEntry.has(entry.id)),
    context,
  );
  const routers = entries.map((entry) => ahead?.byEntry.get(entry.id) ?? started.byEntry.get(entry.id)!);
  /** One entry's curve: swept by prefix sums over its score, or run through the engine. */
  const evaluate = async (position: number): Promise<{ curve: RouterCurve; sweep?: PrefixSweep; engineOutcomes?: ProblemOutcomes[] }> => {
    const entry = entries[position]!;
    const { created, prepared } = routers[position]!;
    await prepared;
    await handTurn(context.control, `pair: ${entry.id}`);
    const fitted: PairRouterEntry = { ...entry, router: { ...entry.router, options: created.instance.capabilities.fittedOptions?.() ?? entry.router.options } };
    const { sweepableScore: fieldScore, ownScore } = created.instance.capabilities;
    const sweepable = fieldScore ?? (ownScore ? { option: ownScore.option, direction: 'keep-high' as const } : undefined);
    const fastSweep = sweepable !== undefined && entry.sweep?.option === sweepable.option;
    if (entry.sweep?.values === 'distinct' && !fastSweep) {
      throw new InvalidConfigError(
        `router "${entry.id}": sweep values "distinct" need a router that declares a sweepable score on option "${entry.sweep.option}" (core/threshold on "threshold")`,
      );
    }
    if (fastSweep && entry.sweep) {
      const { scores, unscored } =
        ownScore && !fieldScore
          ? { scores: await ownScores(context, entry, ownScore, smallRecords), unscored: null }
          : sweepScores(context.problems, smallRecords, fieldScore!.score, sweepable.direction, created.use.options);
      const prefix: Omit<PrefixSweep, 'sweep'> = fieldScore?.calibration
        ? calibratedPrefix(context, entry, fitted.router, fieldScore, fieldScore.calibration, scores, unscored)
        : { scores, unscored, score: fieldScore?.score ?? ownScore!.label, direction: sweepable.direction, router: fitted.router, option: entry.sweep.option };
      return prefixSweepCurve(context, { ...fitted, sweep: entry.sweep }, created.use, prefix);
    }
    const { curve, outcomesPerValue } = await engineCurve(context, fitted, created.use);
    return outcomesPerValue ? { curve, engineOutcomes: outcomesPerValue } : { curve };
  };
  // the routers with work before routing (a learned router's fit in a worker thread) are evaluated after the others,
  // so that work goes on meanwhile; every result takes its listed place
  const order = [...entries.keys()].sort((left, right) => Number(routers[left]!.prepared !== undefined) - Number(routers[right]!.prepared !== undefined) || left - right);
  const evaluated: Array<Awaited<ReturnType<typeof evaluate>> | undefined> = new Array(entries.length);
  /** The curves evaluated so far, in the entries' order. */
  const curvesSoFar = (): PairRouterCurves => {
    const curves: PairRouterCurves = { curves: [], sweeps: new Map(), engineSweepOutcomes: new Map() };
    for (const [position, entry] of entries.entries()) {
      const result = evaluated[position];
      if (result === undefined) continue;
      curves.curves.push(result.curve);
      if (result.sweep) curves.sweeps.set(entry.id, result.sweep);
      if (result.engineOutcomes) curves.engineSweepOutcomes.set(entry.id, result.engineOutcomes);
    }
    return curves;
  };
  // which routers' work before routing has ended (a fit read from a cache ends at once)
  const preparedDone = routers.map(({ prepared }) => prepared === undefined);
  routers.forEach(({ prepared }, position) => void prepared?.then(() => (preparedDone[position] = true), () => undefined));
  try {
    let readyHandedOver = false;
    for (const position of order) {
      if (!readyHandedOver && routers[position]!.prepared !== undefined) {
        // the first router with work before routing (the others come first in `order`): what the routers evaluated so
        // far allow is computed while that work goes on, if it still does
        readyHandedOver = true;
        if (preparedDone.some((done) => !done)) await context.whileRoutersPrepare?.(curvesSoFar());
      }
      evaluated[position] = await evaluate(position);
    }
  } catch (error) {
    // a failure on the way leaves no fit running behind it
    await Promise.all([started.stop(), ahead?.stop()]);
    throw error;
  }
  return curvesSoFar();
}
