import { FAILED_REASON_PREFIX, isFailedRecord, type Evaluator, type PluginUse, type RunRecord } from '@confide/core';
import { accuracy, type AccuracySummary } from '@confide/metrics';
import type { CostLedger } from '@confide/routing';
import type { LiveExperiment } from './live-experiment.js';

export interface LiveRunSummary {
  name: string;
  title: string;
  evaluator: string;
  accuracy: AccuracySummary;
  /** The same answers graded by the other evaluators the config names. */
  otherEvaluators: Array<{ id: string } & AccuracySummary>;
  handOff: Array<{ side: 'small' | 'large'; model: string; problems: number; correct: number; costUsd: number }>;
  /** A run over listed models: what each label answered (absent for a pair, whose hand-off says it). */
  models?: Array<{ label: string; model: string; problems: number; correct: number; costUsd: number }>;
  router: { model: string; calls: number; costUsd: number } | null;
  /** The run's cost under each accounting of COST_ACCOUNTING (@confide/metrics), which names them in every output. */
  costUsd: {
    /** `answers`: answering calls, the answers used (the seed's accounting). */
    answers: number;
    /** `answersAndOrchestrator`: plus the router's own model calls. */
    withRouter: number;
    /** `allCalls`: every call made, small answers delegated away and the orchestrator included: the run's ledger. */
    allCalls: number;
  };
  /** What the budget counted; equals `costUsd.allCalls` for a run that finished. */
  spentUsd: number;
  failed: Array<{ problemId: string; reason: string }>;
  expected: { correct: { expected: number; actual: number; ok: boolean }; costUsd: { expected: string; actual: string; ok: boolean } } | null;
}

export async function summariseLiveRun(input: {
  experiment: LiveExperiment;
  records: readonly RunRecord[];
  ledger: CostLedger;
  otherGrades: ReadonlyArray<{ use: PluginUse; evaluator: Evaluator }>;
  spentUsd: number;
  /** The labels of a run over listed models, in order. */
  labels?: readonly string[];
}): Promise<LiveRunSummary> {
  const { experiment, records, ledger } = input;
  const handOff = (['small', 'large'] as const).map((side) => {
    const chosen = records.filter((record) => record.route?.target === side);
    const ids = new Set(chosen.map((record) => record.problemId));
    return {
      side,
      model: [...new Set(chosen.map((record) => record.generation.model))].sort().join(', ') || '-',
      problems: chosen.length,
      correct: chosen.filter((record) => record.grade.correct).length,
      costUsd: ledger.totals((entry) => entry.role === 'answer' && ids.has(entry.problemId)).costUsd,
    };
  });
  const models = input.labels?.map((label) => {
    const chosen = records.filter((record) => (record.route?.model ?? record.route?.target) === label);
    const ids = new Set(chosen.map((record) => record.problemId));
    return {
      label,
      model: [...new Set(chosen.map((record) => record.generation.model))].sort().join(', ') || '-',
      problems: chosen.length,
      correct: chosen.filter((record) => record.grade.correct).length,
      costUsd: ledger.totals((entry) => entry.role === 'answer' && ids.has(entry.problemId)).costUsd,
    };
  });
  const routerTotals = ledger.totals((entry) => entry.role === 'router');
  const routerModels = [...new Set(ledger.entries.filter((entry) => entry.role === 'router').map((entry) => entry.model))];
  const otherEvaluators: LiveRunSummary['otherEvaluators'] = [];
  for (const { use, evaluator } of input.otherGrades) {
    const regraded: RunRecord[] = [];
    for (const record of records) {
      const grade = isFailedRecord(record)
        ? { correct: false, evaluator: use.id }
        : await evaluator.grade({ gold: record.gold ?? '', response: record.generation.text });
      regraded.push({ ...record, grade: { correct: grade.correct, evaluator: grade.evaluator } });
    }
    otherEvaluators.push({ id: use.id, ...accuracy(regraded) });
  }
  const summary = accuracy(records);
  const answers = ledger.totals((entry) => entry.role === 'answer').costUsd;
  return {
    name: experiment.name,
    title: experiment.title,
    evaluator: experiment.evaluator.id,
    accuracy: summary,
    otherEvaluators,
    handOff,
    ...(models ? { models } : {}),
    router: routerTotals.calls > 0 ? { model: routerModels.join(', '), calls: routerTotals.calls, costUsd: routerTotals.costUsd } : null,
    costUsd: {
      answers,
      withRouter: ledger.totals((entry) => entry.role !== 'superseded').costUsd,
      allCalls: ledger.totals().costUsd,
    },
    spentUsd: input.spentUsd,
    failed: records.filter(isFailedRecord).map((record) => ({ problemId: record.problemId, reason: record.grade.reason!.slice(FAILED_REASON_PREFIX.length) })),
    expected: experiment.expect
      ? {
          correct: { expected: experiment.expect.correct, actual: summary.correct, ok: experiment.expect.correct === summary.correct },
          costUsd: { expected: experiment.expect.costUsd, actual: answers.toFixed(6), ok: experiment.expect.costUsd === answers.toFixed(6) },
        }
      : null,
  };
}
