import { join } from 'node:path';
import { describeZodError } from '@confide/core';
import { datasetTitle, writeFileAtomic } from '@confide/data';
import { ARENA_SCORE_DEFAULTS, costLabel, COST_ACCOUNTING } from '@confide/metrics';
import type { ModelsEvaluation } from '@confide/routing';
import { prerenderChart, renderChart } from '../charts/render-chart.js';
import { reliabilityChart, routingCurvesChart, type CurvePoint } from '../charts/routing-curves-chart.js';
import { pivotTable, tableToHtml, tableToMarkdown, type ReportTable } from '../tables/report-table.js';
import type { TopLevelSpec } from 'vega-lite';
import type { z } from 'zod';
import type { AblationResults } from './ablation-results.js';
import { ABLATION_SUMMARY_SCHEMA_VERSION, AblationSummary, type AblationRun, type UnscoredProblems } from './ablation-summary.js';
import { ci, defined, fixed, pct, rate, UNDEFINED, usd } from './ablation-format.js';
import { MODELS_CHART, modelsChartPoints, modelsSections, type AblationReportSection } from './models-section.js';
import { offPolicySections } from './off-policy-section.js';


/** The ablation's costs: every call made (the small model always, the large one where delegated), as COST_ACCOUNTING says. */
const ABLATION_COST = costLabel('allCalls');

/** The banner of a report that read a pipeline-check run: the numbers show the pipeline runs, not a result. */
export function pipelineCheckBanner(checks: ReadonlyArray<{ run: string; reason: string }>): string | null {
  if (checks.length === 0) return null;
  return `**Pipeline check, not a result.** ${checks.map((check) => `\`${check.run}\`: ${check.reason}`).join(' ')}`;
}

/** One sentence per router whose score leaves problems undefined (no P(c)), saying how many and why. */
export function unscoredNotes(results: { curves: ReadonlyArray<{ label: string; unscored: UnscoredProblems | null }> }): string[] {
  return results.curves.flatMap((curve) =>
    curve.unscored
      ? [`${curve.label}: ${curve.unscored.count} of ${curve.unscored.of} problems have no score (${curve.unscored.reason}); they are delegated at every threshold, as Delegation II delegates a missing confidence token, and left out of the score's calibration.`]
      : [],
  );
}

const firstFew = (disagreements: { count: number; first: readonly string[] }) => `${disagreements.first.join(', ')}${disagreements.count > disagreements.first.length ? ', …' : ''}`;

/**
 * The sentence on where the problems come from: the dataset (counted only where a run's own problems disagree with
 * it by id), or, without one, the problems the runs carry (matched by id, questions that differ counted).
 */
export function problemsNote(problems: AblationSummary['problems'], answered: string): string | null {
  const { agreement } = problems;
  if (agreement?.source === 'runs') {
    const mismatches = agreement.questionMismatches;
    return (
      `Problems: the ${problems.evaluated} problems ${answered}, of the ${problems.dataset} the ${agreement.runsCompared} runs carry (the experiment names no dataset: problems are matched by id across runs)` +
      (mismatches.count === 0 ? '; every id has the same question in every run that carries it.' : `; ${mismatches.count} ${mismatches.count === 1 ? 'id has a question that differs' : 'ids have questions that differ'} between runs (whitespace aside; the first run's is kept): ${firstFew(mismatches)}.`)
    );
  }
  const parts = [
    ...(problems.evaluated === problems.dataset ? [] : [`Problems: the ${problems.evaluated} of ${problems.dataset} problems of \`${problems.datasetReference}\` that ${answered}.`]),
    ...(agreement && agreement.questionMismatches.count > 0
      ? [`${agreement.questionMismatches.count} problem ${agreement.questionMismatches.count === 1 ? 'id has' : 'ids have'} a question in a run that differs from the dataset's (whitespace aside; the dataset's is used): ${firstFew(agreement.questionMismatches)}.`]
      : []),
    ...(agreement && agreement.missingFromDataset.count > 0
      ? [`${agreement.missingFromDataset.count} problem ${agreement.missingFromDataset.count === 1 ? 'id' : 'ids'} a run carries ${agreement.missingFromDataset.count === 1 ? 'is' : 'are'} not in the dataset, so ${agreement.missingFromDataset.count === 1 ? 'its answers are' : 'their answers are'} left out: ${firstFew(agreement.missingFromDataset)}.`]
      : []),
  ];
  return parts.length === 0 ? null : parts.join(' ');
}

/**
 * summary.json: everything the ablation report prints, machine-readable, full precision (per-problem arrays left
 * out), parsed by its zod schema (AblationSummary). The report is rendered from this parsed object, so every number
 * it prints is in summary.json; an undefined figure (NaN from the metrics) is null here and a dash there.
 */
