import { join, resolve } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import {
  bundledRunIds,
  DATASETS,
  detectPeerLogFormat,
  PEER_LOG_FORMATS,
  importAllRecordedRuns,
  isFileDatasetReference,
  isRunPath,
  loadProblems,
  RESULT_COLUMNS,
  ROUTER_ARENA_PREDICTIONS_FORMAT,
  loadDataset,
  recordedRunsFolder,
  runCounts,
  RunStore,
  tableFileStem,
} from '@confide/data';
import { Command, Option } from 'commander';
import { formatTable } from '../output/format-table.js';
import { parseCount } from '../options/parse-count.js';
import { parseUnitInterval } from '../options/parse-unit-interval.js';
import { topLevelCommand } from '../command-table.js';
import type { ImportOptions } from './data-import.js';
import type { PeerLogImportOptions } from './data-import-peer-log.js';
import type { RouterArenaPredictionsOptions } from './data-import-router-arena-predictions.js';

/** A fresh temporary folder (--inspect spools there and removes what it spooled). */
async function makeTemporaryFolder(): Promise<string> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  return mkdtempSync(join(tmpdir(), 'confide-inspect-'));
}

function listData(): { datasets: Record<string, unknown>[]; runs: Record<string, unknown>[] } {
  // a dataset's row count is its catalog entry's (a test holds every file to it); a run's counts read its verdicts only
  const datasets = DATASETS.map((info) => ({ name: info.name, rows: info.rows, description: info.description }));
  const runs = bundledRunIds().map((id) => {
    const counts = runCounts(join(recordedRunsFolder(), id));
    return { run: id, rows: counts.records, correct: counts.correct, description: counts.manifest.description };
  });
  return { datasets, runs };
}

async function showRows(name: string, limit: number): Promise<Record<string, unknown>[]> {
  if (isFileDatasetReference(name) || name.startsWith('hf://')) {
    return (await loadProblems(name)).problems.slice(0, limit).map((problem) => ({ ...problem }));
  }
  if (DATASETS.some((info) => info.name === name)) {
    return loadDataset(name)
      .slice(0, limit)
      .map((problem) => ({ ...problem }));
  }
  const store = new RunStore();
  if (bundledRunIds().includes(name) || isRunPath(name) || store.isLocalRun(name)) {
    return store.records(name).slice(0, limit).map((record) => ({ ...record }));
  }
  throw new InvalidConfigError(
    `"${name}" is neither a dataset (${DATASETS.map((info) => info.name).join(', ')}), a recorded run (${bundledRunIds().join(', ')}) nor a path to a run directory`,
  );
}

/** A compact view of a dataset row or a run record for the table format. */
function tableRow(row: Record<string, unknown>): Record<string, unknown> {
  if ('generation' in row) {
    const record = row as unknown as import('@confide/core').RunRecord;
    return {
      problem: record.problemId,
      model: record.generation.model,
      answer: record.generation.answer,
      gold: record.gold,
      correct: record.grade.correct,
      token: record.generation.confidenceToken ?? '',
      in: record.generation.usage.input,
      out: record.generation.usage.output,
      think: record.generation.usage.thinking,
      route: record.route?.target ?? '',
    };
  }
  return { id: row['id'], subject: row['subject'], level: row['level'], answer: row['answer'], problem: row['problem'] };
}

