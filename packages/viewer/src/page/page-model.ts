import type { ViewMeta } from '../served-data.js';
import type { ViewProblem } from '../view-data.js';
import { defaultComparePair, type PageComparison } from './comparison.js';
import { descendingOrder, type SortKey } from './filters.js';
import type { PageSource } from './page-source.js';
import { rowAt, type RowColumns } from './row-columns.js';
import type { PageRoute, RunPicks } from './route.js';
import { isModelsBundle, roleIndex, runIndexByName, runName } from './runs.js';
import { modelScoresOf, modelsThresholdModel, thresholdModel, type ModelScore, type ThresholdModel } from './threshold.js';
import { runMeansOf, runSummaryOf, type ProblemRow, type RunMeans, type RunSummary } from './view-model.js';

/** Something the page asked for that may come later (a served problem, a search): its value, or where it stands. */
export type Pending<T> = { state: 'ready'; value: T } | { state: 'loading' } | { state: 'failed'; message: string };

/** Everything the page computes from its source: once, or once per pick of runs (memoised). */
export interface PageModel {
  source: PageSource;
  meta: ViewMeta;
  /** The bundle holds K models (threshold and compare views pick their runs). */
  models: boolean;
  /** Each run's name on the page (`runName`), in `meta.runs` order. */
  names: string[];
  /** How many problems the bundle holds. */
  count: number;
  /** Run `run`'s row columns. */
  columnsOf: (run: number) => RowColumns;
  /** Row `index` of run `run`, as an object (for the rows on screen). */
  rowAt: (run: number, index: number) => ProblemRow;
  /** The index of the problem with an id, or -1. */
  indexOf: (id: string) => number;
  /** Each run's mean score, accuracy and cost, in `meta.runs` order. */
  means: RunMeans[];
  /** The viewed run's numbers. */
  summary: RunSummary;
  /** Each run's scores a threshold can read (a models bundle; empty lists in a run bundle). */
  scores: ModelScore[][];
  subjects: string[];
  finishes: string[];
  /** Run `run`'s problems in ascending or descending order of a sort key (descending derived once from ascending). */
  orderOf: (run: number, key: Exclude<SortKey, 'index'>, direction: 'asc' | 'desc') => Uint32Array;
  /** A search's mask over the problems (asked of the source once per query). */
  search: (query: string) => Pending<Uint8Array>;
  /** Problem `index`'s question and answers (asked of the source once per problem). */
  problem: (index: number) => Pending<ViewProblem>;
  /** The threshold sweep for a pick (`keep` → `to` on `by`), memoised; see `pageView`. */
  thresholdFor: (keep: number, to: number, by: ModelScore) => ThresholdModel | null;
  /** Two runs compared, memoised; null where the source holds no records. */
  comparisonFor: (left: number, right: number) => PageComparison | null;
  /** Called when something asked for arrives; returns the way to stop listening. */
  subscribe: (listener: () => void) => () => void;
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

/** The page's model over its source. */
export function pageModel(source: PageSource): PageModel {
  const { meta } = source;
  const models = isModelsBundle(meta);
  const names = meta.runs.map(runName);
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  // asks the source once per key; a promise's value (or failure) arrives later and the page is told
  const pending = <T>(ask: (key: string) => T | Promise<T>) => {
    const cache = new Map<string, Pending<T>>();
    return (key: string): Pending<T> => {
      const known = cache.get(key);
      if (known !== undefined) return known;
      let answer: T | Promise<T>;
      try {
        answer = ask(key);
      } catch (error) {
        cache.set(key, { state: 'failed', message: (error as Error).message });
        return cache.get(key)!;
      }
      if (!(answer instanceof Promise)) {
        cache.set(key, { state: 'ready', value: answer });
        return cache.get(key)!;
      }
      cache.set(key, { state: 'loading' });
      answer.then(
        (value) => cache.set(key, { state: 'ready', value }),
        (error: unknown) => cache.set(key, { state: 'failed', message: (error as Error).message }),
      ).finally(notify);
      return cache.get(key)!;
    };
  };
  const searches = pending((query) => source.search(query));
  const problems = pending((index) => source.problem(Number(index)));
  let ids: string[] | null = null;
  let byId: Map<string, number> | null = null;
  const problemIds = () => (ids ??= Array.from({ length: source.problems.count }, (_, index) => source.problems.id(index)));
  const sweepInput = { problemIds, columns: (run: number) => source.columns[run]! };
  const thresholds = memo((key) => {
    if (!models) return thresholdModel(sweepInput, roleIndex(meta, 'large'), source.pairScore);
    const [keep, to, by] = key.split(' ') as [string, string, ModelScore];
    return modelsThresholdModel(sweepInput, names, Number(keep), Number(to), by);
  });
  const comparisons = memo((key) => {
    const [left, right] = key.split(' ').map(Number) as [number, number];
    return source.comparison === null ? null : source.comparison(left, right);
  });
  const descending = memo((name) => {
    const [run, key] = name.split(' ') as [string, Exclude<SortKey, 'index'>];
    return descendingOrder(source.columns[Number(run)]!, key, source.sortOrder(Number(run), key));
  });
  const first = source.columns[0]!;
  return {
    source,
    meta,
    models,
    names,
    count: source.problems.count,
    columnsOf: (run) => source.columns[run]!,
    rowAt: (run, index) => rowAt(source.problems, source.columns[run]!, index),
    indexOf: (id) => (byId ??= new Map(problemIds().map((problemId, index) => [problemId, index]))).get(id) ?? -1,
    means: source.columns.map(runMeansOf),
    summary: runSummaryOf(first),
    scores: source.columns.map((columns) => (models ? modelScoresOf(columns) : [])),
    subjects: [...new Set(first.subject)].filter((subject) => subject !== '').sort(),
    finishes: [...new Set(first.finish)].sort(),
    orderOf: (run, key, direction) => (direction === 'asc' ? source.sortOrder(run, key) : descending(`${run} ${key}`)),
    search: (query) => searches(query.trim().toLowerCase()),
    problem: (index) => problems(String(index)),
    thresholdFor: (keep, to, by) => thresholds(models ? `${keep} ${to} ${by}` : 'pair'),
    comparisonFor: (left, right) => comparisons(`${left} ${right}`),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
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
  const data = model.meta;
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
  // swept only where it is shown: a models bundle's rows follow the threshold in its own view alone
  const threshold = route.view === 'threshold' ? model.thresholdFor(keep, to, by) : null;
  const picked = runIndexByName(data, picks.model);
  const focus = route.view === 'threshold' ? keep : (picked ?? (route.view === 'compare' && left !== null ? left : 0));
  return { focus, thresholdOffered: model.scores.some((list) => list.length > 0), thresholdPick: { keep, to, by }, threshold, comparison };
}

/** The point the threshold view starts at: the one nearest the middle of the curve. */
export function defaultPoint(threshold: ThresholdModel | null): number {
  return threshold === null ? 0 : Math.floor((threshold.points.length - 1) / 2);
}