export function ablationSummary(results: AblationResults): AblationSummary {
  const experiment = results.experiment;
  const summary: z.input<typeof AblationSummary> = {
    schemaVersion: ABLATION_SUMMARY_SCHEMA_VERSION,
    experiment: experiment.name,
    provenance: results.provenance,
    problems: results.problems,
    costNotes: results.costNotes ?? [],
    title: experiment.title,
    grades: results.grades,
    bootstrap: experiment.bootstrap,
    tokenProbabilities: results.tokenProbabilities,
    runs: { small: experiment.small ?? null, large: experiment.large ?? null, models: [...(experiment.models ?? [])], referenceRuns: [...(experiment.referenceRuns ?? [])] },
    pipelineCheck: results.pipelineCheck.length > 0 ? { runs: results.pipelineCheck } : null,
    pair: results.pair,
    referenceDelegationRate: results.referenceDelegationRate,
    referenceDelegationRateSource: results.referenceDelegationRateSource,
    // each curve without its per-problem outcomes
    routers: results.curves.map(({ reportedOutcomes: _perProblem, accuracySamples: _samples, ...router }) => router),
    hull: results.hull,
    paperPoints: results.paperPoints,
    comparisons: results.comparisons,
    calibration: results.calibration,
    riskControl: results.riskControl,
    thresholdTargets: results.thresholdTargets,
    // an undefined κ (a router routing every problem alike) is NaN here, null in summary.json
    // the fold calibrators stay out (the one fitted on every problem is kept)
    recalibration: results.recalibration.map(({ calibrators: _folds, ...entry }) => entry),
    offPolicy: results.offPolicy ?? null,
    fairBaselines:
      results.fairBaselines === null
        ? null
        : { ...results.fairBaselines, agreement: { ...results.fairBaselines.agreement, kappa: results.fairBaselines.agreement.kappa.map((row) => row.map((value) => value ?? Number.NaN)) } },
    leaderboard: results.leaderboard,
    // the models section without its per-problem choices (the problem ids and every router's choice on each)
    models: results.modelsEvaluation === null ? null : withoutPerProblemChoices(results.modelsEvaluation),
  };
  const checked = AblationSummary.safeParse(summary);
  if (!checked.success) {
    const { key, message } = describeZodError(checked.error);
    throw new Error(`ablation summary.json does not match its schema at "${key ?? ''}": ${message}`);
  }
  return checked.data;
}

function withoutPerProblemChoices(evaluation: ModelsEvaluation): Omit<ModelsEvaluation, 'problemIds' | 'routerChoices'> {
  const { problemIds: _problemIds, routerChoices: _routerChoices, ...summary } = evaluation;
  return summary;
}

/** A figure for a chart: null (undefined) is NaN there, as the metrics gave it. */
const chartValue = (value: number | null) => value ?? Number.NaN;
/** The interval header of the bootstrap's confidence, e.g. "95% CI". */
const ciHeader = (summary: AblationSummary) => `${Math.round(summary.bootstrap.confidence * 100)}% CI`;

function routersTable(summary: AblationSummary): ReportTable {
  const confidence = ciHeader(summary);
  return {
    columns: ['router', 'kind', 'delegation', 'accuracy %', confidence, `${ABLATION_COST} $`, `${confidence} `, 'AIQ %', `AIQ ${confidence}`, 'APGR', 'CPT(50%)', 'CPT(80%)'],
    rows: summary.routers.map((curve) => ({
      router: curve.label,
      kind: curve.kind,
      delegation: rate(curve.reported.delegationRate),
      'accuracy %': pct(curve.reported.accuracy),
      [confidence]: ci(curve.intervals.accuracy, pct),
      [`${ABLATION_COST} $`]: usd(curve.reported.costUsd),
      [`${confidence} `]: ci(curve.intervals.costUsd, usd),
      'AIQ %': curve.aiq === null ? UNDEFINED : pct(curve.aiq),
      [`AIQ ${confidence}`]: curve.intervals.aiq ? ci(curve.intervals.aiq, pct) : UNDEFINED,
      APGR: curve.apgr === null ? UNDEFINED : fixed(curve.apgr, 3),
      'CPT(50%)': curve.kind === 'sweep' ? rate(curve.cpt50) : '–',
      'CPT(80%)': curve.kind === 'sweep' ? rate(curve.cpt80) : '–',
    })),
    empty: 'No router on the pair: the experiment lists none (key `routers`).',
  };
}

/** Which router of a comparison is ahead, and whether the difference is significant (McNemar at 5%, and the interval excludes 0). */
export function comparisonVerdict(comparison: AblationSummary['comparisons'][number]): string {
  if (!defined(comparison.difference)) return UNDEFINED;
  if (comparison.difference === 0) return 'tie';
  const [ahead, behind] = comparison.difference > 0 ? [comparison.left, comparison.right] : [comparison.right, comparison.left];
  const { lower, upper } = comparison.differenceInterval;
  const excludesZero = (defined(lower) && lower > 0) || (defined(upper) && upper < 0);
  const significant = defined(comparison.mcnemar.pValue) && comparison.mcnemar.pValue < 0.05 && excludesZero;
  return `${ahead} ahead of ${behind}: ${significant ? 'significant' : 'not significant'} at 5%`;
}

function comparisonsTable(summary: AblationSummary): ReportTable {
  const confidence = ciHeader(summary);
  return {
    columns: ['compared', 'asked at', 'delegation rates (closest)', 'accuracy %', 'difference (pts)', confidence, 'McNemar b / c', 'p-value', 'test', 'verdict'],
    rows: summary.comparisons.map((comparison) => ({
      compared: `${comparison.left} vs ${comparison.right}`,
      'asked at': rate(comparison.atDelegationRate),
      'delegation rates (closest)': comparison.delegationRates.map(rate).join(' / '),
      'accuracy %': comparison.accuracies.map(pct).join(' / '),
      'difference (pts)': pct(comparison.difference),
      [confidence]: ci(comparison.differenceInterval, pct),
      'McNemar b / c': `${comparison.mcnemar.b} / ${comparison.mcnemar.c}`,
      'p-value': defined(comparison.mcnemar.pValue) ? comparison.mcnemar.pValue.toPrecision(3) : UNDEFINED,
      test: comparison.mcnemar.method,
      verdict: comparisonVerdict(comparison),
    })),
    empty: 'No paired comparison: the experiment names none (key `comparisons`).',
  };
}

/** Why a calibration cell is a dash, in one sentence (null when every figure is defined). */
function calibrationUndefinedNote(summary: AblationSummary): string | null {
  const oneClass = summary.calibration.filter((entry) => !defined(entry.auroc)).map((entry) => entry.router);
  if (oneClass.length === 0) return null;
  return `AUROC and excess AURC are undefined (${UNDEFINED}) for ${oneClass.join(', ')}: on the problems with the score the small model is right on all of them or on none, so there is nothing to rank.`;
}

