import { ARENA_SCORE_DEFAULTS } from '@confide/metrics';
import type { ModelsEvaluation } from '@confide/routing';
import type { CurvePoint } from '../charts/routing-curves-chart.js';
import type { ReportTable } from '../tables/report-table.js';
import type { AblationReportExperiment } from './ablation-results.js';
import { ci, pct, usd } from './ablation-format.js';

/** A section of the ablation report: a heading (level 2 unless 3), and a sentence, a table and a chart, each optional. */
export interface AblationReportSection {
  heading: string;
  level?: 2 | 3;
  text?: string;
  table?: ReportTable;
  chart?: string;
}

/** The chart of the models section, by file name. */
export const MODELS_CHART = 'models-score-cost';

/** Mean cost per problem: eight decimals (costs are exact to 1e-8 dollars). */
const perProblem = (value: number) => usd(value, 8);
/** A difference of mean scores, in percentage points. */
const points = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}`;

function runOf(experiment: AblationReportExperiment, label: string): string {
  return experiment.models?.find((entry) => entry.label === label)?.run ?? experiment.referenceRuns?.find((entry) => entry.label === label)?.run ?? '–';
}

function lostOf(models: ModelsEvaluation, label: string): string {
  const entry = models.lost.find((candidate) => candidate.label === label);
  return entry === undefined ? '–' : String(entry.count);
}

function modelsTable(models: ModelsEvaluation, experiment: AblationReportExperiment): ReportTable {
  const atCost = `score at $${perProblem(models.reportAtCostUsd)} %`;
  return {
    columns: ['model', 'kind', 'run', 'confidence field', 'mean score %', 'mean cost $ / problem', 'AIQ % (common range)', atCost, 'problems left out'],
    rows: [
      ...models.singles.map((single) => ({
        model: single.label,
        kind: single.label === models.bestSingle.label ? 'single (best)' : 'single',
        run: runOf(experiment, single.label),
        'confidence field': single.confidence === 'token' ? 'confidence token' : single.confidence === 'p-confident' ? 'P(c)' : 'none',
        'mean score %': pct(single.meanScore),
        'mean cost $ / problem': perProblem(single.meanCostUsd),
        'AIQ % (common range)': pct(single.aiq),
        [atCost]: pct(single.scoreAtReportCost),
        'problems left out': lostOf(models, single.label),
      })),
      ...models.references.map((reference) => ({
        model: reference.label,
        kind: 'reference run',
        run: runOf(experiment, reference.label),
        'confidence field': '–',
        'mean score %': pct(reference.meanScore),
        'mean cost $ / problem': perProblem(reference.meanCostUsd),
        'AIQ % (common range)': '–',
        [atCost]: '–',
        'problems left out': lostOf(models, reference.label),
      })),
    ],
    empty: 'No model: the experiment lists none (key `models`).',
  };
}

function oracleTable(models: ModelsEvaluation): ReportTable {
  const confidence = `${Math.round(models.bootstrap.confidence * 100)}% CI`;
  return {
    columns: ['figure', 'mean score %', confidence, 'mean cost $ / problem'],
    rows: [
      { figure: `oracle over ${models.labels.length} (highest score, cheapest on ties)`, 'mean score %': pct(models.oracle.meanScore), [confidence]: ci(models.oracle.interval, pct), 'mean cost $ / problem': perProblem(models.oracle.meanCostUsd) },
      { figure: `best single model (${models.bestSingle.label}; re-chosen on each resample)`, 'mean score %': pct(models.bestSingle.meanScore), [confidence]: ci(models.bestSingle.interval, pct), 'mean cost $ / problem': perProblem(models.bestSingle.meanCostUsd) },
      { figure: "oracle's headroom over the best single model (points)", 'mean score %': points(models.headroom.value), [confidence]: ci(models.headroom.interval, points), 'mean cost $ / problem': '–' },
    ],
    empty: 'No oracle: the experiment lists no models.',
  };
}

function chainsTable(models: ModelsEvaluation): ReportTable {
  const atCost = `score at $${perProblem(models.reportAtCostUsd)} %`;
  return {
    columns: ['chain', 'keep rule (first model)', 'escalated', 'mean score %', 'mean cost $ / problem', 'AIQ % (common range)', atCost],
    rows: models.chains.map((chain) => ({
      chain: chain.label,
      'keep rule (first model)': chain.keepRule,
      escalated: `${(chain.escalated * 100).toFixed(1)}%`,
      'mean score %': pct(chain.meanScore),
      'mean cost $ / problem': perProblem(chain.meanCostUsd),
      'AIQ % (common range)': pct(chain.aiq),
      [atCost]: pct(chain.scoreAtReportCost),
    })),
    empty: 'No two-stage chain: no model\'s run carries a confidence token or a P(c), so no first stage has a rule to keep its answer.',
  };
}

function listedTable(models: ModelsEvaluation): ReportTable {
  const confidence = `${Math.round(models.bootstrap.confidence * 100)}% CI`;
  const atCost = `score at $${perProblem(models.reportAtCostUsd)} %`;
  return {
    columns: ['router or chain', 'kind', 'models', 'decides', 'mean score %', confidence, 'mean cost $ / problem', 'AIQ % (common range)', atCost, 'engine check'],
    rows: models.listed.map((router) => ({
      'router or chain': router.label,
      kind: router.kind,
      models: router.models.join(', '),
      decides: router.decides,
      'mean score %': pct(router.meanScore),
      [confidence]: ci(router.interval, pct),
      'mean cost $ / problem': perProblem(router.meanCostUsd),
      'AIQ % (common range)': pct(router.aiq),
      [atCost]: pct(router.scoreAtReportCost),
      'engine check': router.engineCheck === null ? '–' : router.engineCheck.agreed ? 'columns agree' : `columns DISAGREE (${pct(router.engineCheck.columnsMeanScore)}%, $${perProblem(router.engineCheck.columnsMeanCostUsd)})`,
    })),
    empty: 'None listed (keys `modelRouters`, `chains`).',
  };
}

function thresholdRoutersTable(models: ModelsEvaluation): ReportTable {
  const atCost = `score at $${perProblem(models.reportAtCostUsd)} %`;
  return {
    columns: ['threshold router', 'thresholds', 'AIQ % (common range)', atCost, 'best point', 'its mean score %', 'its mean cost $ / problem', 'kept'],
    rows: models.thresholdRouters.map((router) => {
      const best = router.points.find((point) => point.threshold === router.best.threshold)!;
      return {
        'threshold router': router.label,
        thresholds: String(router.points.length),
        'AIQ % (common range)': pct(router.aiq),
        [atCost]: pct(router.scoreAtReportCost),
        'best point': `P(c) ≥ ${router.best.threshold.toPrecision(3)}`,
        'its mean score %': pct(router.best.meanScore),
        'its mean cost $ / problem': perProblem(router.best.meanCostUsd),
        kept: `${(best.keptShare * 100).toFixed(1)}%`,
      };
    }),
    empty: `No threshold router: ${models.thresholdRoutersSkipped ?? 'none was evaluated'}.`,
  };
}

function learnedTable(learned: NonNullable<ModelsEvaluation['learned']>): ReportTable {
  return {
    columns: ['λ (score per $)', 'mean score %', 'mean cost $ / problem', 'answers taken from'],
    rows: learned.points.map((point) => ({
      'λ (score per $)': point.lambda === 0 ? '0' : point.lambda.toPrecision(3),
      'mean score %': pct(point.meanScore),
      'mean cost $ / problem': perProblem(point.meanCostUsd),
      'answers taken from': point.shares
        .filter((share) => share.share > 0)
        .map((share) => `${share.label} ${(share.share * 100).toFixed(1)}%`)
        .join(', '),
    })),
    empty: 'No λ.',
  };
}

function beforeVsPostHocTable(models: ModelsEvaluation): ReportTable {
  const confidence = `${Math.round(models.bootstrap.confidence * 100)}% CI`;
  return {
    columns: ['post-hoc router', 'kind', 'mean score %', 'mean cost $ / problem', 'learned router at that cost %', 'learned − post-hoc (points)', confidence],
    rows: models.beforeVsPostHoc.map((row) => ({
      'post-hoc router': `${row.router}${row.best ? ' (best post-hoc)' : ''}`,
      kind: row.kind === 'chain' ? 'two-stage chain' : 'P(c) threshold',
      'mean score %': pct(row.meanScore),
      'mean cost $ / problem': perProblem(row.meanCostUsd),
      'learned router at that cost %': pct(row.learnedScoreAtCost),
      'learned − post-hoc (points)': points(row.difference),
      [confidence]: ci(row.interval, points),
    })),
    empty: models.learned === null ? `No comparison: the learned router is skipped (${models.learnedSkipped}).` : 'No comparison: no post-hoc router (chain or threshold router) was evaluated.',
  };
}

function pairsTable(models: ModelsEvaluation): ReportTable {
  const atCost = `score at $${perProblem(models.reportAtCostUsd)} %`;
  const confidence = `${Math.round(models.bootstrap.confidence * 100)}% CI`;
  return {
    columns: ['pair', 'random mixtures: AIQ %', 'chains on the pair', 'pair hull: AIQ %', confidence, atCost],
    rows: [
      ...models.pairs.map((pair) => {
        const best = pair.labels[0] === models.bestPair.labels[0] && pair.labels[1] === models.bestPair.labels[1];
        return {
          pair: `${pair.labels[0]} + ${pair.labels[1]}${best ? ' (best pair)' : ''}`,
          'random mixtures: AIQ %': pct(pair.mixturesAiq),
          'chains on the pair': [...pair.chains, ...models.thresholdRouters.filter((router) => pair.labels.every((label) => label === router.keep || label === router.escalateTo)).map((router) => router.label)].join('; ') || 'none',
          'pair hull: AIQ %': pct(pair.hullAiq),
          [confidence]: best ? ci(models.bestPair.interval, pct) : '–',
          [atCost]: pct(pair.scoreAtReportCost),
        };
      }),
      {
        pair: 'pairwise envelope (upper hull of every pair hull)',
        'random mixtures: AIQ %': '–',
        'chains on the pair': '–',
        'pair hull: AIQ %': pct(models.envelope.aiq),
        [confidence]: ci(models.envelope.interval, pct),
        [atCost]: pct(models.envelope.scoreAtReportCost),
      },
      ...(models.learned === null
        ? []
        : [
            {
              pair: `${models.learned.label}: hull of its λ curve (all ${models.labels.length} models, not a pair)`,
              'random mixtures: AIQ %': '–',
              'chains on the pair': '–',
              'pair hull: AIQ %': pct(models.learned.aiq),
              [confidence]: ci(models.learned.aiqInterval, pct),
              [atCost]: `${pct(models.learned.scoreAtReportCost)} ${ci(models.learned.scoreAtReportCostInterval, pct)}`,
            },
          ]),
      {
        pair: 'hull of every single model and router (chains, threshold routers, the learned router)',
        'random mixtures: AIQ %': '–',
        'chains on the pair': '–',
        'pair hull: AIQ %': pct(models.routersHull.aiq),
        [confidence]: ci(models.routersHull.interval, pct),
        [atCost]: pct(models.routersHull.scoreAtReportCost),
      },
    ],
    empty: 'No pair: the experiment lists fewer than two models.',
  };
}

function referencesTable(models: ModelsEvaluation, experiment: AblationReportExperiment): ReportTable {
  const confidence = `${Math.round(models.bootstrap.confidence * 100)}% CI`;
  return {
    columns: ['run', 'mean score %', 'mean cost $ / problem', 'envelope at that cost %', 'envelope − run (points)', confidence],
    rows: models.references.map((reference) => ({
      run: `${reference.label} (\`${runOf(experiment, reference.label)}\`)`,
      'mean score %': pct(reference.meanScore),
      'mean cost $ / problem': perProblem(reference.meanCostUsd),
      'envelope at that cost %': pct(reference.envelopeScoreAtCost),
      'envelope − run (points)': points(reference.gapToEnvelope),
      [confidence]: ci(reference.gapInterval, points),
    })),
    empty: 'No reference run: the experiment lists none (key `referenceRuns`).',
  };
}

