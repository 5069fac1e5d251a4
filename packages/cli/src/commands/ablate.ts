import { join, resolve } from 'node:path';
import { PRICE_TABLES, type PluginRegistry, type RunRecord } from '@confide/core';
import { loadBundledRun, loadDataset, workspaceRoot } from '@confide/data';
import {
  computeAblationResults,
  computePaperResults,
  loadAblationExperiment,
  loadPaperExperiment,
  writeAblationReport,
  type PaperPoint,
} from '@confide/reports';
import { Option, type Command } from 'commander';
import { createPluginRegistry } from '../plugin-registry.js';

/** Delegation I and II of the paper experiment, with the paper's own cost accounting. */
async function paperPoints(name: string): Promise<PaperPoint[]> {
  const experiment = loadPaperExperiment(join(workspaceRoot(), 'experiments', name));
  const results = await computePaperResults({
    experiment,
    registry: createPluginRegistry(),
    problems: loadDataset(experiment.dataset),
    loadRun: (runId) => loadBundledRun(runId),
  });
  return experiment.table2.map((id) => {
    const delegation = results.delegations.find((candidate) => candidate.id === id)!;
    const delegated = delegation.handOff.find((row) => row.side === 'large')?.problems ?? 0;
    return {
      label: `${delegation.label} (paper)`,
      accuracy: delegation.accuracy.correct / delegation.accuracy.total,
      costUsd: delegation.costUsd,
      delegationRate: delegated / delegation.accuracy.total,
      accounting: 'answering models only (the paper)',
    };
  });
}

/** Re-grades records' extracted answers with the core/math evaluator (the same verdicts as reports/regrade-math500). */
function mathRegrader(registry: PluginRegistry, priceTable: string) {
  return async (records: readonly RunRecord[]): Promise<RunRecord[]> => {
    const evaluator = registry.create('evaluator', 'core/math', {}, { priceTable: PRICE_TABLES[priceTable]! }).instance;
    try {
      const regraded: RunRecord[] = [];
      for (const record of records) {
        const grade = await evaluator.grade({ gold: record.gold ?? '', response: record.generation.answer ?? '', extracted: true });
        regraded.push({ ...record, grade: { correct: grade.correct, evaluator: grade.evaluator, ...(grade.reason ? { reason: grade.reason } : {}) } });
      }
      return regraded;
    } finally {
      await evaluator.close();
    }
  };
}

export function registerAblateCommand(program: Command): void {
  program
    .command('ablate')
    .description('sweep routers (thresholds, baselines, agreement, cascades) on recorded runs, with intervals and tests')
    .option('--experiment <folder>', 'experiment folder with experiment.json (default: experiments/ablation-math500)')
    .option('--out <folder>', 'report folder (default: reports/<experiment name>)')
    .addOption(new Option('--grades <grades>', 'override the experiment\'s grades').choices(['recorded', 'math']))
    .action(async (options: { experiment?: string; out?: string; grades?: 'recorded' | 'math' }) => {
      const started = performance.now();
      const loaded = loadAblationExperiment(resolve(options.experiment ?? join(workspaceRoot(), 'experiments', 'ablation-math500')));
      const experiment = options.grades ? { ...loaded, grades: options.grades } : loaded;
      // Another grading than the experiment's own goes to its own folder, so the committed report is not overwritten.
      const suffix = experiment.grades === loaded.grades ? '' : `-${experiment.grades}-grades`;
      const outputFolder = resolve(options.out ?? join(workspaceRoot(), 'reports', `${experiment.name}${suffix}`));
      console.error(`ablate: ${experiment.name}: ${experiment.routers.length} routers, ${experiment.cascades.length} cascades, ${experiment.bootstrap.resamples} bootstrap resamples`);
      const registry = createPluginRegistry();
      const results = await computeAblationResults({
        experiment,
        registry,
        regrade: mathRegrader(registry, experiment.priceTable),
        problems: loadDataset(experiment.dataset),
        loadRun: (runId) => loadBundledRun(runId),
        ...(experiment.paperExperiment ? { paperPoints: await paperPoints(experiment.paperExperiment) } : {}),
      });
      const written = await writeAblationReport(results, outputFolder);
      console.error(`ablate: wrote ${written.length} files to ${outputFolder} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      for (const curve of results.curves) {
        console.log(
          `${curve.label.padEnd(60)} acc ${(curve.reported.accuracy * 100).toFixed(1).padStart(5)}%  cost $${curve.reported.costUsd.toFixed(4)}  delegated ${(curve.reported.delegationRate * 100).toFixed(1)}%${curve.aiq === null ? '' : `  AIQ ${(curve.aiq * 100).toFixed(2)}`}`,
        );
      }
    });
}