/** Why there is no score to assess, in one sentence. */
function noCalibrationReason(summary: AblationSummary): string {
  const unscored = summary.routers.filter((curve) => curve.unscored && curve.unscored.count === curve.unscored.of).map((curve) => curve.label);
  if (unscored.length > 0) return `No score to assess: no problem has a score for ${unscored.join(', ')} (see the note on problems with no score), and no other router is a threshold on a score.`;
  return 'No score to assess: no router of the experiment is a threshold on a score (a sweep of `core/threshold` or of a learned router).';
}

function calibrationTable(summary: AblationSummary): ReportTable {
  return {
    columns: ['score', 'AUROC', 'AURC', 'excess AURC', 'Brier', 'ECE equal-width', 'ECE equal-mass'],
    rows: summary.calibration.map((entry) => ({
      score: `${entry.router} (${entry.score})`,
      AUROC: fixed(entry.auroc, 3),
      AURC: fixed(entry.aurc, 4),
      'excess AURC': fixed(entry.excessAurc, 4),
      Brier: entry.probability ? fixed(entry.probability.brier, 4) : 'not a probability',
      'ECE equal-width': entry.probability ? `${fixed(entry.probability.equalWidth.ece, 4)} (${entry.probability.binCount} bins)` : UNDEFINED,
      'ECE equal-mass': entry.probability ? `${fixed(entry.probability.equalMass.ece, 4)} (${entry.probability.binCount} bins)` : UNDEFINED,
    })),
    empty: noCalibrationReason(summary),
  };
}

/** Where a guarantee was certified on a calibrated score: what its threshold is, and the split its calibrator was fitted on. */
function calibratorNote(scoreCalibrator: AblationSummary['riskControl'][number]['scoreCalibrator']): string {
  return scoreCalibrator === null ? '' : ` (a calibrated probability: ${scoreCalibrator.method}, its calibrator fitted on ${scoreCalibrator.fittedOn.size} other problems)`;
}

function riskTable(summary: AblationSummary): ReportTable {
  return {
    columns: ['score', 'guarantee', 'δ', 'feasibility', 'threshold', 'calibration: kept error', 'held-out: kept error', 'held-out: delegation', 'held-out: accuracy %', 'held-out: cost $', 'violated in random splits: whole set / held-out half'],
    rows: summary.riskControl.map((entry) => ({
      score: entry.label,
      guarantee: entry.guarantee.kind === 'kept-error' ? `kept error ≤ ${pct(entry.target)}%` : `delegation rate ≤ ${rate(entry.target)}`,
      δ: String(entry.delta),
      feasibility: entry.feasibility === null
        ? '–'
        : defined(entry.feasibility.minimumDelegationRate) && entry.feasibility.minimumDelegationRate > 0
          ? `small errs on ${pct(entry.feasibility.smallErrorRate)}% > target: delegate at least ${rate(entry.feasibility.minimumDelegationRate)}`
          : `feasible (small errs on ${pct(entry.feasibility.smallErrorRate)}%)`,
      threshold: entry.threshold === null ? 'none passes (delegate all)' : `${entry.threshold}${calibratorNote(entry.scoreCalibrator)}`,
      'calibration: kept error': entry.calibration ? `${pct(entry.calibration.keptErrorRate)} (${entry.calibration.kept} kept)` : '–',
      'held-out: kept error': entry.heldOut ? `${pct(entry.heldOut.keptErrorRate)} (${entry.heldOut.kept} kept)` : '–',
      'held-out: delegation': entry.heldOut ? rate(entry.heldOut.delegationRate) : '–',
      'held-out: accuracy %': entry.heldOut ? pct(entry.heldOut.accuracy) : '–',
      'held-out: cost $': entry.heldOut ? usd(entry.heldOut.costUsd) : '–',
      'violated in random splits: whole set / held-out half': entry.violations
        ? `${rate(entry.violations.population.rate)} / ${rate(entry.violations.heldOut.rate)} of ${entry.violations.splits} (target δ = ${(entry.delta * 100).toFixed(0)}%)`
        : '–',
    })),
    empty: 'No threshold chosen with a guarantee: the experiment asks for none (key `riskControl`).',
  };
}

/**
 * The methods of the guarantees as they ran (how many fixed sequences over how many thresholds, which p-values), from
 * the summary: a paragraph per method, naming the scores it ran on.
 */
function riskMethod(summary: AblationSummary): { text?: string } {
  const scoresByMethod = new Map<string, Set<string>>();
  for (const entry of summary.riskControl) scoresByMethod.set(entry.method, (scoresByMethod.get(entry.method) ?? new Set()).add(entry.label));
  if (scoresByMethod.size === 0) return {};
  return { text: [...scoresByMethod].map(([method, scores]) => `Method (${[...scores].join('; ')}): ${method}.`).join('\n\n') };
}

/**
 * One sentence per system-level target, every figure from the summary: what the certified threshold achieves on the
 * held-out half against the large model alone, with intervals, and how often the rule missed over random splits.
 */
