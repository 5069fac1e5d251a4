import {
  InvalidConfigError,
  type PluginRegistry,
  type PriceTable,
  type Problem,
  type RouteDecision,
  type RunRecord,
} from '@confide/core';
import { checkReportOutFolder, loadProblems, resolvePriceTable, RunStore, writeReportFolder, type RunDirectory } from '@confide/data';
import {
  accuracy,
  calibrationAccuracy,
  paretoFrontier,
  tokenCorrectnessTable,
  tokenDistribution,
  totalCostUsd,
} from '@confide/metrics';
import { delegate, replaySource, type CostLedger, type LedgerTotals } from '@confide/routing';
import { writePaperReport, type DelegationResultSummary, type HandOffRow, type PaperResults, type RunSummary } from '@confide/reports';
import type { LoadedExperiment } from '../experiment.js';
import type { ExperimentOutcome } from '../outcome.js';
import { experimentFileLabel } from '../run-folder/experiment-file.js';
import { ReportInputs, summaryProvenance } from '../run-folder/provenance.js';
import type { DelegationConfig, PaperExperiment } from './paper-experiment.js';

export interface PaperInputs {
  experiment: PaperExperiment;
  /** The experiment file (hashed into summary.json). */
  experimentFile: string;
  registry: PluginRegistry;
  /** The experiment's price table, resolved (a bundled id or a file). */
  prices: PriceTable;
  problems: readonly Problem[];
  /** The dataset as its loader names it (a bundled name, a pinned file or hf:// reference), for the provenance. */
  datasetReference?: string;
  /** A run by reference (bundled id or path): the run store of the command, relative to the experiment's folder. */
  loadRun: (reference: string) => RunDirectory;
  /** What the runs were read from, hashed into summary.json (absent: no run file is listed). */
  read?: ReportInputs;
  /** Stops the delegations' engine runs (an ablation's Ctrl-C, or its failure elsewhere). */
  signal?: AbortSignal;
}

function handOffRows(records: readonly RunRecord[], ledger: CostLedger): HandOffRow[] {
  const rows: HandOffRow[] = [];
  for (const side of ['small', 'large'] as const) {
    const chosen = records.filter((record) => record.route?.target === side);
    const ids = new Set(chosen.map((record) => record.problemId));
    const models = [...new Set(chosen.map((record) => record.generation.model))].sort();
    const summary = accuracy(chosen);
    rows.push({
      side,
      model: models.join(', ') || '-',
      problems: chosen.length,
      correct: summary.correct,
      accuracy: chosen.length === 0 ? null : summary.percent,
      costUsd: ledger.totals((entry) => entry.role === 'answer' && ids.has(entry.problemId)).costUsd,
    });
  }
  const router: LedgerTotals = ledger.totals((entry) => entry.role === 'router');
  if (router.calls > 0) {
    const models = [...new Set(ledger.entries.filter((entry) => entry.role === 'router').map((entry) => entry.model))];
    rows.push({ side: 'router', model: models.join(', '), problems: router.calls, correct: null, accuracy: null, costUsd: router.costUsd });
  }
  return rows;
}

