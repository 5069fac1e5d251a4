/**
 * Leaderboard figures of a router on a small/large pair, from per-problem outcomes: where the two models agree, what
 * the router delegates in each zone, and how much of the oracle's headroom it captures.
 */

/** The four agreement zones of a pair of models. */
export interface AgreementZones<Count = number> {
  bothRight: Count;
  onlySmallRight: Count;
  onlyLargeRight: Count;
  bothWrong: Count;
}

/** How many problems fall in each zone. */
export function agreementZones(smallCorrect: ArrayLike<number>, largeCorrect: ArrayLike<number>): AgreementZones {
  const zones: AgreementZones = { bothRight: 0, onlySmallRight: 0, onlyLargeRight: 0, bothWrong: 0 };
  for (let index = 0; index < smallCorrect.length; index++) zones[zoneOf(smallCorrect[index]!, largeCorrect[index]!)]++;
  return zones;
}

function zoneOf(small: number, large: number): keyof AgreementZones {
  if (small === 1) return large === 1 ? 'bothRight' : 'onlySmallRight';
  return large === 1 ? 'onlyLargeRight' : 'bothWrong';
}

/**
 * What a router delegated in each zone: only `onlyLargeRight` delegations gain accuracy, `onlySmallRight` ones lose it,
 * and the other two only cost.
 */
export function delegationsByZone(smallCorrect: ArrayLike<number>, largeCorrect: ArrayLike<number>, delegated: ArrayLike<number>): AgreementZones {
  const zones: AgreementZones = { bothRight: 0, onlySmallRight: 0, onlyLargeRight: 0, bothWrong: 0 };
  for (let index = 0; index < smallCorrect.length; index++) if (delegated[index] === 1) zones[zoneOf(smallCorrect[index]!, largeCorrect[index]!)]++;
  return zones;
}

/** The oracle's accuracy: right wherever either model is (it delegates exactly the `onlyLargeRight` problems). */
export function oracleAccuracy(smallCorrect: ArrayLike<number>, largeCorrect: ArrayLike<number>): number {
  let right = 0;
  for (let index = 0; index < smallCorrect.length; index++) right += smallCorrect[index] === 1 || largeCorrect[index] === 1 ? 1 : 0;
  return smallCorrect.length === 0 ? 0 : right / smallCorrect.length;
}

/** The share of the oracle's headroom over the small model that a router's accuracy captures: (a − small) / (oracle − small). */
export function headroomCaptured(accuracy: number, smallAccuracy: number, oracle: number): number | null {
  return oracle === smallAccuracy ? null : (accuracy - smallAccuracy) / (oracle - smallAccuracy);
}

/**
 * RouterArena's arena score (RouteWorks/RouterArena, `llm_evaluation/run.py`, `compute_arena_score`): the cost per
 * 1,000 queries c, clamped to [c_min, c_max], normalised on a log scale C = (log₂ c_max − log₂ c) / (log₂ c_max −
 * log₂ c_min), and combined with the accuracy A as S = (1 + β)·A·C / (β·A + C), with β = 0.1, c_max = 200 and
 * c_min = 0.0044 dollars by default.
 */
export function arenaScore(costPer1000Usd: number, accuracy: number, options: { beta?: number; costMax?: number; costMin?: number } = {}): number {
  const beta = options.beta ?? 0.1;
  const costMax = options.costMax ?? 200;
  const costMin = options.costMin ?? 0.0044;
  const cost = Math.max(costMin, Math.min(costPer1000Usd, costMax));
  const normalised = (Math.log2(costMax) - Math.log2(cost)) / (Math.log2(costMax) - Math.log2(costMin));
  return ((1 + beta) * accuracy * normalised) / (beta * accuracy + normalised);
}

/**
 * RouterArena's optimality figures (the same file, `compute_optimality_from_predictions` and
 * `_calculate_optimality_metrics`), for a small/large pair: on each problem the optimal choice is the cheapest right
 * one (the small model when it is right, else the large one when it is); over the problems where such a choice
 * exists and the router's choice was right, Opt.Sel is the share where the router made the optimal choice, Opt.Cost
 * the optimal cost summed over the router's cost summed, Opt.Acc the router's accuracy summed over the optimal's.
 * Costs are what each choice pays here: the small call always (a post-hoc router reads its answer), the large call too
 * when delegated.
 */
export function routerArenaOptimality(
  smallCorrect: ArrayLike<number>,
  largeCorrect: ArrayLike<number>,
  smallCost: ArrayLike<number>,
  largeCost: ArrayLike<number>,
  delegated: ArrayLike<number>,
): { optimalSelection: number; optimalCost: number; optimalAccuracy: number; problems: number } {
  let problems = 0;
  let selections = 0;
  let optimalCostSum = 0;
  let routerCostSum = 0;
  for (let index = 0; index < smallCorrect.length; index++) {
    const optimal = smallCorrect[index] === 1 ? 'small' : largeCorrect[index] === 1 ? 'large' : null;
    const choice = delegated[index] === 1 ? 'large' : 'small';
    const right = choice === 'small' ? smallCorrect[index] === 1 : largeCorrect[index] === 1;
    if (optimal === null || !right) continue;
    problems++;
    if (choice === optimal) selections++;
    const costOf = (model: 'small' | 'large') => smallCost[index]! + (model === 'large' ? largeCost[index]! : 0);
    optimalCostSum += costOf(optimal);
    routerCostSum += costOf(choice);
  }
  return {
    optimalSelection: problems === 0 ? 0 : selections / problems,
    optimalCost: routerCostSum === 0 ? 0 : optimalCostSum / routerCostSum,
    // both the router's and the optimal choice are right on every problem counted
    optimalAccuracy: problems === 0 ? 0 : 1,
    problems,
  };
}
