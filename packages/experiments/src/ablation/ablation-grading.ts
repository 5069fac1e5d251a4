import type { PluginChoice, PluginRegistry, PluginUse, PriceTable, Problem, RunLookup, RunRecord } from '@confide/core';
import { withEvaluatorGrades } from '../regrade/grade-records.js';
import { createLentEvaluator } from '../regrade/lent-evaluator.js';
import type { AblationExperiment } from './ablation-experiment.js';

/** The evaluator an ablation re-grades every named run with: its `evaluator`, core/math for `grades: "math"`, else none (the recorded verdicts). */
export function ablationEvaluator(experiment: AblationExperiment): PluginChoice | null {
  if (experiment.evaluator !== undefined) return experiment.evaluator;
  return experiment.grades === 'math' ? { id: 'core/math', options: {} } : null;
}

/** The experiment with the command's `--grades` in place of its own grading (`recorded`: no evaluator; `math`: core/math). */
export function withGrades(experiment: AblationExperiment, grades: 'recorded' | 'math' | undefined): AblationExperiment {
  if (grades === undefined) return experiment;
  const { evaluator: _evaluator, clients: _clients, ...rest } = experiment;
  return { ...rest, grades, clients: {} };
}

/** Who graded recorded verdicts, as the records say (the grade's reason, else its evaluator), for the report's note. */
function recordedGraders(records: readonly RunRecord[]): string {
  return [...new Set(records.map((record) => record.grade.reason ?? record.grade.evaluator))].sort().join('; ');
}

/** How the report states the grades it reads: the recorded verdicts (and who gave them), or the evaluator that re-graded them. */
export function gradesNote(experiment: AblationExperiment, records: readonly RunRecord[]): string {
  const evaluator = ablationEvaluator(experiment);
  return evaluator === null ? `recorded: the verdicts the runs carry (${recordedGraders(records)})` : `re-graded by the ${evaluator.id} evaluator`;
}

export interface AblationRegraderOptions {
  registry: PluginRegistry;
  prices: PriceTable;
  runs?: RunLookup;
  /** The dataset's problems: a verifier reads each question. */
  problems: readonly Problem[];
  budgetUsd?: number | undefined;
  /** SQLite response cache for lent clients (null: none). */
  cachePath: string | null;
}

/** Records graded at once (a verifier's calls overlap; core/math's verdicts do not depend on it). */
const CONCURRENCY = 8;

/**
 * Re-grades records' extracted answers (as `grades: "math"` always has: core/math then gives the verdicts of
 * reports/regrade-math500) with the experiment's evaluator, lent the experiment's `clients` through the scheduler,
 * the response cache and the budget. One evaluator for every run; the executor closes it.
 */
export function ablationRegrader(experiment: AblationExperiment, choice: PluginChoice, options: AblationRegraderOptions) {
  const lent = createLentEvaluator({
    registry: options.registry,
    evaluator: choice,
    clients: experiment.clients,
    prices: options.prices,
    ...(options.runs ? { runs: options.runs } : {}),
    budgetUsd: options.budgetUsd,
    cachePath: options.cachePath,
  });
  const questions = new Map(options.problems.map((problem) => [problem.id, problem.problem]));
  const regrade = (records: readonly RunRecord[]): Promise<RunRecord[]> => withEvaluatorGrades(records, lent.evaluator, { reads: 'answer', questions, concurrency: CONCURRENCY });
  const use: PluginUse = lent.use;
  return { regrade, use, spentUsd: () => lent.runClients.budget.spentUsd, close: () => lent.close() };
}