export function thresholdTargetSentences(summary: AblationSummary): string[] {
  const ci = ciHeader(summary);
  return summary.thresholdTargets.map((entry) => {
    const goal = entry.guarantee.kind === 'system-accuracy' ? `≥ ${pct(entry.target)}% accuracy` : `mean cost ≤ $${fixed(entry.target, 6)} per problem`;
    const rule = `${entry.label}, ${entry.guarantee.kind === 'system-accuracy' ? `the cheapest threshold for ${goal}` : `the most accurate threshold with ${goal}`}`;
    const misses = entry.violations
      ? ` Over ${entry.violations.splits} random calibration halves the rule missed its target on the whole set in ${rate(entry.violations.population.rate)} of them (δ = ${entry.delta}) and on the held-out half in ${rate(entry.violations.heldOut.rate)}.`
      : '';
    if (entry.threshold === null || entry.heldOut === null) {
      const fallback = entry.guarantee.kind === 'system-accuracy' ? 'delegate every problem' : 'delegate none';
      const reach = entry.feasibility.feasible
        ? 'the target is within reach on the calibration half, but no candidate passes Learn then Test at this δ'
        : entry.guarantee.kind === 'system-accuracy'
          ? `out of reach on the calibration half (the best candidate reaches ${pct(entry.feasibility.bestAccuracy)}%, the large model alone ${pct(entry.feasibility.largeAccuracy)}%)`
          : `out of reach on the calibration half (the small model alone costs $${fixed(entry.feasibility.smallMeanCostUsd, 6)} per problem)`;
      return `For ${rule}: none is certified — ${reach}; the rule falls back on: ${fallback}.${misses}`;
    }
    const heldOut = entry.heldOut;
    const savingValue = heldOut.costSavingVsLarge ?? Number.NaN;
    const saving = !Number.isFinite(savingValue)
      ? 'a cost the large model alone cannot be compared with (it costs nothing here)'
      : savingValue >= 0
      ? `${pct(savingValue)}% lower cost than the large model alone (${ci} ${pct(heldOut.costSavingInterval.lower)}–${pct(heldOut.costSavingInterval.upper)}%)`
      : `${pct(-savingValue)}% higher cost than the large model alone (${ci} of the saving ${pct(heldOut.costSavingInterval.lower)}–${pct(heldOut.costSavingInterval.upper)}%)`;
    return `For ${rule}: threshold ${entry.threshold}${calibratorNote(entry.scoreCalibrator)} (certified on ${entry.calibration!.size} calibration problems, p = ${(entry.calibration!.pValue ?? Number.NaN).toPrecision(2)}); on the ${heldOut.size} held-out problems ${pct(heldOut.accuracy)}% accuracy (${ci} ${pct(heldOut.accuracyInterval.lower)}–${pct(heldOut.accuracyInterval.upper)}%; the large model alone ${pct(heldOut.largeAccuracy)}%) at ${saving}, delegating ${rate(heldOut.delegationRate)}.${misses}`;
  });
}

/** Every swept score before and after recalibration: ECEs, Brier and AUROC with their intervals. */
function recalibrationTable(summary: AblationSummary): ReportTable {
  const figure = (value: { estimate: number | null; lower: number | null; upper: number | null } | null) =>
    value === null ? '–' : `${fixed(value.estimate, 3)} (${fixed(value.lower, 3)}–${fixed(value.upper, 3)})`;
  return {
    columns: ['score', 'method', 'ECE equal-width: before', 'after', 'ECE equal-mass: before', 'after ', 'Brier: before', 'after  ', 'AUROC: before', 'after   '],
    rows: summary.recalibration.map((entry) => ({
      score: `${entry.router}${entry.calibratedOn === 'the negated score' ? ' (negated)' : ''}`,
      method: entry.settings.method,
      'ECE equal-width: before': figure(entry.before.eceEqualWidth),
      after: figure(entry.after.eceEqualWidth),
      'ECE equal-mass: before': figure(entry.before.eceEqualMass),
      'after ': figure(entry.after.eceEqualMass),
      'Brier: before': figure(entry.before.brier),
      'after  ': figure(entry.after.brier),
      'AUROC: before': figure(entry.before.auroc),
      'after   ': figure(entry.after.auroc),
    })),
    empty: 'No swept score to recalibrate.',
  };
}

/** How the recalibration section was computed, from the settings in summary.json. */
function recalibrationNote(summary: AblationSummary): string {
  const settings = summary.recalibration[0]?.settings;
  if (settings === undefined) return 'No swept score to recalibrate.';
  const sample = summary.recalibration.find((entry) => entry.sample !== null)?.sample;
  return `Each swept score mapped to a probability of the small answer being right by isotonic regression (pool-adjacent-violators) and by Platt scaling, cross-fitted: ${settings.folds} folds by problem id (seed ${settings.seed}), each problem scored by a calibrator fitted on the other folds, never on itself. ECE on ${settings.bins} bins (this section's; the ranking section above keeps the experiment's ${summary.calibration[0]?.probability?.binCount ?? 'bins'}), Brier and AUROC before and after, with ${Math.round(settings.confidence * 100)}% paired-bootstrap intervals over ${settings.resamples} resamples (seed ${settings.bootstrapSeed})${settings.refit ? ', every fold refitted per resample' : ', the cross-fitted probabilities held fixed across resamples (the interval leaves the fit\'s own variability out; `confide calibrate` refits)'}. "–": the score is no probability before calibration (ECE and Brier undefined). A length is calibrated on its negation (longer: less likely right).${sample ? ` At this scale each score is recalibrated on a seeded sample of ${sample.size} of its ${sample.of} problems (seed ${sample.seed}): every resample sorts its problems.` : ''} AUROC can drop a little after calibration: each fold has its own calibrator, so equal raw scores in different folds may map to different probabilities.`;
}

