import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidConfigError, type Problem } from '@confide/core';
import { checkReportOutFolder, loadRunProblems, pricesForRun, readConfigFile, resolveCachePath, RunStore, writeJsonLines } from '@confide/data';
import { explanationOf } from '@confide/evaluator-math';
import { gradeRecords, parseShardSpec, RegradeConfig, runRegrade, runRegradeExperiment, shardFolderSuffix } from '@confide/experiments';
import { confideVersion } from './hub-data.js';
import type { Command } from 'commander';
import { topLevelCommand } from '../command-table.js';
import { addEvaluatorFlags, evaluatorChoice, type EvaluatorFlags } from '../options/evaluator-choice.js';
import { parseUsd } from '../options/parse-usd.js';
import { defaultReportFolder } from '../options/report-folder.js';
import { experimentWithPlugins, registryWithPlugins } from '../options/plugin-modules.js';

interface RegradeOptions extends EvaluatorFlags {
  run?: string;
  experiment?: string;
  reviewTemplate?: boolean;
  out?: string;
  extract?: boolean;
  timeoutMs?: string;
  budget?: string;
  cache?: string | false;
  shard?: string;
}

/** core/math's time budget per comparison for a whole run (its own default, 2 s, is for one pair at a time). */
const RUN_TIMEOUT_MS = 10_000;

/** `--evaluator` names a config file (with the clients a verifier is lent) when it ends in .json; else a plugin id. */
function isEvaluatorConfig(value: string | undefined): value is string {
  return value !== undefined && value.endsWith('.json');
}

function budgetOf(options: RegradeOptions): number | undefined {
  return options.budget === undefined ? undefined : parseUsd(options.budget, '--budget');
}

/** `confide regrade --run <run> --evaluator <config.json>`: the run graded by the config's evaluator, a report folder written. */
async function regradeWithConfig(run: string, options: RegradeOptions & { evaluator: string }): Promise<void> {
  const configPath = resolve(options.evaluator);
  const shard = options.shard === undefined ? undefined : parseShardSpec(options.shard);
  const outFolder = resolve(options.out ?? join('regrade', `${basename(run.replace(/[\\/]+$/, ''))}-${basename(configPath, '.json')}`)) + (shard ? shardFolderSuffix(shard) : '');
  checkReportOutFolder(outFolder, 'regrade');
  if (options.evaluatorOptions !== undefined) throw new InvalidConfigError(`--evaluator-options: ${options.evaluator} is a config file; give the evaluator's options in its "evaluator"`);
  const config = readConfigFile(configPath, RegradeConfig);
  const store = new RunStore();
  const loaded = store.load(run);
  let problems: Problem[] | null = null;
  try {
    problems = (await loadRunProblems(loaded)).problems;
  } catch (error) {
    console.error(`regrade: the questions of run ${loaded.manifest.runId} are not at hand (${(error as Error).message}); the evaluator gets none`);
  }
  const budgetUsd = budgetOf(options);
  const outcome = await runRegrade({
    run: loaded,
    runReference: run,
    config,
    registry: (await registryWithPlugins(options)).registry,
    runs: store,
    problems,
    outFolder,
    baseFolder: dirname(configPath),
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    cachePath: resolveCachePath(options.cache),
    command: `confide regrade --run ${run} --evaluator ${options.evaluator}${options.out ? ` --out ${options.out}` : ''}${options.shard ? ` --shard ${options.shard}` : ''}`,
    // the merge finds the run again from anywhere: a path is kept absolute
    ...(shard ? { shard: { spec: shard, confideVersion: confideVersion(), source: existsSync(resolve(run)) ? resolve(run) : run } } : {}),
    onProgress: (done, total) => {
      if (done === total || done % 100 === 0) process.stderr.write(`regrade: ${done}/${total}\n`);
    },
  });
  if (outcome.status !== 'complete') throw new Error(outcome.message);
  const { summary } = outcome;
  if (shard) console.log(`regrade ${summary.run}: shard ${shard.index}/${shard.count}: ${summary.records} records graded; join the shards with confide merge`);
  console.log(
    `regrade ${summary.run} with ${summary.evaluator.id}: recorded ${(summary.accuracy.recorded * 100).toFixed(1)}%, regraded ${(summary.accuracy.regraded * 100).toFixed(1)}%` +
      `${summary.accuracy.firstStep === null ? '' : ` (first step alone ${(summary.accuracy.firstStep * 100).toFixed(1)}%)`}; ` +
      `${summary.flips.toCorrect + summary.flips.toWrong} flips; lent clients ${summary.clientCalls.calls} calls, $${summary.clientCalls.costUsd.toFixed(6)} (${summary.clientCalls.sent} sent, ${summary.clientCalls.cached} cached); report in ${outFolder}`,
  );
}

