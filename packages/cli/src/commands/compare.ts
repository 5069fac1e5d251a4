import { InvalidConfigError } from '@confide/core';
import { loadRunProblems, pricesForRun, RunStore } from '@confide/data';
import { createMathGrader, withMathGrades } from '@confide/evaluator-math';
import { DEFAULT_BOOTSTRAP } from '@confide/experiments';
import { costLabel } from '@confide/metrics';
import { compareRuns, pairedProblemIds } from '@confide/routing';
import { Option, type Command } from 'commander';
import { topLevelCommand } from '../command-table.js';

interface CompareOptions {
  grades: 'recorded' | 'math';
  dataset?: string;
  priceTable?: string;
  resamples: string;
  seed: string;
  json?: boolean;
}

function wholeNumber(flag: string, value: string, minimum: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < minimum) throw new InvalidConfigError(`${flag}: "${value}" is not a whole number ≥ ${minimum}`);
  return number;
}

/**
 * `confide compare <left> [right]`: two runs of the same problems, paired (flips, McNemar, paired-bootstrap interval of
 * the accuracy difference, cost); without `right`, the left run against itself graded by core/math (`--grades math`).
 */
export function registerCompareCommand(program: Command): void {
  topLevelCommand(program, 'compare')
    .argument('<left>', 'a run (bundled id or run directory)')
    .argument('[right]', 'the run to compare with (default: the left run, graded by core/math)')
    .addOption(new Option('--grades <grades>', "verdicts of the right side: recorded, or core/math's on the full responses").choices(['recorded', 'math']).default('recorded'))
    .option('--dataset <dataset>', "the problems' order (default: the left run's dataset)")
    .option('--price-table <id|file>', "prices (default: the left run's)")
    .option('--resamples <count>', 'bootstrap resamples', String(DEFAULT_BOOTSTRAP.resamples))
    .option('--seed <seed>', 'bootstrap seed', String(DEFAULT_BOOTSTRAP.seed))
    .option('--json', 'print the comparison as JSON')
    .action(async (leftReference: string, rightReference: string | undefined, options: CompareOptions) => {
      const store = new RunStore();
      const left = store.load(leftReference);
      const right = rightReference === undefined ? left : store.load(rightReference);
      const grades = rightReference === undefined ? 'math' : options.grades;
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
      if (grades === 'math') {
        const grader = createMathGrader({ timeoutMs: 10_000 });
        try {
          rightRecords = await withMathGrades(right.records, grader);
        } finally {
          await grader.close();
        }
      }
      const comparison = compareRuns(
        pairedProblemIds(datasetIds, left.records),
        { label: leftReference, records: left.records },
        { label: grades === 'math' ? `${rightReference ?? leftReference} (core/math)` : (rightReference ?? leftReference), records: rightRecords },
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