/** Line endings differ between upstream files (the fine-tuned SLM's CSV has LF, the delegated run's JSON CRLF). */
function sameText(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

async function runDelegation(inputs: PaperInputs, config: DelegationConfig): Promise<DelegationResultSummary> {
  const prices = inputs.prices;
  const created = inputs.registry.create('router', config.router.id, config.router.options, { priceTable: prices });
  const smallRun = inputs.loadRun(config.small.run);
  const largeRun = inputs.loadRun(config.large.run);
  let recordedRoutes: Map<string, RouteDecision> | undefined;
  if (config.recordedRoutes) {
    recordedRoutes = new Map();
    for (const record of inputs.loadRun(config.recordedRoutes).records) {
      if (record.route) recordedRoutes.set(record.problemId, record.route);
    }
  }
  const { records, ledger } = await delegate({
    runId: config.id,
    problems: inputs.problems,
    router: created.instance,
    small: replaySource(config.small.run, smallRun.records, config.small.model),
    large: replaySource(config.large.run, largeRun.records, config.large.model),
    prices,
    ...(recordedRoutes ? { recordedRoutes } : {}),
    ...(inputs.signal ? { signal: inputs.signal } : {}),
  });
  let mismatches: number | null = null;
  if (config.checkAgainst) {
    const recorded = new Map(inputs.loadRun(config.checkAgainst).records.map((record) => [record.problemId, record]));
    mismatches = records.filter((record) => {
      const other = recorded.get(record.problemId);
      return (
        other === undefined ||
        other.route?.target !== record.route?.target ||
        other.grade.correct !== record.grade.correct ||
        other.generation.answer !== record.generation.answer ||
        sameText(other.generation.text) !== sameText(record.generation.text)
      );
    }).length;
  }
  return {
    id: config.id,
    label: config.label,
    router: created.use,
    accuracy: accuracy(records),
    costUsd: ledger.totals((entry) => entry.role === 'answer').costUsd,
    costWithRouterUsd: ledger.totals((entry) => entry.role !== 'superseded').costUsd,
    costAllCallsUsd: ledger.totals().costUsd,
    handOff: handOffRows(records, ledger),
    mismatchesWithRecordedRun: mismatches,
    records,
  };
}

/**
 * The named delegations of a paper experiment alone (an ablation's Delegation I and II points): each through the
 * routing engine as `computePaperResults` runs it, reading only the runs they name.
 */
export async function computePaperDelegations(inputs: PaperInputs, ids: readonly string[]): Promise<DelegationResultSummary[]> {
  const summaries: DelegationResultSummary[] = [];
  for (const id of ids) {
    const config = inputs.experiment.delegations.find((candidate) => candidate.id === id);
    if (config === undefined) throw new InvalidConfigError(`"${id}" is not among the experiment's delegations`);
    summaries.push(await runDelegation(inputs, config));
  }
  return summaries;
}

/**
 * Everything the paper report shows, computed from the bundled recorded runs: single-model runs as recorded,
 * delegations through the routing engine with their router plugins, and the fine-tuned SLM's confidence metrics.
 */
export async function computePaperResults(inputs: PaperInputs): Promise<PaperResults> {
  const { experiment } = inputs;
  const prices = inputs.prices;
  const runs: RunSummary[] = experiment.runs.map((run) => {
    const records = inputs.loadRun(run.id).records;
    return {
      id: run.id,
      label: run.label,
      kind: run.kind,
      accuracy: accuracy(records),
      costUsd: totalCostUsd(records.map((record) => record.generation), prices),
      records,
    };
  });
  const delegations: DelegationResultSummary[] = [];
  for (const config of experiment.delegations) delegations.push(await runDelegation(inputs, config));

  const delegationIds = new Set(delegations.map((delegation) => delegation.id));
  const runIds = new Set(runs.map((run) => run.id));
  for (const row of experiment.table1) {
    const [kind, id] = row.source.split(':') as ['run' | 'delegation', string];
    if (!(kind === 'run' ? runIds : delegationIds).has(id)) {
      throw new InvalidConfigError(`table1 row "${row.label}": ${row.source} is not among the experiment's ${kind}s`);
    }
  }
  for (const id of experiment.table2) {
    if (!delegationIds.has(id)) throw new InvalidConfigError(`table2: "${id}" is not among the experiment's delegations`);
  }

  const finetunedRecords = inputs.loadRun(experiment.finetuned.run).records;
  const charted = [
    ...runs.map((run) => ({ id: run.id, cost: run.costUsd, accuracy: run.accuracy.percent })),
    ...delegations
      .filter((delegation) => experiment.delegations.find((config) => config.id === delegation.id)?.chart !== false)
      .map((delegation) => ({ id: delegation.id, cost: delegation.costUsd, accuracy: delegation.accuracy.percent })),
  ];
  return {
    experiment,
    priceTable: { id: prices.id, version: prices.version },
    provenance: summaryProvenance(
      { path: inputs.experimentFile, label: experimentFileLabel(inputs.experimentFile) },
      delegations.map((delegation) => delegation.router),
      {
        ...(inputs.read ? { read: inputs.read } : {}),
        prices,
        dataset: { reference: inputs.datasetReference ?? (typeof experiment.dataset === 'string' ? experiment.dataset : experiment.dataset.file), problems: inputs.problems },
      },
    ),
    runs,
    delegations,
    finetuned: {
      run: experiment.finetuned.run,
      accuracy: accuracy(finetunedRecords),
      calibration: calibrationAccuracy(finetunedRecords, 'miscalibrated'),
      tokens: tokenDistribution(finetunedRecords),
      tokenCorrectness: tokenCorrectnessTable(finetunedRecords),
    },
    frontier: paretoFrontier(charted).map((point) => point.id),
  };
}

export interface PaperRunOptions {
  loaded: LoadedExperiment<'paper'>;
  registry: PluginRegistry;
  /** The command's run store; runs the experiment names by path resolve against its folder. */
  runs?: RunStore;
  outFolder: string;
}

/** The paper executor: compute every table from the runs the experiment names, then lay out the report in `outFolder`. */
export async function runPaperExperiment(options: PaperRunOptions): Promise<ExperimentOutcome<{ results: PaperResults }>> {
  checkReportOutFolder(options.outFolder, 'paper');
  const { experiment, folder, file } = options.loaded;
  const runs = (options.runs ?? new RunStore()).relativeTo(folder);
  const { problems, reference } = await loadProblems(experiment.dataset, { baseFolder: folder });
  const prices = resolvePriceTable(experiment.priceTable, folder);
  const read = new ReportInputs(runs);
  const results = await computePaperResults({
    experiment,
    experimentFile: file,
    registry: options.registry,
    prices,
    problems,
    datasetReference: reference,
    loadRun: (runReference) => read.loadRun(runReference),
    read,
  });
  const files = await writeReportFolder(options.outFolder, 'paper', (staging) => writePaperReport(results, staging));
  return { status: 'complete', files, results };
}
