import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import {
  ConfideError,
  CostUnknownError,
  generationCost,
  InvalidConfigError,
  InvalidInputError,
  PriceMissingError,
  routeOf,
  RunRecordV2,
  type PriceTable,
  type Problem,
  type RunManifest,
  type RunRecord,
} from '@confide/core';
import { sha256OfFile } from '../io/file-chunks.js';
import { MANIFEST_FILE, readRunDirectory, readRunProblems, runPriceTable, type RunDirectoryToWrite } from '../recorded-runs/run-directory.js';
import { packageVersions } from '../workspace-state.js';
import { fileHead, peerLogError, type PeerLogFormat } from './peer-log-format.js';

/**
 * RouterArena's router prediction files (RouteWorks/RouterArena: router_inference/generate_prediction_file.py writes
 * them, router_inference/check_config_prediction_files.py checks them; Confide's `confide ablate
 * --routerarena-predictions` writes the same shape): `predictions/<router>.json`, a JSON list of entries
 * {global_index (or "global index"), prompt (or prompt_formatted), prediction: the model the router chose,
 * generated_result, cost, accuracy (filled by RouterArena's own inference and evaluation), for_optimality (extra
 * entries its optimality figures use, not routed problems)}, beside `config/<router>.json` ({pipeline_params:
 * {router_name, models}}).
 *
 * A prediction file holds choices, not answers: it is imported as a routed run whose records are the chosen model's
 * records of the same problem, read from that model's run (`--runs`), each with a route naming the model.
 */

export const ROUTER_ARENA_PREDICTIONS_FORMAT = 'router-arena-predictions';

/** A run label from a name: lower-case letters, digits, dots and dashes (as the peer-log importer labels its runs). */
function runLabel(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'router';
}

/**
 * In the registry for detection, `--format`, `--help` and the README table; its rows are not samples of one model
 * (they need the model runs), so `read` refuses and the import goes through `importRouterArenaPredictions`.
 */
export const routerArenaPredictionsFormat: PeerLogFormat = {
  name: ROUTER_ARENA_PREDICTIONS_FORMAT,
  reads: 'RouterArena router prediction file `predictions/<router>.json` (with `config/<router>.json` beside it when there) and `--runs` naming the imported model runs: one routed run, each entry a record whose route names the predicted model and whose answer, grade, usage and cost are that model\'s record of the same global_index; for_optimality entries are left out and counted',
  async detect(path) {
    if (!/\.json$/i.test(path) || !existsSync(path) || !statSync(path).isFile()) return false;
    const start = fileHead(path, 65_536);
    return /^\s*\[/.test(start) && /"prediction"\s*:/.test(start) && /"global[ _]index"\s*:/.test(start);
  },
  async read(path) {
    throw new InvalidConfigError(`${path}: a RouterArena prediction file holds a router's choices, not answers: import it with --runs <folder...> naming the imported runs of the models it chooses`);
  },
};

/** One model run the predictions may name: where it is, the names it answers to, and its records by problem. */
interface ModelRun {
  label: string;
  folder: string;
  /** Model ids its records name, its runId and (from models.json) the model as its log named it. */
  names: Set<string>;
  manifest: RunManifest;
  byProblem: Map<string, RunRecord>;
  problems: Map<string, Problem> | null;
  /** How many predictions chose it. */
  chosen: number;
}

export interface RouterArenaPredictionsImportOptions {
  /** The prediction file (`predictions/<router>.json`). */
  path: string;
  /** Folders of the model runs: a run folder, an import's folder with models.json, or a folder of run folders. */
  runs: readonly string[];
  /** The router config; default `../config/<file name>` beside the predictions folder, when there. */
  config?: string;
  signal?: AbortSignal;
}

export interface RouterArenaModelMatch {
  label: string;
  folder: string;
  /** The model ids its records name. */
  models: string[];
  /** How many predictions chose it (0: given, never chosen). */
  chosen: number;
}

export interface ImportedRouterArenaPredictions {
  format: PeerLogFormat;
  /** The router's name: the config's router_name, else the file name. */
  router: string;
  label: string;
  configFile: string | null;
  /** The labels the route chooses among, in the config's order (else the order of --runs): the first is `small`. */
  labels: string[];
  /** Every model run given, with how many predictions chose it. */
  runs: RouterArenaModelMatch[];
  /** Models the config lists that no run given answers to. */
  configModelsWithoutRun: string[];
  manifest: RunDirectoryToWrite['manifest'];
  records: RunRecord[];
  problems: Problem[] | null;
  counts: { records: number; correct: number; meanScore: number; costUsd: number | null; costReason: string };
  /** Entries read but not routed problems (for_optimality), and prompts that differ from the run's question, counted. */
  leftOut: Map<string, number>;
  promptMismatches: number;
  fields: string[];
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw peerLogError(path, undefined, undefined, `not JSON (${(error as Error).message})`);
  }
}