/** Each router against its cost-matched random mix and the best single model costing no more. */
function fairBaselinesTable(fair: NonNullable<AblationSummary['fairBaselines']>, summary: AblationSummary): ReportTable {
  return {
    columns: ['router', 'accuracy %', 'cost $', 'mix: delegation rate', 'mix: accuracy %', 'router − mix (points)', `${ciHeader(summary)} (points)`, 'verdict', 'best single model at ≤ cost'],
    rows: fair.routers.map((entry) => ({
      router: entry.label,
      'accuracy %': pct(entry.accuracy),
      'cost $': usd(entry.costUsd),
      'mix: delegation rate': `${rate(entry.mix.rate)}${entry.mix.kind === 'before-generation' ? ' (one model per problem)' : ''}${entry.mix.matched ? '' : " (cost outside the mix's range)"}`,
      'mix: accuracy %': pct(entry.mix.accuracy),
      'router − mix (points)': signedPoints(entry.difference),
      [`${ciHeader(summary)} (points)`]: `${signedPoints(entry.differenceInterval.lower)} to ${signedPoints(entry.differenceInterval.upper)}`,
      verdict: entry.verdict,
      'best single model at ≤ cost': entry.bestSingleModel === null ? 'none' : `${entry.bestSingleModel.label} (${pct(entry.bestSingleModel.accuracy)}%)`,
    })),
    empty: 'No router on the pair.',
  };
}

/** Cohen's κ between every two routers' routes at their reported points. */
function kappaTable(fair: NonNullable<AblationSummary['fairBaselines']>): ReportTable {
  const { routers, kappa } = fair.agreement;
  return {
    columns: ['κ', ...routers],
    rows: routers.map((id, row) => Object.fromEntries([['κ', id], ...routers.map((other, column) => [other, fixed(kappa[row]![column] ?? null, 2)])])),
    empty: 'No router on the pair.',
  };
}

/** A difference of shares in percentage points, signed. */
function signedPoints(value: number | null): string {
  if (!defined(value)) return UNDEFINED;
  const points = (value * 100).toFixed(1);
  return value > 0 ? `+${points}` : points;
}

/** Which routers earn credit against their cost-matched mix, in one sentence computed from the summary. */
export function fairBaselinesSentence(fair: NonNullable<AblationSummary['fairBaselines']>, summary: AblationSummary): string {
  const named = (verdict: string) => fair.routers.filter((entry) => entry.verdict === verdict).map((entry) => entry.label);
  const credited = named('credited');
  const worse = named('worse than the mix');
  return [
    `A router is credited only when the ${ciHeader(summary)} of its per-problem score minus its cost-matched random mix's expected score ((1 − p)·s_small + p·s_large, the mix delegating a random share p that matches the router's spend, calling the small model on every problem as a router reading the small answer does, or one model per problem as a router deciding before generation does) lies above 0 (the paired bootstrap of every interval here).`,
    credited.length === 0 ? 'No router earns it.' : `Credited: ${credited.join('; ')}.`,
    worse.length === 0 ? '' : `Worse than their mix: ${worse.join('; ')}.`,
    `Not credited: ${fair.routers.length - credited.length - worse.length} of ${fair.routers.length}.`,
  ].filter((part) => part !== '').join(' ');
}

function leaderboardTable(leaderboard: NonNullable<AblationSummary['leaderboard']>): ReportTable {
  const { zones } = leaderboard;
  return {
    columns: ['router', 'accuracy %', `${ABLATION_COST} $`, 'arena score', 'Opt.Sel', 'Opt.Cost', 'oracle headroom captured', `delegated of ${zones.onlyLargeRight} only-large-right`, `of ${zones.onlySmallRight} only-small-right`, `of ${zones.bothRight} both right`, `of ${zones.bothWrong} both wrong`],
    rows: leaderboard.routers.map((entry) => ({
      router: entry.label,
      'accuracy %': pct(entry.accuracy),
      [`${ABLATION_COST} $`]: usd(entry.costUsd),
      'arena score': defined(entry.arenaScore) ? (entry.arenaScore * 100).toFixed(2) : UNDEFINED,
      'Opt.Sel': entry.optimality ? rate(entry.optimality.optimalSelection) : '–',
      'Opt.Cost': entry.optimality ? rate(entry.optimality.optimalCost) : '–',
      'oracle headroom captured': entry.headroomCaptured === null ? '–' : rate(entry.headroomCaptured),
      [`delegated of ${zones.onlyLargeRight} only-large-right`]: entry.delegatedByZone ? String(entry.delegatedByZone.onlyLargeRight) : '–',
      [`of ${zones.onlySmallRight} only-small-right`]: entry.delegatedByZone ? String(entry.delegatedByZone.onlySmallRight) : '–',
      [`of ${zones.bothRight} both right`]: entry.delegatedByZone ? String(entry.delegatedByZone.bothRight) : '–',
      [`of ${zones.bothWrong} both wrong`]: entry.delegatedByZone ? String(entry.delegatedByZone.bothWrong) : '–',
    })),
    empty: 'No router on the pair: the experiment lists none (key `routers`).',
  };
}

function slicesTable(summary: AblationSummary, key: 'subject' | 'level' | 'slice'): ReportTable {
  const rows = summary.routers.flatMap((curve) => curve.slices[key].map((slice) => ({ router: curve.label, slice: slice.slice, cell: fixed(slice.percent, 1) })));
  return { ...pivotTable(rows, 'slice', 'router', 'cell', key, key === 'level' ? (l, r) => Number(l) - Number(r) : undefined), empty: `No ${key} slices: the problems carry no ${key}.` };
}

/** What the pair's curve charts draw: every router's points (a cascade's too), the paper's points and the hull. */
type ChartedPoint = { costUsd: number | null; delegationRate: number | null; accuracy: number | null };
type PairCurves = {
  routers: ReadonlyArray<{ label: string; points: readonly ChartedPoint[] }>;
  paperPoints: ReadonlyArray<ChartedPoint & { label: string }>;
  hull: ReadonlyArray<Omit<ChartedPoint, 'delegationRate'>>;
};

/** The charts' axis names the dataset as the experiment refers to it (summary.problems.datasetReference may add a hash). */
function chartDatasetTitle(experiment: AblationResults['experiment']): string {
  return experiment.dataset === undefined ? "the runs' problems" : datasetTitle(experiment.dataset);
}

