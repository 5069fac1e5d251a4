import type { PriceTable, RunRecord } from '@confide/core';
import type { RunDirectory } from '@confide/data';
import { explorationLog, offPolicyRouters, type OffPolicyResults, type OutcomeTable, type RouterCurve } from '@confide/routing';
import type { AblationExperiment } from './ablation-experiment.js';

/**
 * The ablation's off-policy step (`offPolicy`): the exploration log and its small side run (`<log>/small`, the answers
 * its router read) read by reference, re-graded as the ablation grades its runs, and the named routers estimated from
 * it at their reported points. Null without `offPolicy`.
 */
export async function ablationOffPolicy(
  experiment: AblationExperiment,
  table: OutcomeTable,
  curves: readonly RouterCurve[],
  inputs: {
    loadRun: (reference: string) => RunDirectory;
    loadRunCooperatively?: ((reference: string) => Promise<RunDirectory>) | undefined;
    prices: PriceTable;
    regrade?: ((records: readonly RunRecord[]) => Promise<RunRecord[]>) | undefined;
  },
): Promise<OffPolicyResults | null> {
  const entry = experiment.offPolicy;
  if (entry === undefined) return null;
  // read here rather than up front with the named runs (a router's bad config still fails first), with turns of the
  // event loop (progress, Ctrl-C) where the caller gives them
  const loadRun = inputs.loadRunCooperatively ?? inputs.loadRun;
  const logged = (await loadRun(entry.log)).records;
  const records = inputs.regrade ? await inputs.regrade(logged) : logged;
  const small = (await loadRun(`${entry.log.replace(/\/+$/, '')}/small`)).records;
  const log = explorationLog(entry.log, table, records, small, inputs.prices);
  return offPolicyRouters(table, curves, log, entry, experiment.bootstrap);
}
