import { InvalidConfigError } from '@confide/core';
import { loadRunProblems, pricesForRun, RunStore } from '@confide/data';
import { DEFAULT_BOOTSTRAP, withEvaluatorGrades } from '@confide/experiments';
import { costLabel } from '@confide/metrics';
import { compareRuns, pairedProblemIds } from '@confide/routing';
import { Option, type Command } from 'commander';
import { topLevelCommand } from '../command-table.js';
import { addEvaluatorFlags, DEFAULT_EVALUATOR, evaluatorChoice, type EvaluatorFlags } from '../options/evaluator-choice.js';
import { registryWithPlugins } from '../options/plugin-modules.js';

interface CompareOptions extends EvaluatorFlags {
  grades?: 'recorded' | 'evaluator' | 'math';
  dataset?: string;
  priceTable?: string;
  resamples: string;
  seed: string;
  json?: boolean;
}

/** core/math's time budget per comparison for a whole run. */
const RUN_TIMEOUT_MS = 10_000;

/**
 * Which verdicts the right side carries: `recorded`, or `evaluator` (the chosen evaluator's on the full responses;
 * `math` is the same with core/math). Without a right run, the left run against itself under the evaluator.
 */
function rightGrades(options: CompareOptions, hasRight: boolean): 'recorded' | 'evaluator' {
  const evaluatorNamed = options.evaluator !== undefined || options.evaluatorOptions !== undefined;
  if (options.grades === 'math' && options.evaluator !== undefined && options.evaluator !== DEFAULT_EVALUATOR) {
    throw new InvalidConfigError(`--grades math is ${DEFAULT_EVALUATOR}'s verdicts, and --evaluator names ${options.evaluator}: give --grades evaluator`);
  }
  if (options.grades === 'recorded' && evaluatorNamed) throw new InvalidConfigError('--grades recorded keeps the recorded verdicts: --evaluator and --evaluator-options apply to --grades evaluator');
  if (!hasRight && options.grades === 'recorded') throw new InvalidConfigError('--grades recorded compares two runs: give the right run, or grade the left run again (--grades evaluator)');
  if (options.grades === 'math' || options.grades === 'evaluator' || evaluatorNamed || !hasRight) return 'evaluator';
  return 'recorded';
}

function wholeNumber(flag: string, value: string, minimum: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < minimum) throw new InvalidConfigError(`${flag}: "${value}" is not a whole number ≥ ${minimum}`);
  return number;
}

/**
 * `confide compare <left> [right]`: two runs of the same problems, paired (flips, McNemar, paired-bootstrap interval of
 * the accuracy difference, cost); without `right`, the left run against itself graded by an evaluator (`--evaluator`,
 * default core/math).
 */
export function registerCompareCommand(program: Command): void {
  const command = topLevelCommand(program, 'compare')
    .argument('<left>', 'a run (bundled id or run directory)')
    .argument('[right]', 'the run to compare with (default: the left run, graded by the evaluator)')
    .addOption(
      new Option('--grades <grades>', "verdicts of the right side: recorded (default with a right run), or the evaluator's on the full responses (evaluator; math: core/math's)").choices(['recorded', 'evaluator', 'math']),
    );
  addEvaluatorFlags(command, "grades the right side's full responses (implies --grades evaluator)")
    .option('--dataset <dataset>', "the problems' order (default: the left run's dataset)")
    .option('--price-table <id|file>', "prices (default: the left run's)")
    .option('--resamples <count>', 'bootstrap resamples', String(DEFAULT_BOOTSTRAP.resamples))
    .option('--seed <seed>', 'bootstrap seed', String(DEFAULT_BOOTSTRAP.seed))
    .option('--json', 'print the comparison as JSON')
    .action(async (leftReference: string, rightReference: string | undefined, options: CompareOptions) => {
      const grades = rightGrades(options, rightReference !== undefined);
      const { registry } = await registryWithPlugins(options);
      const choice = grades === 'evaluator' ? evaluatorChoice(options, registry, { math: { defaults: { timeoutMs: RUN_TIMEOUT_MS } } }) : null;
      const store = new RunStore();
      const left = store.load(leftReference);
      const right = rightReference === undefined ? left : store.load(rightReference);
      for (const [reference, run] of new Map([[leftReference, left], [rightReference ?? leftReference, right]])) {
        for (const note of run.notes ?? []) console.error(`compare: ${reference}: ${note}`);
      }
      let datasetIds: string[] | null = null;
      try {
        datasetIds = (await loadRunProblems(left, { dataset: options.dataset })).problems.map((problem) => problem.id);
      } catch (error) {
        console.error(`compare: dataset not at hand (${(error as Error).message}); pairing in the left run's record order`);
      }
      let rightRecords = right.records;
      if (choice !== null) {
        const evaluator = registry.create('evaluator', choice.id, choice.options, { priceTable: pricesForRun(right) }).instance;
        try {
          rightRecords = await withEvaluatorGrades(right.records, evaluator, { reads: 'response', concurrency: 16 });
        } finally {
          await evaluator.close();
        }
      }
      const comparison = compareRuns(
        pairedProblemIds(datasetIds, left.records),
        { label: leftReference, records: left.records },
        { label: choice !== null ? `${rightReference ?? leftReference} (${choice.id})` : (rightReference ?? leftReference), records: rightRecords },
        pricesForRun(left, options.priceTable),
        { resamples: wholeNumber('--resamples', options.resamples, 10), seed: wholeNumber('--seed', options.seed, 0), confidence: DEFAULT_BOOTSTRAP.confidence },
      );
      if (options.json) {
        console.log(JSON.stringify(comparison, null, 2));
        return;
      }
      const points = (value: number) => `${(value * 100).toFixed(1)}`;
      for (const [reference, run] of new Map([[leftReference, left], [rightReference ?? leftReference, right]])) {
        const check = run.manifest.pipelineCheck ?? null;
        if (check !== null) console.log(`pipeline check, not a result: ${reference}: ${check.reason}`);
      }
      console.log(`${comparison.left} against ${comparison.right}: ${comparison.problems} problems, paired`);
      console.log(`accuracy ${points(comparison.accuracies[0])}% -> ${points(comparison.accuracies[1])}%; right->wrong ${comparison.flips.rightToWrong}, wrong->right ${comparison.flips.wrongToRight}`);
      console.log(`difference ${points(comparison.difference)} points, 95% paired-bootstrap interval [${points(comparison.differenceInterval.lower)}, ${points(comparison.differenceInterval.upper)}]; McNemar p = ${comparison.mcnemar.pValue.toPrecision(3)} (${comparison.mcnemar.method})`);
      // the calls each record holds: its answer, and an orchestrator's own call where the router made one
      console.log(`${costLabel('answersAndOrchestrator')} $${comparison.costUsd[0].toFixed(4)} -> $${comparison.costUsd[1].toFixed(4)} (${comparison.costDifferenceUsd >= 0 ? '+' : ''}$${comparison.costDifferenceUsd.toFixed(4)})`);
    });
}