/** `confide regrade --experiment <folder>`: a regrade experiment's report folder (default reports/<name>). */
async function regradeExperiment(folder: string, options: RegradeOptions): Promise<void> {
  if (options.evaluator !== undefined || options.evaluatorOptions !== undefined || options.extract || options.timeoutMs !== undefined) {
    throw new InvalidConfigError('--experiment: the experiment names its evaluator and what it reads ("evaluator", "reads"); --evaluator, --evaluator-options, --extract and --timeout-ms apply to --run');
  }
  const { registry, loaded } = await experimentWithPlugins(resolve(folder), 'regrade', options);
  registry.parseOptions('evaluator', loaded.experiment.evaluator.id, loaded.experiment.evaluator.options, `${loaded.file}: "evaluator"`);
  const outFolder = resolve(options.out ?? defaultReportFolder(loaded.folder, loaded.experiment.name));
  const budgetUsd = budgetOf(options);
  const outcome = await runRegradeExperiment({
    loaded,
    registry,
    outFolder,
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    cachePath: resolveCachePath(options.cache),
    ...(options.reviewTemplate ? { reviewTemplate: true } : {}),
    command: `confide regrade --experiment ${folder}${options.out ? ` --out ${options.out}` : ''}`,
    onProgress: (message) => process.stderr.write(`${message}\n`),
  });
  if (outcome.status !== 'complete') throw new Error(outcome.message);
  const { summary } = outcome;
  if (summary === null) return;
  console.log(`regrade ${loaded.experiment.name} with ${summary.grader.id}: ${summary.disagreements.records} disagreements (${summary.disagreements.distinctPairs} pairs); report in ${outFolder}`);
  for (const run of summary.runs) {
    console.log(`${run.run.padEnd(26)} recorded ${run.recordedCorrect}/${run.records}  regraded ${run.regradedCorrect}/${run.records}${run.reextractedCorrect === undefined ? '' : `  (re-extracted ${run.reextractedCorrect}/${run.records})`}`);
  }
}