/** The run folders a --runs folder names: itself (a run), the runs its models.json lists, or its run subfolders. */
function runFoldersOf(folder: string): Array<{ folder: string; label: string; logModel?: string }> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new InvalidConfigError(`--runs ${folder}: not a folder (give a run folder, an import's folder with models.json, or a folder of run folders)`);
  if (existsSync(join(folder, MANIFEST_FILE))) return [{ folder, label: runLabel(basename(folder)) }];
  const index = join(folder, 'models.json');
  if (existsSync(index)) {
    const models = (readJson(index) as { models?: unknown }).models;
    if (!Array.isArray(models)) throw new InvalidInputError({ file: index, field: 'models', problem: 'expected the list of imported runs' });
    return models.map((entry: unknown, at) => {
      const { label, run, model } = (entry ?? {}) as { label?: unknown; run?: unknown; model?: unknown };
      if (typeof run !== 'string' || run === '') throw new InvalidInputError({ file: index, field: `models.${at}.run`, problem: 'expected the run folder' });
      return { folder: join(folder, run), label: typeof label === 'string' && label !== '' ? label : runLabel(run), ...(typeof model === 'string' ? { logModel: model } : {}) };
    });
  }
  const children = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, MANIFEST_FILE)))
    .map((entry) => ({ folder: join(folder, entry.name), label: runLabel(entry.name) }))
    .sort((a, b) => a.folder.localeCompare(b.folder));
  if (children.length === 0) throw new InvalidConfigError(`--runs ${folder}: no run here (no ${MANIFEST_FILE}, no models.json, no run folders)`);
  return children;
}

function loadModelRuns(folders: readonly string[]): ModelRun[] {
  if (folders.length === 0) throw new InvalidConfigError('a RouterArena prediction file is scored from the runs of the models it chooses: name them with --runs <folder...>');
  const runs: ModelRun[] = [];
  for (const given of folders) {
    for (const { folder, label, logModel } of runFoldersOf(given)) {
      const twin = runs.find((run) => run.label === label);
      if (twin) throw new InvalidConfigError(`--runs: two runs are labelled "${label}" (${twin.folder} and ${folder}); give one of them from another folder name`);
      const read = readRunDirectory(folder);
      const byProblem = new Map(read.records.map((record) => [record.problemId, record]));
      const names = new Set([label, read.manifest.runId, ...read.records.map((record) => record.generation.model), ...(logModel ? [logModel] : [])]);
      const problems = readRunProblems(read);
      runs.push({ label, folder, names, manifest: read.manifest, byProblem, problems: problems === null ? null : new Map(problems.map((problem) => [problem.id, problem])), chosen: 0 });
    }
  }
  return runs;
}

/** The run a prediction's model name stands for: the run of that label, else the one run whose records (or log) name that model. */
function runNamed(runs: readonly ModelRun[], name: string): ModelRun | ModelRun[] | undefined {
  const byLabel = runs.find((run) => run.label === name);
  if (byLabel) return byLabel;
  const named = runs.filter((run) => run.names.has(name));
  return named.length === 1 ? named[0] : named.length === 0 ? undefined : named;
}

/** The router config beside the predictions (`../config/<name>.json`), when there. */
function configOf(path: string, given: string | undefined): { file: string; router?: string; models?: string[] } | null {
  const file = given ?? join(dirname(dirname(path)), 'config', basename(path));
  if (!existsSync(file)) {
    if (given !== undefined) throw new InvalidConfigError(`--router-config ${given}: no such file`);
    return null;
  }
  const params = (readJson(file) as { pipeline_params?: unknown }).pipeline_params as { router_name?: unknown; models?: unknown } | undefined;
  if (params === undefined || params === null || typeof params !== 'object') throw new InvalidInputError({ file, field: 'pipeline_params', problem: 'expected {router_name, models}' });
  if (params.models !== undefined && (!Array.isArray(params.models) || params.models.some((model) => typeof model !== 'string'))) throw new InvalidInputError({ file, field: 'pipeline_params.models', problem: 'expected a list of model names' });
  return { file, ...(typeof params.router_name === 'string' && params.router_name !== '' ? { router: params.router_name } : {}), ...(params.models ? { models: params.models as string[] } : {}) };
}

