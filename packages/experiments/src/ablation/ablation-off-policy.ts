import type { PriceTable, RunRecord } from '@confide/core';
import type { RunDirectory } from '@confide/data';
import { explorationLog, offPolicyRouters, type ExplorationLog, type OffPolicyResults, type OutcomeTable, type RouterCurve } from '@confide/routing';
import type { AblationExperiment } from './ablation-experiment.js';

/** What the off-policy step reads runs with: by reference, with turns of the event loop where given, re-graded where the ablation re-grades. */
interface OffPolicyReading {
  loadRun: (reference: string) => RunDirectory;
  loadRunCooperatively?: ((reference: string) => Promise<RunDirectory>) | undefined;
  prices: PriceTable;
  regrade?: ((records: readonly RunRecord[]) => Promise<RunRecord[]>) | undefined;
}

/**
 * The ablation's exploration log (`offPolicy.log`) and its small side run (`<log>/small`, the answers its router read),
 * read by reference and re-graded as the ablation grades its runs, on the pair's table. Null without `offPolicy`. It
 * depends on no router: the ablation reads it while a learned router's fit runs.
 */
export async function ablationExplorationLog(experiment: AblationExperiment, table: OutcomeTable, inputs: OffPolicyReading): Promise<ExplorationLog | null> {
  const entry = experiment.offPolicy;
  if (entry === undefined) return null;
  const loadRun = inputs.loadRunCooperatively ?? inputs.loadRun;
  const logged = (await loadRun(entry.log)).records;
  const records = inputs.regrade ? await inputs.regrade(logged) : logged;
  const small = (await loadRun(`${entry.log.replace(/\/+$/, '')}/small`)).records;
  return explorationLog(entry.log, table, records, small, inputs.prices);
}

/**
 * The ablation's off-policy step (`offPolicy`): the named routers estimated from the exploration log
 * (`ablationExplorationLog`) at their reported points. Null without `offPolicy`.
 */
export function ablationOffPolicy(experiment: AblationExperiment, table: OutcomeTable, curves: readonly RouterCurve[], log: ExplorationLog | null): OffPolicyResults | null {
  const entry = experiment.offPolicy;
  if (entry === undefined || log === null) return null;
  return offPolicyRouters(table, curves, log, entry, experiment.bootstrap);
}
