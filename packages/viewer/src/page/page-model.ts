import type { ViewData } from '../view-data.js';
import { comparisonOf, defaultComparePair, type PageComparison } from './comparison.js';
import type { PageRoute, RunPicks } from './route.js';
import { isModelsBundle, runIndexByName, runName } from './runs.js';
import { modelScoresOf, modelsThresholdModel, thresholdModel, type ModelScore, type ThresholdModel } from './threshold.js';
import { problemRows, runMeans, runSummary, type ProblemRow, type RunMeans, type RunSummary } from './view-model.js';

/** Everything the page computes from the data: once, or once per pick of runs (memoised). */
export interface PageModel {
  data: ViewData;
  /** The bundle holds K models (threshold and compare views pick their runs). */
  models: boolean;
  /** Each run's name on the page (`runName`), in `data.runs` order. */
  names: string[];
  /** The rows of the viewed run (the first). */
  rows: ProblemRow[];
  /** The rows of run `run`. */
  rowsOf: (run: number) => ProblemRow[];
  /** Each run's mean score, accuracy and cost, in `data.runs` order. */
  means: RunMeans[];
  summary: RunSummary;
  /** Each run's scores a threshold can read (a models bundle; empty lists in a run bundle). */
  scores: ModelScore[][];
  subjects: string[];
  finishes: string[];
  /** The lower-case text a search looks in: question, gold, and every answer's response. */
  searchText: (row: ProblemRow) => string;
  /** The threshold sweep for a pick (`keep` → `to` on `by`), memoised; see `pageView`. */
  thresholdFor: (keep: number, to: number, by: ModelScore) => ThresholdModel | null;
  comparisonFor: (left: number, right: number) => PageComparison;
}

/** The runs the current route picks, resolved, and what the views show for them. */
export interface PageView {
  /** The run whose rows the table shows: a models bundle's picked model (the keep model in the threshold view; in the compare view, the left run unless one is picked). */
  focus: number;
  /** The threshold view is offered: a run bundle with a large run and a score, or a models bundle with a scored model. */
  thresholdOffered: boolean;
  /** A models bundle's threshold pick; null in a run bundle (its pair is fixed). */
  thresholdPick: { keep: number; to: number; by: ModelScore } | null;
  threshold: ThresholdModel | null;
  comparison: PageComparison | null;
}

function memo<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, compute(key));
    return cache.get(key)!;
  };
}

export function pageModel(data: ViewData): PageModel {
  const models = isModelsBundle(data);
  const rowsCache = memo((key) => problemRows(data, Number(key)));
  const rowsOf = (run: number) => rowsCache(String(run));
  const rows = rowsOf(0);
  const texts: (string | undefined)[] = new Array(rows.length);
  const pairThreshold = models ? null : thresholdModel(data);
  const thresholds = memo((key) => {
    const [keep, to, by] = key.split(' ') as [string, string, ModelScore];
    return modelsThresholdModel(data, Number(keep), Number(to), by);
  });
  const comparisons = memo((key) => {
    const [left, right] = key.split(' ').map(Number) as [number, number];
    return comparisonOf(data, left, right);
  });
  return {
    data,
    models,
    names: data.runs.map(runName),
    rows,
    rowsOf,
    means: data.runs.map((_, run) => runMeans(rowsOf(run))),
    summary: runSummary(data, rows),
    scores: data.runs.map((_, run) => (models ? modelScoresOf(data, run) : [])),
    subjects: [...new Set(rows.map((row) => row.subject).filter((subject) => subject !== ''))].sort(),
    finishes: [...new Set(rows.map((row) => row.finish))].sort(),
    searchText: (row) => {
      let text = texts[row.index];
      if (text === undefined) {
        const problem = data.problems[row.index]!;
        const compare = data.runs.findIndex((run) => run.role === 'compare');
        const grade = compare === -1 ? null : problem.answers[compare]!.record.grade;
        text = [row.label, problem.id, problem.question ?? '', problem.answers[0]!.record.gold ?? '', ...problem.answers.map((answer) => answer.record.generation.text), grade ? `${grade.evaluator} ${grade.reason ?? ''}` : '']
          .join('\n')
          .toLowerCase();
        texts[row.index] = text;
      }
      return text;
    },
    thresholdFor: (keep, to, by) => (models ? thresholds(`${keep} ${to} ${by}`) : pairThreshold),
    comparisonFor: (left, right) => comparisons(`${left} ${right}`),
  };
}

/** A models bundle's default threshold pick: the first model with a score kept, escalating to the best other model by mean score (cheaper on ties). */
function defaultThresholdPick(model: PageModel): { keep: number; to: number } {
  const keep = Math.max(0, model.scores.findIndex((scores) => scores.length > 0));
  let to = keep === 0 ? 1 : 0;
  model.means.forEach((means, run) => {
    const best = model.means[to]!;
    if (run !== keep && (means.meanScore > best.meanScore || (means.meanScore === best.meanScore && means.meanCostUsd < best.meanCostUsd))) to = run;
  });
  return { keep, to };
}

/** Resolves the route's picks against the bundle (names it lacks fall back to the defaults). */
export function pageView(model: PageModel, route: PageRoute): PageView {
  const { data } = model;
  const picks: RunPicks = route.picks;
  const pair = defaultComparePair(data);
  const left = runIndexByName(data, picks.left) ?? pair?.[0] ?? null;
  const right = runIndexByName(data, picks.right) ?? pair?.[1] ?? null;
  const comparison = left !== null && right !== null ? model.comparisonFor(left, right) : null;
  if (!model.models) {
    const threshold = model.thresholdFor(0, 0, 'p-confident');
    return { focus: 0, thresholdOffered: threshold !== null, thresholdPick: null, threshold, comparison };
  }
  const fallback = defaultThresholdPick(model);
  const keep = runIndexByName(data, picks.keep) ?? fallback.keep;
  const pickedTo = runIndexByName(data, picks.to);
  const to = pickedTo !== null && pickedTo !== keep ? pickedTo : keep === fallback.keep ? fallback.to : keep === 0 ? 1 : 0;
  const scores = model.scores[keep]!;
  const by = picks.by !== undefined && scores.includes(picks.by) ? picks.by : (scores[0] ?? 'p-confident');
  const threshold = model.thresholdFor(keep, to, by);
  const picked = runIndexByName(data, picks.model);
  const focus = route.view === 'threshold' ? keep : (picked ?? (route.view === 'compare' && left !== null ? left : 0));
  return { focus, thresholdOffered: model.scores.some((list) => list.length > 0), thresholdPick: { keep, to, by }, threshold, comparison };
}

/** The point the threshold view starts at: the one nearest the middle of the curve. */
export function defaultPoint(threshold: ThresholdModel | null): number {
  return threshold === null ? 0 : Math.floor((threshold.points.length - 1) / 2);
}
