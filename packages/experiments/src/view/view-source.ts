import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidConfigError, RoutingScore, ScoreDirection, type PluginRegistry, type PriceTable, type Problem, type RunRecord } from '@confide/core';
import { loadProblems, loadRunProblems, pricesForRun, readJsonLines, resolvePriceTable, RunStore, type RunDirectory } from '@confide/data';
import { z } from 'zod';
import type { ViewRunInput, ViewSource } from '@confide/viewer';
import { EXPERIMENT_FILE, experimentKindOf, loadExperimentOfKind } from '../experiment.js';
import { pairAblationOf } from '../ablation/ablation-experiment.js';

/** What the viewer reads of a regrade report's regraded.jsonl. */
const RegradedLine = z.object({ problemId: z.string(), regraded: z.boolean(), decidedBy: z.string(), reason: z.string() });

/** The bootstrap of `confide compare` and of a viewed run: the ablation experiment's defaults. */
export const DEFAULT_BOOTSTRAP = { resamples: 1000, seed: 0, confidence: 0.95 };

export interface ViewOptions {
  large?: string;
  compare?: string;
  /** Which verdicts the compared side uses: `math` = core/math's on the full responses (default: the run itself). */
  compareGrades?: 'recorded' | 'math';
  /** A `confide regrade --evaluator` report folder: the run compared with that evaluator's verdicts (a chain's). */
  compareRegrade?: string;
  score?: string;
  direction?: string;
  /** An ablation's router entry whose score the threshold view moves (default: its first sweepable router). */
  router?: string;
  dataset?: string;
  priceTable?: string;
  /** The command line, written into the bundle. */
  command: string;
}

function runInput(store: RunStore, reference: string): ViewRunInput & { run: RunDirectory } {
  const run = store.load(reference);
  return { id: reference, label: run.manifest.description || run.manifest.runId, records: run.records, run, pipelineCheck: run.manifest.pipelineCheck };
}

/** The dataset's problems, or null with a warning when it is not at hand (the page then shows no questions). */
async function problemsOf(dataset: string, baseFolder: string, warn: (message: string) => void): Promise<Problem[] | null> {
  try {
    return (await loadProblems(dataset, { baseFolder, offline: true })).problems;
  } catch (error) {
    warn(`view: the questions of dataset "${dataset}" are not at hand (${(error as Error).message}); the page shows answers without questions`);
    return null;
  }
}

/** The problems a viewed run carries (or the dataset named with --dataset); null, with a warning, when none are at hand. */
async function runProblemsOf(run: RunDirectory, dataset: string | undefined, warn: (message: string) => void): Promise<Problem[] | null> {
  for (const note of run.notes ?? []) warn(`view: ${run.manifest.runId}: ${note}`);
  try {
    return (await loadRunProblems(run, { dataset })).problems;
  } catch (error) {
    warn(`view: the questions of run ${run.manifest.runId} are not at hand (${(error as Error).message}); the page shows answers without questions`);
    return null;
  }
}

function scoreOf(records: readonly RunRecord[], options: ViewOptions): NonNullable<ViewSource['score']> {
  if (options.score !== undefined) {
    const score = RoutingScore.parse(options.score);
    const direction = ScoreDirection.parse(options.direction ?? (score === 'p-confident' || score === 'confidence-token' ? 'keep-high' : 'keep-low'));
    return { score, direction, label: score };
  }
  if (records.every((record) => record.generation.confidenceProbabilities !== undefined)) return { score: 'p-confident', direction: 'keep-high', label: 'P(<|c_math|>)' };
  return { score: 'generation.usage.output', direction: 'keep-low', label: 'output length (generation.usage.output)' };
}

/** Whether a command-line target names an experiment (a folder with experiment.json, or the file itself). */
export function isExperimentTarget(target: string): boolean {
  const path = resolve(target);
  return existsSync(join(path, EXPERIMENT_FILE)) || (path.endsWith(EXPERIMENT_FILE) && existsSync(path));
}

/**
 * What `confide view <run | experiment>` shows. An ablation experiment gives its small run, paired with its large run
 * and the score of its first sweepable router (the threshold view then matches `confide ablate`); a run gives itself,
 * paired with `--large` when given. `--compare <run>` adds a run to compare with; `--compare-grades math` compares
 * with core/math's verdicts (on the same run when no `--compare` is given).
 */