/** `confide regrade --run <run>`: the run graded again by an evaluator plugin (default core/math); the verdicts that flip. */
async function regradeFlips(run: string, options: RegradeOptions): Promise<void> {
  const { registry } = await registryWithPlugins(options);
  const flags = options.timeoutMs === undefined ? [] : [{ flag: '--timeout-ms', key: 'timeoutMs', value: positiveInteger('--timeout-ms', options.timeoutMs) }];
  const choice = evaluatorChoice(options, registry, { math: { defaults: { timeoutMs: RUN_TIMEOUT_MS }, flags } });
  const loaded = new RunStore().load(run);
  const evaluator = registry.create('evaluator', choice.id, choice.options, { priceTable: pricesForRun(loaded) }).instance;
  try {
    const verdicts = await gradeRecords(loaded.records, evaluator, { reads: options.extract ? 'response' : 'answer', concurrency: 16 });
    const rows = loaded.records.map((record, index) => {
      const verdict = verdicts[index]!;
      return {
        problemId: record.problemId,
        sourceId: record.sourceId ?? null,
        gold: record.gold,
        answer: verdict.answer,
        recorded: record.grade.correct,
        regraded: verdict.correct,
        reason: verdict.decision ?? verdict.reason ?? '',
        verdict,
      };
    });
    // each flip with why it went so, where the evaluator explains its verdicts (core/math: both sides normalised and parsed)
    const flips = rows
      .filter((row) => row.recorded !== row.regraded)
      .map(({ verdict, ...row }) => {
        const explain = explanationOf(verdict);
        return explain === null ? row : { ...row, explain };
      });
    const recordedCorrect = rows.filter((row) => row.recorded).length;
    const regradedCorrect = rows.filter((row) => row.regraded).length;
    const toCorrect = flips.filter((flip) => flip.regraded).length;
    if (options.out === undefined) {
      for (const flip of flips) process.stdout.write(`${JSON.stringify(flip)}\n`);
    } else {
      writeJsonLines(resolve(options.out), flips);
    }
    process.stderr.write(
      `regrade ${run} with ${choice.id}: recorded ${recordedCorrect}/${rows.length}, regraded ${regradedCorrect}/${rows.length}; ` +
        `${flips.length} flips (${toCorrect} to correct, ${flips.length - toCorrect} to wrong)${options.out ? ` in ${options.out}` : ''}\n`,
    );
  } finally {
    await evaluator.close();
  }
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1) throw new InvalidConfigError(`${flag}: "${value}" is not a positive whole number`);
  return number;
}

/**
 * `confide regrade --run <run>`: grades a run again with an evaluator plugin (`--evaluator <id>`, default core/math)
 * and writes the verdicts that flip; `--evaluator <config.json>` lends the evaluator model clients (a verifier) and
 * writes a report folder; `--experiment <folder>` runs a regrade experiment.
 */
export function registerRegradeCommand(program: Command): void {
  const command = topLevelCommand(program, 'regrade')
    .option('--run <run>', 'a bundled run id (see confide data list) or a path to a run directory')
    .option('--experiment <folder>', 'a regrade experiment folder (experiment.json of kind "regrade"): its report folder, default reports/<name>')
    .option('--review-template', "with --experiment: add an \"unreviewed\" entry to the experiment's review file for every disagreement it lacks, and stop")
    .option('--out <path>', 'write the flips here (JSON Lines) instead of stdout; with a config or an experiment, the report folder');
  addEvaluatorFlags(command, 'grades the run; or a JSON config (.json) {evaluator, clients} that lends it model clients (a chain: core/math, then a model verifier), --out then a report folder', '<id|config.json>')
    .option('--extract', 'grade the full responses (the evaluator finds the answer in each) instead of the recorded extracted answers')
    .option('--timeout-ms <ms>', `core/math: time budget per comparison (default ${RUN_TIMEOUT_MS})`)
    .option('--budget <usd>', 'stop the lent clients (a verifier) at this spend')
    .option('--cache <file>', 'response cache for the lent clients (default: responses.sqlite in $XDG_CACHE_HOME/confide or ~/.cache/confide)')
    .option('--no-cache', 'send every verifier request (no cache)')
    .option('--shard <i/n>', 'with --evaluator <config.json>: grade shard i of n of the records (by sha256 of the problem id) into <out>.shard-i-of-n; confide merge builds the report')
    .action(async (options: RegradeOptions) => {
      if ((options.run === undefined) === (options.experiment === undefined)) throw new InvalidConfigError('give --run <run> or --experiment <folder> (one of them)');
      if (options.reviewTemplate && options.experiment === undefined) throw new InvalidConfigError('--review-template applies to --experiment');
      if (options.shard !== undefined && (options.experiment !== undefined || !isEvaluatorConfig(options.evaluator))) {
        throw new InvalidConfigError('--shard applies to --run <run> --evaluator <config.json> (a report folder per shard, merged by confide merge)');
      }
      if (options.experiment !== undefined) {
        await regradeExperiment(options.experiment, options);
      } else if (isEvaluatorConfig(options.evaluator)) {
        await regradeWithConfig(options.run!, { ...options, evaluator: options.evaluator });
      } else {
        await regradeFlips(options.run!, options);
      }
    });
}