/** The prices of every model run, as one table (each run carries its own model's entry; costs recorded by the log need none). */
function mergedPrices(runs: readonly ModelRun[], path: string): PriceTable {
  const tables = runs.map((run) => ({ run, table: runPriceTable(run.manifest, run.folder) }));
  const models: PriceTable['models'] = {};
  const from = new Map<string, string>();
  for (const { run, table } of tables) {
    for (const [model, price] of Object.entries(table.models)) {
      const earlier = models[model];
      if (earlier !== undefined && JSON.stringify(earlier) !== JSON.stringify(price)) {
        throw new ConfideError('INVALID_CONFIG', `${path}: the runs price model "${model}" differently (${from.get(model)} and ${run.folder}); import the model runs with one price table`);
      }
      models[model] = price;
      from.set(model, run.folder);
    }
  }
  const ids = [...new Set(tables.map(({ table }) => `${table.id}@${table.version}`))];
  const versions = tables.map(({ table }) => table.version).sort();
  return {
    id: ids.length === 1 ? tables[0]!.table.id : `routed:${[...new Set(tables.map(({ table }) => table.id))].join('+')}`,
    version: versions[versions.length - 1]!,
    currency: 'USD',
    source: ids.length === 1 ? tables[0]!.table.source : `the model runs' own prices: ${tables.map(({ run, table }) => `${run.label}: ${table.id}@${table.version} (${table.source})`).join('; ')}`,
    thinkingBilledAs: 'output',
    models,
  };
}

const Entry = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads a RouterArena prediction file into a routed run: each entry's chosen model (its `prediction`, a run's label
 * or the model its records name) answers that entry's problem (its global_index) with its own record, and the record
 * keeps a route naming the model (`target` small for the first of the config's models, large otherwise; `model` its
 * label). A prediction naming a model no run answers to, or a problem the chosen run lacks, fails with one coded line
 * naming the file, the entry and the field; nothing is returned half-read (the caller writes only what is returned).
 */
