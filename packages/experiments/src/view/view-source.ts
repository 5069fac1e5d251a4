import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidConfigError, RoutingScore, ScoreDirection, type PluginRegistry, type PriceTable, type Problem, type RunRecord } from '@confide/core';
import { loadProblems, loadRunProblems, pricesForRun, readJsonLines, resolvePriceTable, RunStore, type RunDirectory } from '@confide/data';
import { z } from 'zod';
import type { RunViewSource, ViewRunInput, ViewSource } from '@confide/viewer';
import { EXPERIMENT_FILE, experimentKindOf, loadExperimentOfKind } from '../experiment.js';
import { namedRuns, pairAblationOf, type AblationExperiment } from '../ablation/ablation-experiment.js';
import { ablationProblems } from '../ablation/ablation-problems.js';

/** What the viewer reads of a regrade report's regraded.jsonl. */
const RegradedLine = z.object({ problemId: z.string(), regraded: z.boolean(), decidedBy: z.string(), reason: z.string() });

/** The bootstrap of `confide compare` and of a viewed run: the ablation experiment's defaults. */
export const DEFAULT_BOOTSTRAP = { resamples: 1000, seed: 0, confidence: 0.95 };

export interface ViewOptions {
  /**
   * More runs to view beside the target as K models (`[label=]run`; the target may be written so too): the page's
   * threshold view then takes any (keep, escalate-to) pair and its compare view any two runs.
   */
  models?: string[];
  large?: string;
  compare?: string;
  /**
   * Which verdicts the compared side uses: `evaluator` = the command's evaluator's on the full responses (`math`: the
   * same, core/math's), on the run itself when no `--compare` is given; default `recorded`.
   */
  compareGrades?: 'recorded' | 'evaluator' | 'math';
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

/** An ablation's problems as `confide ablate` reads them: its dataset, or without one the problems its runs carry; null, with a warning, when not at hand. */
async function experimentProblemsOf(experiment: AblationExperiment, store: RunStore, folder: string, warn: (message: string) => void): Promise<Problem[] | null> {
  if (experiment.dataset !== undefined) return problemsOf(experiment.dataset as string, folder, warn);
  try {
    return (await ablationProblems(experiment, namedRuns(experiment), (reference) => store.load(reference), folder)).problems;
  } catch (error) {
    warn(`view: the questions the runs carry are not at hand (${(error as Error).message}); the page shows answers without questions`);
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

function scoreOf(records: readonly RunRecord[], options: ViewOptions): NonNullable<RunViewSource['score']> {
  if (options.score !== undefined) {
    const score = RoutingScore.parse(options.score);
    const direction = ScoreDirection.parse(options.direction ?? (score === 'p-confident' || score === 'confidence-token' ? 'keep-high' : 'keep-low'));
    return { score, direction, label: score };
  }
  if (records.every((record) => record.generation.confidenceProbabilities !== undefined)) return { score: 'p-confident', direction: 'keep-high', label: 'P(<|c_math|>)' };
  return { score: 'generation.usage.output', direction: 'keep-low', label: 'output length (generation.usage.output)' };
}

/** Whether a command-line target names an ablation experiment that lists `models` (K runs): the page then views them. */
function experimentListsModels(target: string): boolean {
  if (!isExperimentTarget(target)) return false;
  const folder = resolve(target).endsWith(EXPERIMENT_FILE) ? resolve(target, '..') : resolve(target);
  return experimentKindOf(folder) === 'ablation' && loadExperimentOfKind(folder, 'ablation').experiment.models !== undefined;
}

/** Whether a command-line target names an experiment (a folder with experiment.json, or the file itself). */
export function isExperimentTarget(target: string): boolean {
  const path = resolve(target);
  return existsSync(join(path, EXPERIMENT_FILE)) || (path.endsWith(EXPERIMENT_FILE) && existsSync(path));
}

/** The options of the run/pair view that a models view does not take, as the command line names them. */
const PAIR_ONLY_OPTIONS = [
  ['large', '--large'],
  ['compare', '--compare'],
  ['compareGrades', '--compare-grades'],
  ['compareRegrade', '--compare-regrade'],
  ['router', '--router'],
  ['score', '--score'],
  ['direction', '--direction'],
] as const satisfies ReadonlyArray<readonly [keyof ViewOptions, string]>;

/** Refuses the pair view's options in a models view, naming them and what the models view does instead. */
function refusePairOptions(options: ViewOptions, where: string): void {
  const given = PAIR_ONLY_OPTIONS.filter(([key]) => options[key] !== undefined).map(([, flag]) => flag);
  if (given.length > 0) {
    throw new InvalidConfigError(
      `${where}: ${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to a run and its large or compared run, not to K models; the models view picks the threshold's (keep, escalate-to) pair, reading the keep model's P(c) or confidence token, and the compared pair in the page`,
    );
  }
}

/** A `[label=]run` argument: a label (letters, digits, ".", "_", "-") before "=", else the run reference as its label. */
export function parseModelArgument(argument: string): { label: string; run: string } {
  const match = /^([A-Za-z0-9._-]+)=(.+)$/.exec(argument);
  return match ? { label: match[1]!, run: match[2]! } : { label: argument, run: argument };
}

/** Refuses a label given twice, naming it and the runs. */
function checkUniqueLabels(models: ReadonlyArray<{ label: string; run: string }>, where: string): void {
  models.forEach((model, index) => {
    const first = models.findIndex((other) => other.label === model.label);
    if (first !== index) {
      throw new InvalidConfigError(`${where}: the label "${model.label}" is given to two runs (${models[first]!.run} and ${model.run}); give each its own with label=run`);
    }
  });
}

/**
 * What `confide view` shows for K models: an ablation experiment's `models` (its dataset, prices and bootstrap), or the
 * target run with the `--model` runs (the first run's problems and prices, or --dataset and --price-table).
 */
async function resolveModelsViewSource(target: string, options: ViewOptions, warn: (message: string) => void): Promise<ViewSource> {
  if (isExperimentTarget(target)) {
    const folder = resolve(target).endsWith(EXPERIMENT_FILE) ? resolve(target, '..') : resolve(target);
    const file = join(folder, EXPERIMENT_FILE);
    const experiment = loadExperimentOfKind(folder, 'ablation').experiment;
    const entries = experiment.models;
    if (entries === undefined) {
      throw new InvalidConfigError(`--model: ${file} is an ablation of a small/large pair, without "models"; view runs as K models by name (confide view <run> --model <run> …)`);
    }
    refusePairOptions(options, `${file} lists "models"`);
    if (options.models !== undefined && options.models.length > 0) {
      throw new InvalidConfigError(`--model: ${file} lists its own "models"; add a run there, or view runs by name (confide view <run> --model <run> …)`);
    }
    const store = new RunStore().relativeTo(folder);
    const models = entries.map((entry) => ({ ...runInput(store, entry.run), label: entry.label }));
    return {
      kind: 'models',
      title: experiment.title,
      command: options.command,
      models,
      problems: await experimentProblemsOf(experiment, store, folder, warn),
      prices: resolvePriceTable(options.priceTable ?? experiment.priceTable, folder),
      bootstrap: experiment.bootstrap,
    };
  }
  refusePairOptions(options, '--model');
  const given = [target, ...(options.models ?? [])].map(parseModelArgument);
  checkUniqueLabels(given, '--model');
  const store = new RunStore();
  const loaded = given.map((entry) => ({ ...runInput(store, entry.run), label: entry.label }));
  const first = loaded[0]!.run;
  const prices = pricesForRun(first, options.priceTable);
  if (options.priceTable === undefined) {
    for (const model of loaded.slice(1)) {
      const own = pricesForRun(model.run);
      if (own.id !== prices.id || own.version !== prices.version) {
        warn(`view: ${model.label} (${model.id}) carries prices ${own.id}@${own.version}; costs use ${prices.id}@${prices.version}, the first run's (--price-table chooses one)`);
      }
    }
  }
  return {
    kind: 'models',
    title: `${given.length} models: ${given.map((entry) => entry.label).join(', ')}`,
    command: options.command,
    models: loaded.map(({ run: _run, ...model }) => model),
    problems: await runProblemsOf(first, options.dataset, warn),
    prices,
    bootstrap: DEFAULT_BOOTSTRAP,
  };
}

/**
 * What `confide view <run | experiment>` shows. An ablation experiment that lists `models`, or a run with `--model`
 * runs, gives K models (see `resolveModelsViewSource`). An ablation experiment of the pair form gives its small run,
 * paired with its large run and the score of its first sweepable router (the threshold view then matches `confide
 * ablate`); a run gives itself, paired with `--large` when given. `--compare <run>` adds a run to compare with;
 * `--compare-grades evaluator` compares with the evaluator's verdicts (on the same run when no `--compare` is given).
 */
export async function resolveViewSource(
  target: string,
  options: ViewOptions,
  registry: PluginRegistry,
  /** The evaluator `--compare-grades evaluator` grades with (the CLI's `--evaluator`, default core/math): its id, and records with its verdicts. */
  evaluator: { id: string; grade: (records: readonly RunRecord[]) => Promise<RunRecord[]> },
  warn: (message: string) => void,
): Promise<ViewSource> {
  if ((options.models !== undefined && options.models.length > 0) || experimentListsModels(target)) return resolveModelsViewSource(target, options, warn);
  let store = new RunStore();
  let main: ViewRunInput;
  let large: ViewRunInput | undefined;
  let score: RunViewSource['score'];
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
    // an ablation without the pair lists "models", and is viewed as K models above
    if (experiment === null) throw new Error(`${join(folder, EXPERIMENT_FILE)}: an ablation with neither the pair nor "models"`);
    store = store.relativeTo(folder);
    main = { ...runInput(store, experiment.small.run), label: experiment.small.label || experiment.small.run };
    large = { ...runInput(store, experiment.large.run), label: experiment.large.label || experiment.large.run };
    problems = await experimentProblemsOf(experiment, store, folder, warn);
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
      // a calibrated score's threshold is a cross-fitted probability, not the field the view moves a threshold on
      if (field?.calibration !== undefined && options.router !== undefined) {
        throw new InvalidConfigError(
          `--router: router entry "${entry.id}" thresholds a calibrated score (${field.calibration.settings.method}); the threshold view moves a threshold on the raw score: give --score ${field.score} (and --direction ${field.direction}), or another entry`,
        );
      }
      if (field !== undefined && field.calibration === undefined && entry.sweep?.option === field.option) {
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
  let compare: RunViewSource['compare'];
  const grades = options.compareGrades ?? 'recorded';
  if (options.compareRegrade !== undefined) {
    const verdicts = new Map(readJsonLines(join(resolve(options.compareRegrade), 'regraded.jsonl'), RegradedLine).map((line) => [line.problemId, line]));
    const records = main.records.map((record) => {
      const verdict = verdicts.get(record.problemId);
      if (verdict === undefined) throw new InvalidConfigError(`${options.compareRegrade}: regraded.jsonl has no verdict for ${record.problemId}`);
      return { ...record, grade: { correct: verdict.regraded, evaluator: verdict.decidedBy, reason: verdict.reason } };
    });
    compare = { id: `${main.id} regraded`, label: `regraded (${options.compareRegrade})`, records, grades: 'regrade' };
  } else if (options.compare !== undefined || grades !== 'recorded') {
    const compared = options.compare === undefined ? main : runInput(store, options.compare);
    if (grades === 'recorded') {
      compare = { id: compared.id, label: compared.label, records: compared.records, grades, pipelineCheck: compared.pipelineCheck };
    } else {
      const records = await evaluator.grade(compared.records);
      // the page names core/math's verdicts as such; another evaluator's are "regraded", its id in the label
      compare =
        evaluator.id === 'core/math'
          ? { id: compared.id, label: compared.label, records, grades: 'math', pipelineCheck: compared.pipelineCheck }
          : { id: `${compared.id} (${evaluator.id})`, label: `${compared.label}, graded by ${evaluator.id}`, records, grades: 'regrade', pipelineCheck: compared.pipelineCheck };
    }
  }
  return {
    kind: 'run',
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
