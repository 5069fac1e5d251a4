import { agreementZones, arenaScore, delegationsByZone, headroomCaptured, oracleAccuracy, routerArenaOptimality, type AgreementZones } from '@confide/metrics';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import type { RouterCurve } from './router-curves.js';

export interface PairLeaderboard {
  /** The pair's agreement zones (binary verdicts), and the oracle's mean score (per problem, the better of the two). */
  zones: AgreementZones;
  oracleAccuracy: number;
  routers: Array<{
    id: string;
    label: string;
    accuracy: number;
    costUsd: number;
    /** (score − small) / (oracle − small); null when the oracle gains nothing. */
    headroomCaptured: number | null;
    /** RouterArena's arena score (β = 0.1) from the mean score and the cost per 1,000 problems. */
    arenaScore: number;
    /** RouterArena's Opt.Sel, Opt.Cost, Opt.Acc (null for a cascade). */
    optimality: { optimalSelection: number; optimalCost: number; optimalAccuracy: number; problems: number } | null;
    /** What the router delegated in each zone at its reported point (null for a cascade: its escalations are not the pair's). */
    delegatedByZone: AgreementZones | null;
  }>;
}

/** Every router at its reported point against the pair's oracle: headroom captured, arena score, Opt.*, delegations by zone. */
export function pairLeaderboard(table: OutcomeTable, curves: readonly RouterCurve[]): PairLeaderboard {
  const n = table.problemIds.length;
  const smallScore = table.smallScore.reduce((sum, score) => sum + score, 0) / n;
  const oracle = oracleAccuracy(table.smallScore, table.largeScore);
  return {
    zones: agreementZones(table.smallCorrect, table.largeCorrect),
    oracleAccuracy: oracle,
    routers: curves.map((curve) => ({
      id: curve.id,
      label: curve.label,
      accuracy: curve.reported.accuracy,
      costUsd: curve.reported.costUsd,
      headroomCaptured: headroomCaptured(curve.reported.accuracy, smallScore, oracle),
      arenaScore: arenaScore((curve.reported.costUsd / n) * 1000, curve.reported.accuracy),
      optimality: curve.router.id === 'cascade' ? null : routerArenaOptimality(table.smallScore, table.largeScore, table.smallCost, table.largeCost, curve.reportedOutcomes.delegated),
      delegatedByZone: curve.router.id === 'cascade' ? null : delegationsByZone(table.smallCorrect, table.largeCorrect, curve.reportedOutcomes.delegated),
    })),
  };
}