function arenaTable(models: ModelsEvaluation): ReportTable {
  return {
    columns: ['router', 'kind', 'mean score %', 'mean cost $ / problem', 'arena score', 'Opt.Sel', 'Opt.Cost', 'Opt.Acc', 'problems counted'],
    rows: models.arena.map((entry) => ({
      router: entry.label,
      kind: entry.kind,
      'mean score %': pct(entry.meanScore),
      'mean cost $ / problem': perProblem(entry.meanCostUsd),
      'arena score': (entry.arenaScore * 100).toFixed(2),
      'Opt.Sel': `${(entry.optimalSelection * 100).toFixed(1)}%`,
      'Opt.Cost': `${(entry.optimalCost * 100).toFixed(1)}%`,
      'Opt.Acc': `${(entry.optimalAccuracy * 100).toFixed(1)}%`,
      'problems counted': String(entry.optimalityProblems),
    })),
    empty: 'No router to score: the experiment lists no models.',
  };
}

/** The chart's points: singles, chains and the oracle as points, reference runs as diamonds, the envelope dashed. */
export function modelsChartPoints(models: ModelsEvaluation): CurvePoint[] {
  const point = (router: string, kind: CurvePoint['kind'], meanCostUsd: number, meanScore: number, order = 0): CurvePoint => ({ router, kind, x: meanCostUsd, accuracy: meanScore * 100, order });
  return [
    ...models.singles.map((single) => point(single.label, 'point', single.meanCostUsd, single.meanScore)),
    ...models.chains.map((chain) => point(chain.label, 'point', chain.meanCostUsd, chain.meanScore)),
    ...models.listed.map((router) => point(router.label, 'point', router.meanCostUsd, router.meanScore)),
    ...(models.learned?.points ?? []).map((learned, order) => point(models.learned!.label, 'curve', learned.meanCostUsd, learned.meanScore, order)),
    point(`oracle over ${models.labels.length}`, 'point', models.oracle.meanCostUsd, models.oracle.meanScore),
    ...models.references.map((reference) => point(reference.label, 'paper', reference.meanCostUsd, reference.meanScore)),
    ...models.envelope.points.map((vertex, order) => point('pairwise envelope', 'hull', vertex.meanCostUsd, vertex.meanScore, order)),
  ];
}