export function importRouterArenaPredictions(options: RouterArenaPredictionsImportOptions): ImportedRouterArenaPredictions {
  const { path } = options;
  if (!existsSync(path) || !statSync(path).isFile()) throw new InvalidConfigError(`${path}: no such prediction file`);
  const config = configOf(path, options.config);
  const runs = loadModelRuns(options.runs);
  const router = config?.router ?? basename(path).replace(/\.json$/i, '');
  const label = runLabel(router);
  const entries = readJson(path);
  if (!Array.isArray(entries)) throw peerLogError(path, undefined, undefined, 'expected a JSON list of predictions ({global_index, prompt, prediction})');

  // the labels the route chooses among: the config's models (those a run answers to), else every run as given
  const configModelsWithoutRun: string[] = [];
  const configRuns = new Map<string, ModelRun>();
  for (const model of config?.models ?? []) {
    const run = runNamed(runs, model);
    if (Array.isArray(run)) throw new InvalidConfigError(`${config!.file}: model "${model}" is answered by several runs (${run.map((each) => each.label).join(', ')}); give one of them in --runs`);
    if (run === undefined) configModelsWithoutRun.push(model);
    else configRuns.set(model, run);
  }
  const labels = config?.models ? [...new Set([...configRuns.values()].map((run) => run.label))] : runs.map((run) => run.label);

  const records: RunRecord[] = [];
  const seen = new Map<string, number>();
  const leftOut = new Map<string, number>();
  const fields = new Set<string>();
  let promptMismatches = 0;
  const problems: Problem[] = [];
  let everyProblem = true;
  entries.forEach((entry: unknown, at) => {
    if (options.signal?.aborted) throw new ConfideError('CANCELLED', `data import: cancelled at entry [${at}] of ${path}; nothing was written`);
    const place = `entry [${at}]`;
    if (!Entry(entry)) throw peerLogError(path, place, undefined, `expected a prediction object, got ${JSON.stringify(entry)}`);
    for (const key of Object.keys(entry)) fields.add(key);
    if (entry['for_optimality'] === true) {
      leftOut.set('for_optimality entries (not routed problems)', (leftOut.get('for_optimality entries (not routed problems)') ?? 0) + 1);
      return;
    }
    const indexField = 'global_index' in entry ? 'global_index' : 'global index';
    const index = entry[indexField];
    if (!((typeof index === 'string' && index.trim() !== '') || (typeof index === 'number' && Number.isFinite(index)))) {
      throw peerLogError(path, place, 'global_index', index === undefined || index === null ? 'the prediction has no global_index' : `expected an id (a string or a number), got ${JSON.stringify(index)}`);
    }
    const problemId = String(index);
    const earlier = seen.get(problemId);
    if (earlier !== undefined) throw peerLogError(path, place, indexField, `problem "${problemId}" is predicted twice (also entry [${earlier}])`);
    seen.set(problemId, at);
    const prediction = entry['prediction'];
    if (typeof prediction !== 'string' || prediction === '') throw peerLogError(path, place, 'prediction', prediction === undefined || prediction === null ? 'the entry names no model' : `expected a model name, got ${JSON.stringify(prediction)}`);
    if (config?.models && !config.models.includes(prediction)) throw peerLogError(path, place, 'prediction', `"${prediction}" is not one of the models the router config lists (${config.models.join(', ')}; ${config.file})`);
    const run = runNamed(runs, prediction);
    if (run === undefined) throw peerLogError(path, place, 'prediction', `"${prediction}" names no model run given (runs: ${runs.map((each) => { const others = [...each.names].filter((name) => name !== each.label); return others.length > 0 ? `${each.label} (${others.join(', ')})` : each.label; }).join('; ')}); import its log and add it to --runs`);
    if (Array.isArray(run)) throw peerLogError(path, place, 'prediction', `"${prediction}" is the model of several runs (${run.map((each) => each.label).join(', ')}); give one of them in --runs`);
    const answered = run.byProblem.get(problemId);
    if (answered === undefined) throw peerLogError(path, place, indexField, `problem "${problemId}" is not in the run of ${prediction} (${run.label}, ${run.folder}): it cannot be scored`);
    run.chosen++;
    const prompt = entry['prompt'] ?? entry['prompt_formatted'];
    const problem = run.problems?.get(problemId);
    if (typeof prompt === 'string' && prompt !== '' && problem !== undefined && problem.problem !== '' && prompt.trim() !== problem.problem.trim()) promptMismatches++;
    if (problem === undefined) everyProblem = false;
    else problems.push(problem);
    const { route: _earlierRoute, ...rest } = answered;
    const route = routeOf({ router, model: run.label, reason: `RouterArena prediction ${basename(path)} ${place}: ${prediction}` }, labels.includes(run.label) ? labels : [...labels, run.label]);
    const record = { ...rest, runId: label, route };
    const checked = RunRecordV2.safeParse(record);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw peerLogError(path, place, issue.path.join('.'), issue.message);
    }
    records.push(checked.data);
  });
  if (records.length === 0) throw peerLogError(path, undefined, undefined, `no predictions to import${leftOut.size > 0 ? ` (${[...leftOut].map(([why, count]) => `${count} ${why}`).join('; ')})` : ''}`);

  const prices = mergedPrices(runs.filter((run) => run.chosen > 0), path);
  let costUsd: number | null = 0;
  let costReason = `every chosen model's cost, from its run (${prices.id}@${prices.version})`;
  for (const record of records) {
    try {
      costUsd! += generationCost(prices, record.generation).hundredMillionths / 1e8;
    } catch (error) {
      if (!(error instanceof PriceMissingError || error instanceof CostUnknownError)) throw error;
      costUsd = null;
      costReason = `cost-unknown: ${error.message}`;
      break;
    }
  }
  const correct = records.filter((record) => record.grade.correct).length;
  const scoreSum = records.reduce((sum, record) => sum + (record.grade.score ?? (record.grade.correct ? 1 : 0)), 0);
  const chosenRuns = runs.filter((run) => run.chosen > 0);
  const datasets = [...new Set(chosenRuns.map((run) => run.manifest.dataset))];
  const files = [path, ...(config ? [config.file] : [])].map((file) => ({ path: relative(process.cwd(), file) || basename(file), sha256: sha256OfFile(file) }));
  const matched = runs.map((run) => ({ label: run.label, folder: run.folder, models: [...new Set([...run.byProblem.values()].map((record) => record.generation.model))], chosen: run.chosen }));
  return {
    format: routerArenaPredictionsFormat,
    router,
    label,
    configFile: config?.file ?? null,
    labels,
    runs: matched,
    configModelsWithoutRun,
    records,
    problems: everyProblem ? problems : null,
    counts: { records: records.length, correct, meanScore: scoreSum / records.length, costUsd, costReason },
    leftOut,
    promptMismatches,
    fields: [...fields].sort(),
    manifest: {
      runId: label,
      description: `${router} routing among ${labels.join(', ')}, imported from ${basename(path)} (${ROUTER_ARENA_PREDICTIONS_FORMAT}); each answer is the chosen model's own record`,
      dataset: datasets.length === 1 ? datasets[0]! : `${ROUTER_ARENA_PREDICTIONS_FORMAT}:${basename(path)}`,
      config: {
        importedFrom: basename(path),
        format: ROUTER_ARENA_PREDICTIONS_FORMAT,
        router,
        ...(config ? { routerConfig: relative(process.cwd(), config.file) || config.file } : {}),
        models: labels,
        modelRuns: matched.map((run) => ({ label: run.label, run: relative(process.cwd(), run.folder) || run.folder, models: run.models, chosen: run.chosen })),
        ...(configModelsWithoutRun.length > 0 ? { configModelsWithoutRun } : {}),
        leftOut: Object.fromEntries(leftOut),
        promptMismatches,
        fields: [...fields].sort(),
      },
      plugins: [],
      git: { commit: null, dirty: null },
      packageVersions: packageVersions(),
      priceTable: prices,
      source: { kind: 'recorded', origin: path, files },
      records: records.length,
    },
  };
}