/** The pair's two curve charts: accuracy against cost (with the hull) and against delegation rate. */
function pairCurveCharts(curves: PairCurves, dataset: string) {
  return {
    'accuracy-cost': routingCurvesChart(curvePoints(curves, 'cost'), { title: 'Accuracy against cost (log axis); dashed: non-decreasing convex hull of the deployable routers', xTitle: `${ABLATION_COST} on ${dataset} ($)`, logX: true }),
    'accuracy-delegation-rate': routingCurvesChart(curvePoints(curves, 'rate'), { title: 'Accuracy against delegation rate', xTitle: 'problems delegated to the large model (%)', logX: false }),
  };
}

/** The reliability chart of the probability scores (their equal-width bins). */
function scoresReliabilityChart(probabilityScores: AblationSummary['calibration']) {
  return reliabilityChart(
    probabilityScores.flatMap((entry) => entry.probability!.equalWidth.bins.map((bin) => ({ score: entry.router, meanScore: chartValue(bin.meanScore), accuracy: chartValue(bin.accuracy), count: bin.count }))),
    'Reliability of probability scores (equal-width bins)',
  );
}

/**
 * Starts rendering the reliability chart as soon as the swept scores' calibration is known (before the recalibration,
 * off-policy and leaderboard sections): read as the summary reads it, so `writeAblationReport` builds the same spec
 * and takes this render. Nothing is rendered where no score is a probability (the report has no such chart).
 */
export function prerenderReliabilityChart(calibration: AblationResults['calibration']): void {
  const spec = ablationReliabilityChart(calibration);
  if (spec !== null) prerenderChart(spec, 'reliability');
}

/** The reliability chart of an ablation's swept scores, as its report draws it; null where no score is a probability. */
export function ablationReliabilityChart(calibration: AblationResults['calibration'] | AblationSummary['calibration']): TopLevelSpec | null {
  const probabilityScores = AblationSummary.shape.calibration.parse(calibration).filter((entry) => entry.probability);
  return probabilityScores.length > 0 ? scoresReliabilityChart(probabilityScores) : null;
}

/**
 * Starts rendering the pair's curve charts as soon as the curves are known (before the bootstrap, calibration and
 * guarantees of the ablation): `writeAblationReport` then takes these renders (`prerenderChart`: the same spec, the
 * same chart) instead of waiting for them at the end.
 */
export function prerenderPairCurveCharts(curves: PairCurves, experiment: AblationResults['experiment']): void {
  for (const [name, spec] of Object.entries(pairCurveCharts(curves, chartDatasetTitle(experiment)))) prerenderChart(spec, name);
}

function curvePoints(summary: PairCurves, x: 'cost' | 'rate'): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const curve of summary.routers) {
    const kind = curve.points.length > 1 ? 'curve' : 'point';
    curve.points.forEach((point, order) =>
      points.push({ router: curve.label, kind, x: x === 'cost' ? chartValue(point.costUsd) : chartValue(point.delegationRate) * 100, accuracy: chartValue(point.accuracy) * 100, order }),
    );
  }
  for (const point of summary.paperPoints) {
    points.push({ router: point.label, kind: 'paper', x: x === 'cost' ? chartValue(point.costUsd) : chartValue(point.delegationRate) * 100, accuracy: chartValue(point.accuracy) * 100, order: 0 });
  }
  if (x === 'cost') summary.hull.forEach((point, order) => points.push({ router: 'hull', kind: 'hull', x: chartValue(point.costUsd), accuracy: chartValue(point.accuracy) * 100, order }));
  return points;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The notes and sections of the small/large pair's analysis (none when the experiment lists only `models`). */