/** The learned router over K and its comparison with the post-hoc routers at equal cost. */
function learnedSections(models: ModelsEvaluation): AblationReportSection[] {
  const learned = models.learned;
  const heading = `Learned router over ${models.labels.length} (decides before generation)`;
  if (learned === null) return [{ heading, level: 3, text: `Not evaluated: ${models.learnedSkipped}.` }];
  const best = models.beforeVsPostHoc.find((row) => row.best);
  const bestText =
    best === undefined
      ? ''
      : ` Against the best post-hoc router (${best.router}, ${pct(best.meanScore)}% at $${perProblem(best.meanCostUsd)}), the learned router's hull at that cost scores ${pct(best.learnedScoreAtCost)}%: ${points(best.difference)} points ${ci(best.interval, points)}.`;
  return [
    {
      heading,
      level: 3,
      text:
        `It reads the problem alone (${learned.features}) and calls only the model it chooses. Per model, a predicted score by ${learned.folds}-fold cross-fitting (seed ${learned.seed}): a problem's prediction comes from a learner fitted on the other folds only; learner: ${learned.learner}. ` +
        `It takes the model of the best predicted score − λ × the model's mean cost per problem on the training folds; λ is swept on a log grid from 0 (the best predicted score) up to where the cheapest model is always chosen. ` +
        `Hull AIQ over the common range ${pct(learned.aiq)}% ${ci(learned.aiqInterval, pct)}; at $${perProblem(models.reportAtCostUsd)} a problem ${pct(learned.scoreAtReportCost)}% ${ci(learned.scoreAtReportCostInterval, pct)}. ` +
        `In the arena table it stands at λ = ${learned.operatingPoint.lambda.toPrecision(3)} (the highest-scoring λ costing at most the reference cost): ${pct(learned.operatingPoint.meanScore)}% at $${perProblem(learned.operatingPoint.meanCostUsd)}.`,
      table: learnedTable(learned),
    },
    {
      heading: 'Before generation against post-hoc routers at equal cost',
      level: 3,
      text:
        "A post-hoc router (a two-stage chain, a P(c) threshold router's best point) pays its first model on every problem; the learned router decides before generation and pays only the model it chooses. Each post-hoc router at its own mean cost against the learned router's hull there (positive: deciding before generation does better at that cost); intervals from the same paired bootstrap (the learned curve and the router resampled together)." +
        bestText,
      table: beforeVsPostHocTable(models),
    },
  ];
}