export async function resolveViewSource(
  target: string,
  options: ViewOptions,
  registry: PluginRegistry,
  /** Records with core/math's verdicts (`withMathGrades` from the CLI), for `--compare-grades math`. */
  mathGrades: (records: readonly RunRecord[]) => Promise<RunRecord[]>,
  warn: (message: string) => void,
): Promise<ViewSource> {
  let store = new RunStore();
  let main: ViewRunInput;
  let large: ViewRunInput | undefined;
  let score: ViewSource['score'];
  let problems: Problem[] | null;
  let prices: PriceTable;
  let bootstrap = DEFAULT_BOOTSTRAP;
  let title: string;
  if (isExperimentTarget(target)) {
    const folder = resolve(target).endsWith(EXPERIMENT_FILE) ? resolve(target, '..') : resolve(target);
    const kind = experimentKindOf(folder);
    if (kind !== 'ablation') {
      throw new InvalidConfigError(`${join(folder, EXPERIMENT_FILE)}: confide view takes an ablation experiment (a small/large pair) or a run; for a "${kind}" experiment give its run directory`);
    }
    const experiment = pairAblationOf(loadExperimentOfKind(folder, 'ablation').experiment);
    if (experiment === null) {
      throw new InvalidConfigError(`${join(folder, EXPERIMENT_FILE)}: confide view shows an ablation's small/large pair, and this one lists only "models"; view one of its runs (confide view <run> --compare <run>)`);
    }
    store = store.relativeTo(folder);
    main = { ...runInput(store, experiment.small.run), label: experiment.small.label || experiment.small.run };
    large = { ...runInput(store, experiment.large.run), label: experiment.large.label || experiment.large.run };
    problems = await problemsOf(experiment.dataset as string, folder, warn);
    prices = resolvePriceTable(options.priceTable ?? experiment.priceTable, folder);
    bootstrap = experiment.bootstrap;
    title = experiment.title;
    const entries = options.router === undefined ? experiment.routers : experiment.routers.filter((entry) => entry.id === options.router);
    if (entries.length === 0) throw new InvalidConfigError(`--router: the experiment has no router entry "${options.router}" (it has ${experiment.routers.map((entry) => entry.id).join(', ')})`);
    // a router that learns fits on the experiment's problems and small run, as the ablation fits it
    const answered = new Set(main.records.map((record) => record.problemId));
    const fitProblems = problems?.filter((problem) => answered.has(problem.id)) ?? [];
    const context = { priceTable: prices, fitData: { problems: fitProblems, small: main.records } };
    for (const entry of entries) {
      const capabilities = registry.create('router', entry.router.id, entry.router.options, context).instance.capabilities;
      const field = capabilities.sweepableScore;
      if (field !== undefined && entry.sweep?.option === field.option) {
        score = { score: field.score, direction: field.direction, label: entry.label };
        break;
      }
      const own = capabilities.ownScore;
      if (own !== undefined && entry.sweep?.option === own.option) {
        score = { of: (problem, small) => own.score(problem, small), direction: 'keep-high', label: entry.label };
        break;
      }
    }
    if (options.score !== undefined) score = scoreOf(main.records, options);
  } else {
    const loaded = runInput(store, target);
    main = loaded;
    if (options.large !== undefined) large = runInput(store, options.large);
    problems = await runProblemsOf(loaded.run, options.dataset, warn);
    prices = pricesForRun(loaded.run, options.priceTable);
    title = `${loaded.run.manifest.runId}: ${loaded.run.manifest.description}`;
    if (large !== undefined) score = scoreOf(main.records, options);
  }
  let compare: ViewSource['compare'];
  const grades = options.compareGrades ?? 'recorded';
  if (options.compareRegrade !== undefined) {
    const verdicts = new Map(readJsonLines(join(resolve(options.compareRegrade), 'regraded.jsonl'), RegradedLine).map((line) => [line.problemId, line]));
    const records = main.records.map((record) => {
      const verdict = verdicts.get(record.problemId);
      if (verdict === undefined) throw new InvalidConfigError(`${options.compareRegrade}: regraded.jsonl has no verdict for ${record.problemId}`);
      return { ...record, grade: { correct: verdict.regraded, evaluator: verdict.decidedBy, reason: verdict.reason } };
    });
    compare = { id: `${main.id} regraded`, label: `regraded (${options.compareRegrade})`, records, grades: 'regrade' };
  } else if (options.compare !== undefined || grades === 'math') {
    const compared = options.compare === undefined ? main : runInput(store, options.compare);
    const records = grades === 'math' ? await mathGrades(compared.records) : compared.records;
    compare = { id: compared.id, label: compared.label, records, grades, pipelineCheck: compared.pipelineCheck };
  }
  return {
    title,
    command: options.command,
    run: main,
    ...(large ? { large } : {}),
    ...(compare ? { compare } : {}),
    ...(score ? { score } : {}),
    problems,
    prices,
    bootstrap,
  };
}
