import { gradeScore, type RunRecord } from '@confide/core';
import type { CostLedger } from '../cost-ledger.js';
import type { OperatingPoint } from './threshold-sweep.js';

/** The operating point of a delegated run produced by the engine: the mean graded score, cost = every paid call on its ledger. */
export function operatingPoint(records: readonly RunRecord[], ledger: CostLedger, parameter: number | null = null): OperatingPoint {
  const delegated = records.filter((record) => record.route?.target === 'large').length;
  const score = records.reduce((sum, record) => sum + gradeScore(record.grade), 0);
  return {
    parameter,
    accuracy: records.length === 0 ? 0 : score / records.length,
    costUsd: ledger.totals().costUsd,
    delegationRate: records.length === 0 ? 0 : delegated / records.length,
    llmCalls: delegated,
  };
}