/** Each model's and the oracle's mean score by slice (the problems' task or benchmark), a row per slice. */
function slicesTable(models: ModelsEvaluation): ReportTable {
  return {
    columns: ['slice', 'problems', ...models.labels.map((label) => `${label} %`), 'oracle %'],
    rows: models.slices.map((slice) => ({
      slice: slice.slice,
      problems: String(slice.problems),
      ...Object.fromEntries(slice.scores.map((score) => [`${score.label} %`, pct(score.meanScore)])),
      'oracle %': pct(slice.oracle),
    })),
  };
}

/** The "Models" section of the ablation report: its sub-sections, each table with its `empty` sentence. */
export function modelsSections(models: ModelsEvaluation, experiment: AblationReportExperiment): AblationReportSection[] {
  const lost = models.lost.filter((entry) => entry.count > 0);
  const lostText =
    lost.length === 0
      ? 'Every run answers the same problems: none is left out.'
      : `Runs are intersected on the problems every one answers; left out: ${lost.map((entry) => `${entry.label} ${entry.count} (e.g. ${entry.firstIds.join(', ')})`).join('; ')}.`;
  const skipped = models.skippedChains.length === 0 ? '' : ` No chain starts at ${models.skippedChains.map((entry) => entry.first).join(', ')}: ${models.skippedChains[0]!.reason}.`;
  const envelope = models.envelope.points.map((vertex) => `${vertex.label} (${pct(vertex.meanScore)}%, $${perProblem(vertex.meanCostUsd)})`).join(' → ');
  return [
    {
      heading: 'Models',
      text:
        `${models.labels.length} models on the ${models.problems} problems every run answers. ${lostText} Scores are mean graded scores (binary grades: accuracy); costs are mean dollars per problem: each model's answers, a chain's every call, a reference run's every call its records hold (an orchestrator's too; a delegated problem's discarded first answer is not in its record). ` +
        `AIQ is taken over one common cost range for every router, from the cheapest single model's mean cost ($${perProblem(models.costRange.minCostUsd)}) to the dearest's ($${perProblem(models.costRange.maxCostUsd)}): a hull counts 0 below its cheapest point and is flat above its dearest. ` +
        `Each router is also read off its hull at $${perProblem(models.reportAtCostUsd)} a problem (${models.reportAtCostSource}). ` +
        `Intervals: paired bootstrap, ${models.bootstrap.resamples} resamples of the problems (seed ${models.bootstrap.seed}), percentile ${Math.round(models.bootstrap.confidence * 100)}%; routers' choices are fixed, the best single model and the best pair are re-chosen on each resample.`,
    },
    { heading: 'Single models and reference runs', level: 3, table: modelsTable(models, experiment) },
    { heading: 'Oracle, best single model and headroom', level: 3, table: oracleTable(models) },
    ...(models.slices.length === 0
      ? []
      : [{ heading: 'Mean score by slice (task or benchmark)', level: 3 as const, text: "Each model's mean score on the problems of each slice the problems carry (a log's task or benchmark), and the oracle's (the highest score on each problem).", table: slicesTable(models) }]),
    {
      heading: 'Two-stage chains',
      level: 3,
      text: `Every ordered pair whose first model's run has a keep rule: its confidence token (keep <|c_math|>), else P(c) ≥ 0.5; the second model answers what the first escalates, and both calls are paid.${skipped}`,
      table: chainsTable(models),
    },
    {
      heading: 'P(c) threshold routers',
      level: 3,
      text: "For every ordered (keep, escalate-to) pair whose keep model's run has a P(c): the keep model answers every problem, its answer is kept where P(c) ≥ the threshold, else the escalate-to model answers too (both calls paid); an answer without P(c) escalates at every threshold. The threshold is swept over every distinct P(c), plus one past the largest (escalate everything); each curve's points enter its pair's hull below.",
      table: thresholdRoutersTable(models),
    },
    ...(models.listed.length === 0
      ? []
      : [
          {
            heading: 'Routers and chains the experiment lists',
            level: 3 as const,
            text: "Run through the engine (the code `confide run` uses) on the models' recorded answers: a router choosing among the models' labels (before generation: only the chosen model is called and paid; after reading answers: those calls are paid too), a chain calling its models in order until a stage's rule keeps the answer. A chain is also evaluated on the table's columns from its keep decisions, and the two must agree. Each enters the routers' hull, and a router or chain using exactly two models its pair's hull.",
            table: listedTable(models),
          },
        ]),
    ...learnedSections(models),
    {
      heading: 'Pairwise envelope',
      level: 3,
      text:
        `Each pair's hull covers its random mixtures (probabilities 0, 1/${models.mixtureSteps}, …, 1: the chord between the two models) and the chains using exactly that pair; the envelope is the upper hull of every pair's hull: ${envelope}. ` +
        `Best pair (highest hull AIQ): ${models.bestPair.labels.join(' + ')}, ${pct(models.bestPair.aiq)}% ${ci(models.bestPair.interval, pct)}; envelope AIQ ${pct(models.envelope.aiq)}% ${ci(models.envelope.interval, pct)}.`,
      table: pairsTable(models),
    },
    { heading: 'Reference runs against the envelope', level: 3, text: 'Each reference run at its own mean cost: the envelope\'s score there minus the run\'s (positive: the envelope does better at that cost).', table: referencesTable(models, experiment) },
    {
      heading: 'RouterArena figures',
      level: 3,
      text: `Arena score S = (1 + β)·A·C / (β·A + C), β = ${ARENA_SCORE_DEFAULTS.beta}, C the log-normalised cost per 1,000 problems between $${ARENA_SCORE_DEFAULTS.costMin} and $${ARENA_SCORE_DEFAULTS.costMax}; Opt.Sel, Opt.Cost and Opt.Acc over the problems where the optimal choice (the cheapest model with the highest score) and the router's both score above 0. A chain's cost of choosing its second model counts both calls.`,
      table: arenaTable(models),
    },
    { heading: 'Score against cost', level: 3, chart: MODELS_CHART },
  ];
}
