import { basename, dirname, join, resolve } from 'node:path';
import { InvalidConfigError, type Problem } from '@confide/core';
import { checkReportOutFolder, loadRunProblems, readConfigFile, resolveCachePath, RunStore, writeJsonLines } from '@confide/data';
import { RegradeConfig, runRegrade } from '@confide/experiments';
import { createMathGrader, regradeRecords } from '@confide/evaluator-math';
import type { Command } from 'commander';
import { topLevelCommand } from '../command-table.js';
import { parseUsd } from '../options/parse-usd.js';
import { createPluginRegistry } from '../plugin-registry.js';

interface RegradeOptions {
  run: string;
  out?: string;
  extract?: boolean;
  timeoutMs: string;
  evaluator?: string;
  budget?: string;
  cache?: string | false;
}

/** `confide regrade --run <run> --evaluator <config>`: the run graded by the config's evaluator, a report folder written. */
async function regradeWithEvaluator(options: RegradeOptions): Promise<void> {
  const configPath = resolve(options.evaluator!);
  const outFolder = resolve(options.out ?? join('regrade', `${basename(options.run.replace(/[\\/]+$/, ''))}-${basename(configPath, '.json')}`));
  checkReportOutFolder(outFolder, 'regrade');
  const config = readConfigFile(configPath, RegradeConfig);
  const store = new RunStore();
  const run = store.load(options.run);
  let problems: Problem[] | null = null;
  try {
    problems = (await loadRunProblems(run)).problems;
  } catch (error) {
    console.error(`regrade: the questions of run ${run.manifest.runId} are not at hand (${(error as Error).message}); the evaluator gets none`);
  }
  const budgetUsd = options.budget === undefined ? undefined : parseUsd(options.budget, '--budget');
  const outcome = await runRegrade({
    run,
    runReference: options.run,
    config,
    registry: createPluginRegistry(),
    runs: store,
    problems,
    outFolder,
    baseFolder: dirname(configPath),
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    cachePath: resolveCachePath(options.cache),
    command: `confide regrade --run ${options.run} --evaluator ${options.evaluator}${options.out ? ` --out ${options.out}` : ''}`,
    onProgress: (done, total) => {
      if (done === total || done % 100 === 0) process.stderr.write(`regrade: ${done}/${total}\n`);
    },
  });
  if (outcome.status !== 'complete') throw new Error(outcome.message);
  const { summary } = outcome;
  console.log(
    `regrade ${summary.run} with ${summary.evaluator.id}: recorded ${(summary.accuracy.recorded * 100).toFixed(1)}%, regraded ${(summary.accuracy.regraded * 100).toFixed(1)}%` +
      `${summary.accuracy.firstStep === null ? '' : ` (first step alone ${(summary.accuracy.firstStep * 100).toFixed(1)}%)`}; ` +
      `${summary.flips.toCorrect + summary.flips.toWrong} flips; lent clients ${summary.clientCalls.calls} calls, $${summary.clientCalls.costUsd.toFixed(6)} (${summary.clientCalls.sent} sent, ${summary.clientCalls.cached} cached); report in ${outFolder}`,
  );
}

/** `confide regrade --run <run id | run path>`: grades a run again with core/math and writes the verdicts that flip. */
export function registerRegradeCommand(program: Command): void {
  topLevelCommand(program, 'regrade')
    .requiredOption('--run <run>', 'a bundled run id (see confide data list) or a path to a run directory')
    .option('--out <file>', 'write the flips here (JSON Lines) instead of stdout')
    .option('--extract', 'grade the full responses (core/math finds the answer in each) instead of the recorded extracted answers')
    .option('--timeout-ms <ms>', 'time budget per comparison', '10000')
    .option('--evaluator <config>', 'grade with any evaluator (a chain: core/math, then a model verifier) from a JSON config {evaluator, clients}; --out is then a report folder')
    .option('--budget <usd>', 'stop the lent clients (a verifier) at this spend')
    .option('--cache <file>', 'response cache for the lent clients (default: responses.sqlite in $XDG_CACHE_HOME/confide or ~/.cache/confide)')
    .option('--no-cache', 'send every verifier request (no cache)')
    .action(async (options: RegradeOptions) => {
      if (options.evaluator !== undefined) {
        await regradeWithEvaluator(options);
        return;
      }
      const timeoutMs = Number(options.timeoutMs);
      if (!/^\d+$/.test(options.timeoutMs) || timeoutMs < 1) throw new InvalidConfigError(`--timeout-ms: "${options.timeoutMs}" is not a positive whole number`);
      const run = new RunStore().load(options.run);
      const grader = createMathGrader({ timeoutMs });
      try {
        const regraded = await regradeRecords(run.records, grader, { extract: options.extract === true });
        const flips = regraded
          .filter((record) => record.recorded !== record.regraded)
          .map(({ problemId, sourceId, gold, answer, recorded, regraded: now, reason }) => ({ problemId, sourceId, gold, answer, recorded, regraded: now, reason }));
        const recordedCorrect = regraded.filter((record) => record.recorded).length;
        const regradedCorrect = regraded.filter((record) => record.regraded).length;
        const toCorrect = flips.filter((flip) => flip.regraded).length;
        if (options.out === undefined) {
          for (const flip of flips) process.stdout.write(`${JSON.stringify(flip)}\n`);
        } else {
          writeJsonLines(resolve(options.out), flips);
        }
        process.stderr.write(
          `regrade ${options.run}: recorded ${recordedCorrect}/${regraded.length}, regraded ${regradedCorrect}/${regraded.length}; ` +
            `${flips.length} flips (${toCorrect} to correct, ${flips.length - toCorrect} to wrong)${options.out ? ` in ${options.out}` : ''}\n`,
        );
      } finally {
        await grader.close();
      }
    });
}