function pairReport(summary: AblationSummary, small: AblationRun, large: AblationRun, leaderboard: NonNullable<AblationSummary['leaderboard']>, probabilityScores: AblationSummary['calibration']) {
  const checks = summary.routers
    .filter((curve) => curve.engineCheck)
    .map((curve) => {
      const check = curve.engineCheck!;
      const where = check.problems === summary.problems.evaluated ? 'every problem' : `a seeded sample of ${check.problems} problems`;
      const path = curve.kind === 'sweep' && summary.calibration.some((entry) => entry.router === curve.label) ? 'by prefix sums' : 'on the outcome columns';
      return `${curve.label}: ${check.agreed} of ${check.points} points computed ${path}, re-run through the routing engine with the plugin on ${where}, agree choice by choice and cost by cost`;
    });
  const grids = summary.routers
    .filter((curve) => curve.grid !== null)
    .map((curve) => `${curve.label}: ${curve.grid!.thresholds} distinct thresholds; its point estimates and AIQ use all of them, its stored curve and its resampled AIQ interval ${curve.grid!.kept} of them (a quantile grid, the reported point included)`);
  const notes = [
    ...unscoredNotes({ curves: summary.routers }),
    ...grids,
    `Small model: ${small.label} (\`${small.run}\`); large model: ${large.label} (\`${large.run}\`). Grades: ${summary.grades}.`,
    ...[problemsNote(summary.problems, 'the small run answered')].filter((note): note is string => note !== null),
    ...summary.costNotes,
    `Cost here counts ${COST_ACCOUNTING.allCalls}: a post-hoc router always pays the small model, plus the large model for delegated problems; a cascade pays every stage it reaches; the oracle's look at the large answers it does not use is not billed.` +
      (summary.paperPoints.length > 0
        ? ` The paper's points (diamonds) use its own accounting (${COST_ACCOUNTING.answers} only), so they sit slightly left of the same strategy here.`
        : ''),
    summary.tokenProbabilities
      ? summary.routers.some((curve) => curve.unscored !== null && curve.unscored.count === curve.unscored.of)
        ? 'The small run carries P(<|c_math|>) fields, but no answer puts enough probability on the confidence tokens for a P(c) (see the note above): the P(c) threshold delegates every problem.'
        : 'The small run carries P(<|c_math|>), so the threshold on P(c) is swept.'
      : 'The small run carries no token probabilities (the seed\'s recorded runs did not log them), so no P(c) sweep is possible on it; the sweeps shown are the ones the data supports: the confidence token itself, output length, agreement, cascades, random and oracle. A run made with the vLLM or transformers client records P(c), and `core/threshold` with `score: "p-confident"` sweeps it.',
    `Intervals: paired bootstrap, ${summary.bootstrap.resamples} resamples of the problems, seed ${summary.bootstrap.seed}, percentile ${Math.round(summary.bootstrap.confidence * 100)}%. Each router's reported point is the one whose delegation rate is closest to ${rate(summary.referenceDelegationRate)} (${summary.referenceDelegationRateSource}).`,
    `AIQ (RouterBench, Hu et al. 2024): the mean score under the router's non-decreasing convex hull over one cost range for every router, from the cheaper single model's cost to the dearer one's (${summary.pair === null ? 'the pair' : `$${fixed(Math.min(summary.pair.small.costUsd ?? 0, summary.pair.large.costUsd ?? 0), 4)} to $${fixed(Math.max(summary.pair.small.costUsd ?? 0, summary.pair.large.costUsd ?? 0), 4)}`}), the hull counting 0 below its cheapest point and flat above its dearest, so AIQs compare across routers whatever their sweep lists. APGR and CPT (RouteLLM, Ong et al. 2024) against the small/large pair. Accuracy is the mean graded score where grades carry one (binary grades: the share right); agreement zones, McNemar and calibration read the binary verdicts.`,
    ...(summary.riskControl.length + summary.thresholdTargets.length > 0
      ? [
          'Threshold choice with a guarantee: Learn then Test (Angelopoulos, Bates, Candès, Jordan, Lei 2021) with fixed-sequence testing over a threshold grid fixed in the config, on a seeded calibration half (each section\'s method says how many sequences, over how many thresholds, with which p-values); the other half reports what the chosen threshold achieves.',
        ]
      : []),
    ...checks,
  ];
  const sections: AblationReportSection[] = [
    { heading: 'Routers at their reported point, with AIQ, APGR and CPT', table: routersTable(summary) },
    { heading: 'Accuracy against cost', chart: 'accuracy-cost' },
    { heading: 'Accuracy against delegation rate', chart: 'accuracy-delegation-rate' },
    { heading: 'Paired comparisons (McNemar, paired bootstrap of the difference)', table: comparisonsTable(summary) },
    {
      heading: 'How well each score ranks the small model\'s correctness',
      table: calibrationTable(summary),
      ...(calibrationUndefinedNote(summary) ? { text: calibrationUndefinedNote(summary)! } : {}),
      ...(probabilityScores.length > 0 ? { chart: 'reliability' } : {}),
    },
    ...(summary.fairBaselines === null
      ? []
      : [
          { heading: 'Fair baselines: each router against its cost-matched random mix and the best single model at equal cost', text: fairBaselinesSentence(summary.fairBaselines, summary), table: fairBaselinesTable(summary.fairBaselines, summary) },
          { heading: 'Routing agreement between routers (Cohen\'s κ on delegated or not, at the reported points)', table: kappaTable(summary.fairBaselines) },
        ]),
    ...(summary.recalibration.length > 0 ? [{ heading: 'Recalibration: each swept score as a probability of the small answer being right', text: recalibrationNote(summary), table: recalibrationTable(summary) }] : []),
    { heading: 'Threshold chosen with a guarantee (held-out half)', ...riskMethod(summary), table: riskTable(summary) },
    ...(summary.thresholdTargets.length > 0
      ? [
          {
            heading: 'Thresholds for a target: the routed system\'s accuracy or its mean cost (held-out half)',
            text: [
              ...thresholdTargetSentences(summary),
              `Method: ${[...new Set(summary.thresholdTargets.map((entry) => entry.method))].join('; ')}.`,
            ].join('\n\n'),
          },
        ]
      : []),
    ...offPolicySections(summary.offPolicy, summary.bootstrap),
    {
      heading: 'Leaderboard figures at the reported points: agreement zones and the oracle\'s headroom',
      text: `The pair: both right on ${leaderboard.zones.bothRight}, only the small model on ${leaderboard.zones.onlySmallRight}, only the large model on ${leaderboard.zones.onlyLargeRight}, both wrong on ${leaderboard.zones.bothWrong} problems; the oracle (delegating exactly the only-large-right ones) reaches ${pct(leaderboard.oracleAccuracy)}%. Only delegations of only-large-right problems gain accuracy; delegating only-small-right ones loses it; the other two zones only cost. Arena score, Opt.Sel and Opt.Cost are RouterArena's (RouteWorks/RouterArena, llm_evaluation/run.py: S = (1 + β)·A·C / (β·A + C) with C the log-normalised cost per 1,000 problems between $${ARENA_SCORE_DEFAULTS.costMin} and $${ARENA_SCORE_DEFAULTS.costMax}, β = ${ARENA_SCORE_DEFAULTS.beta}; Opt.Sel the share of problems the router gets right with the cheapest right choice, Opt.Cost the cheapest right choice's cost over the router's, on those problems; Opt.Acc is 1 by construction on a pair and is left out).`,
      table: leaderboardTable(leaderboard),
    },
    ...(['subject', 'level'] as const).map((key) =>
      summary.routers.every((curve) => curve.slices[key].every((slice) => slice.slice === 'unknown'))
        ? { heading: `Accuracy by ${key} at the reported points (%)`, text: `The dataset has no ${key} column, so there are no ${key} slices.` }
        : { heading: `Accuracy by ${key} at the reported points (%)`, table: slicesTable(summary, key) },
    ),
    // the problems' task or benchmark (a log's lm-eval task, RouterBench eval_name, RouterArena dataset): only where they carry one
    ...(summary.routers.some((curve) => curve.slices.slice.length > 0) ? [{ heading: 'Accuracy by slice (task or benchmark) at the reported points (%)', table: slicesTable(summary, 'slice') }] : []),
  ];
  return { notes, sections };
}