export function registerDataCommand(program: Command): void {
  const data = topLevelCommand(program, 'data');

  data
    .command('list')
    .description('list the bundled datasets and recorded runs with their row counts')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((options: { format: 'table' | 'json' }) => {
      const listing = listData();
      if (options.format === 'json') {
        console.log(JSON.stringify(listing, null, 2));
        return;
      }
      console.log(`datasets\n${formatTable(listing.datasets, 70)}\n\nrecorded runs (MATH-500)\n${formatTable(listing.runs, 70)}`);
    });

  data
    .command('show')
    .description('show the first rows of a dataset or a run')
    .argument('<name>', 'a dataset (math500, math-train, math-test, a dataset file, hf://datasets/…), a recorded run id, or a path to a run directory')
    .option('--limit <n>', 'rows to show', parseCount, 10)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (name: string, options: { limit: number; format: 'table' | 'json' }) => {
      const rows = await showRows(name, options.limit);
      if (options.format === 'json') {
        for (const row of rows) console.log(JSON.stringify(row));
        return;
      }
      console.log(formatTable(rows.map(tableRow)));
    });

  data
    .command('export')
    .description('write runs\' records as one flat table for pandas or polars: a row per record (problem id, question, gold, slice, model, answer, verdict, score, tokens, cost and its basis, latency, route)')
    .argument('<runs...>', 'runs by bundled id or path (a folder of an import: each run in it), each optionally as label=run')
    .addOption(new Option('--format <format>', 'the file format').choices(['parquet']).default('parquet'))
    .requiredOption('--out <file>', 'the file to write (replaced whole once written)')
    .option('--dataset <ref>', 'where the questions come from, for runs that carry none (a bundled name, a dataset file or hf://datasets/…)')
    .option('--price-table <ref>', "the prices of the token counts (default: each run's own)")
    .action(async (references: string[], options: import('./data-export.js').DataExportOptions) => {
      await (await import('./data-export.js')).exportRuns(references, options, (message) => console.error(message));
    });

  data
    .command('logprobs')
    .description("a run's logprobs sidecar in figures (answers, k, windows, each DeepConf score's spread); with a window, its summaries computed again from the stored logprobs")
    .argument('<run>', 'a run by path or bundled id (its logprobs/ folder)')
    .option('--group-window <n>', 'tokens per group of bottom-10 % and lowest-group confidence (DeepConf: 2048)', parseCount)
    .option('--tail-tokens <n>', 'tokens of the tail confidence (DeepConf: 2048)', parseCount)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (reference: string, options: import('./data-logprobs.js').DataLogprobsOptions) => {
      const { dataLogprobs, formatLogprobsReport } = await import('./data-logprobs.js');
      const result = dataLogprobs(reference, options);
      console.log(options.format === 'json' ? JSON.stringify(result, null, 2) : formatLogprobsReport(result));
    });

  data
    .command('import-recorded')
    .description('re-import the upstream recorded MATH-500 runs into the bundled run directories')
    .requiredOption('--from <folder>', 'the upstream recorded-runs/math500 folder')
    .option('--out <folder>', 'where the run directories go', recordedRunsFolder())
    .action((options: { from: string; out: string }) => {
      const runs = importAllRecordedRuns(resolve(options.from), resolve(options.out), loadDataset('math500'), undefined, (message) =>
        console.error(message),
      );
      console.log(formatTable(runs.map((run) => ({ run: run.manifest.runId, rows: run.records.length }))));
    });

  data
    .command('import')
    .description('import per-problem results as run directories: a log of another harness (detected, or --format) or a flat results table (JSON {summary, results}, JSONL, CSV, Parquet) with --dataset and --model')
    .argument('<results>', 'the results file, log file or log folder (lm-eval output)')
    .option('--format <name>', `the log format, when detection does not find it (${PEER_LOG_FORMATS.map((format) => format.name).join(', ')})`)
    .option('--inspect', 'a log: show the detected format, models, row counts, fields found and whether costs are known; write nothing')
    .option('--model-map <log=price...>', 'a log: the price-table name of a model the log names otherwise, e.g. --model-map openai/gpt-4o-mini=gpt-4o-mini')
    .option('--epochs <mode>', 'an inspect_ai log with several epochs: each (a run per epoch, default), mean (the mean score) or first')
    .option('--scorer <name>', 'a log with several scores: the scorer (inspect_ai) or metric (lm-eval) to read (default: the first)')
    .option('--filter <name>', 'lm-eval: the filter whose lines are read (default: the first each task names)')
    .option('--dataset <ref>', 'a results table: the dataset the rows answer (a bundled name, a dataset file or hf://datasets/…); a log carries its problems')
    .option('--model <id>', 'the model that answered (priced by --price-table); a log names its own (this overrides it)')
    .option('--out <folder>', 'the run directory to write (default: the results file name without its extension, beside it); for a log, a folder of runs with models.json')
    .option('--price-table <ref>', "a bundled price table id, a price table .json file, or (a log) RouterArena's model_cost.json or LiteLLM's model-price JSON; a results table defaults to seed-math500, a log without one is costed by the cost it records, or is cost-unknown")
    .option('--price-version <version>', "a log: the version of a RouterArena or LiteLLM price file (a date YYYY-MM-DD, or a tag such as a LiteLLM release); default: the file's sha256")
    .option('--small-model <id>', 'with --large-model: a delegated run (a route column), the model of the answers kept')
    .option('--large-model <id>', 'with --small-model: the model of the delegated answers')
    .option('--map <field=column...>', `columns the defaults do not find, e.g. --map text=model_output (fields: ${Object.keys(RESULT_COLUMNS).join(', ')})`)
    .option('--require-complete', 'refuse a results file that leaves a problem of the dataset unanswered or names one the dataset lacks')
    .option('--force', 'replace a run already imported into --out (it is deleted once the new import is written)')
    .option('--binarize-at <score>', 'for graded scores without a verdict: the verdict is score ≥ this (default 0.5)', parseUnitInterval)
    .option('--break-lock', "remove the run directory's lock even when its holder cannot be shown to be gone")
    .option('--runs <folder...>', 'a RouterArena prediction file: the imported runs of the models it chooses (an import folder with models.json, a run folder, or a folder of run folders)')
    .option('--router-config <file>', 'a RouterArena prediction file: its router config (default: config/<name>.json beside its predictions/ folder)')
    .action(async (resultsFile: string, options: ImportOptions & PeerLogImportOptions & RouterArenaPredictionsOptions) => {
      const file = resolve(resultsFile);
      // a RouterArena prediction file: a routed run, scored from the model runs it chooses among
      const format = options.format ?? (await detectPeerLogFormat(file))?.name;
      if (format === ROUTER_ARENA_PREDICTIONS_FORMAT) {
        const arena = await import('./data-import-router-arena-predictions.js');
        const runs = { ...options, runs: (options.runs ?? []).map((folder) => resolve(folder)), ...(options.routerConfig ? { routerConfig: resolve(options.routerConfig) } : {}) };
        if (options.inspect) return arena.inspectRouterArenaPredictions(file, runs);
        const stem = tableFileStem(file);
        return arena.importRouterArenaPredictionsInto(resultsFile, file, resolve(options.out ?? (stem === file ? `${file}-run` : `${stem}-run`)), runs);
      }
      if (options.runs !== undefined || options.routerConfig !== undefined) throw new InvalidConfigError(`--runs and --router-config go with a RouterArena prediction file (--format ${ROUTER_ARENA_PREDICTIONS_FORMAT}); ${resultsFile} is ${format === undefined ? 'not one' : `a ${format} log`}`);
      // a log of another harness (forced or detected) carries its problems: no --dataset
      if (format !== undefined) {
        const peer = await import('./data-import-peer-log.js');
        if (options.inspect) return peer.inspectPeerLog(file, options, await makeTemporaryFolder());
        const stem = tableFileStem(file).replace(/\.(eval)$/i, '');
        return peer.importPeerLogInto(resultsFile, file, resolve(options.out ?? (stem === file ? `${file}-runs` : `${stem}-runs`)), options);
      }
      if (options.inspect) throw new InvalidConfigError(`--inspect reads logs of another harness (${PEER_LOG_FORMATS.map((format) => format.name).join(', ')}); ${resultsFile} is none of them (name one with --format)`);
      if (options.dataset === undefined || options.model === undefined) throw new InvalidConfigError(`${resultsFile} is not a log Confide recognises (${PEER_LOG_FORMATS.map((format) => format.name).join(', ')}; or name one with --format): a results table needs --dataset and --model`);
      options.priceTable ??= 'seed-math500';
      if ((options.smallModel === undefined) !== (options.largeModel === undefined)) throw new InvalidConfigError('--small-model and --large-model go together');
      const map: Record<string, string> = {};
      for (const pair of options.map ?? []) {
        const [field, column, ...rest] = pair.split('=');
        if (!field || !column || rest.length > 0) throw new InvalidConfigError(`--map ${pair}: expected field=column`);
        map[field] = column;
      }
      // beside the results file, named after it: r.parquet, r.jsonl.gz -> r/ (a name without a table extension gets -run)
      const stem = tableFileStem(file);
      const outFolder = resolve(options.out ?? (stem === file ? `${file}-run` : stem));
      // the run kit loads with the import alone: `confide data list` stays quick
      await (await import('./data-import.js')).importResults(resultsFile, file, outFolder, options, map);
    });
}