/** The notes of an ablation that lists only `models`. */
function modelsOnlyNotes(summary: AblationSummary): string[] {
  return [
    `Models: ${summary.runs.models.map((entry) => `${entry.label} (\`${entry.run}\`)`).join(', ')}. Grades: ${summary.grades}.`,
    summary.problems.agreement?.source === 'runs'
      ? problemsNote(summary.problems, 'every run answers')!
      : [`Problems: the ${summary.problems.evaluated} problems every run answers (the dataset \`${summary.problems.datasetReference}\` has ${summary.problems.dataset}).`, problemsNote({ ...summary.problems, evaluated: summary.problems.dataset }, '')].filter((note): note is string => note !== null).join(' '),
    ...summary.costNotes,
    'The experiment lists no small/large pair, so the pair analysis (threshold sweeps, comparisons, calibration, guarantees) is not run; the section below routes among the models.',
  ];
}

/**
 * Writes reports/<ablation>: report.md, a self-contained report.html, charts (.svg, .png, .vl.json) and summary.json.
 * Everything is rendered from the parsed summary (the models section from the models evaluation it parses: that
 * section's renderer takes the evaluation's type).
 */
export async function writeAblationReport(results: AblationResults, outputFolder: string): Promise<string[]> {
  const summary = ablationSummary(results);
  const { small, large } = summary.runs;
  const pair = summary.pair !== null && summary.leaderboard !== null && small !== null && large !== null ? { small, large, leaderboard: summary.leaderboard } : null;
  const models = results.modelsEvaluation;
  const dataset = chartDatasetTitle(results.experiment);
  const { 'accuracy-cost': costSpec, 'accuracy-delegation-rate': rateSpec } = pairCurveCharts(summary, dataset);
  const probabilityScores = summary.calibration.filter((entry) => entry.probability);
  const reliabilitySpec = scoresReliabilityChart(probabilityScores);
  // the reliability chart only when a score is a probability: an empty one (the diagonal alone) says nothing
  const charts = {
    ...(pair ? { 'accuracy-cost': costSpec, 'accuracy-delegation-rate': rateSpec } : {}),
    ...(pair && probabilityScores.length > 0 ? { reliability: reliabilitySpec } : {}),
    ...(models
      ? {
          [MODELS_CHART]: routingCurvesChart(modelsChartPoints(models), {
            title: 'Mean score against mean cost per problem (log axis): single models, two-stage chains, the oracle, reference runs (diamonds), the learned router over the models (its line, by λ); dashed: the pairwise envelope',
            xTitle: `mean cost per problem on ${dataset} ($)`,
            yTitle: 'mean score (%)',
            logX: true,
            sourceLabels: { point: 'model or router', paper: 'reference run' },
          }),
        }
      : {}),
  };
  const rendered = Object.fromEntries(await Promise.all(Object.entries(charts).map(async ([name, spec]) => [name, await renderChart(spec, name)] as const)));
  const banner = pipelineCheckBanner(summary.pipelineCheck?.runs ?? []);
  const title = banner === null ? summary.title : `${summary.title.replace(/ \(pipeline check\)$/, '')} (pipeline check)`;
  const pairPart = pair ? pairReport(summary, pair.small, pair.large, pair.leaderboard, probabilityScores) : { notes: modelsOnlyNotes(summary), sections: [] };
  const notes = pairPart.notes;
  const sections: AblationReportSection[] = [...pairPart.sections, ...(models ? modelsSections(models, results.experiment) : [])];
  const md = [`# ${title}`, '', ...(banner ? [`> ${banner}`, ''] : []), ...notes.map((note) => `- ${note}`), ''];
  const html = [`<h1>${escapeHtml(title)}</h1>`, ...(banner ? [`<blockquote>${escapeHtml(banner).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>')}</blockquote>`] : []), `<ul>${notes.map((note) => `<li>${escapeHtml(note).replace(/`([^`]+)`/g, '<code>$1</code>')}</li>`).join('')}</ul>`];
  for (const section of sections) {
    const level = section.level ?? 2;
    md.push(`${'#'.repeat(level)} ${section.heading}`, '');
    html.push(`<section><h${level}>${escapeHtml(section.heading)}</h${level}>`);
    if (section.text) {
      md.push(section.text, '');
      html.push(`<p>${escapeHtml(section.text)}</p>`);
    }
    if (section.table) {
      md.push(tableToMarkdown(section.table), '');
      html.push(tableToHtml(section.table));
    }
    if (section.chart) {
      md.push(`![${section.heading}](${section.chart}.svg)`, '');
      html.push(`<figure class="chart" data-chart="${section.chart}">${rendered[section.chart]!.svg}</figure>`);
    }
    html.push('</section>');
  }
  const style = 'body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px}th{background:#f3f3f3}code{background:#f3f3f3}';
  const page = `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n<style>${style}</style>\n</head>\n<body>\n${html.join('\n')}\n</body>\n</html>\n`;
  const written: string[] = [];
  const write = (name: string, content: string | Uint8Array) => {
    writeFileAtomic(join(outputFolder, name), content);
    written.push(name);
  };
  for (const [name, spec] of Object.entries(charts)) {
    write(`${name}.svg`, rendered[name]!.svg);
    write(`${name}.png`, rendered[name]!.png);
    write(`${name}.vl.json`, JSON.stringify(spec, null, 2) + '\n');
  }
  write('report.md', md.join('\n'));
  write('report.html', page);
  write('summary.json', JSON.stringify(summary, null, 2) + '\n');
  return written;
}
