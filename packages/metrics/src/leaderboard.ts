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

/**
 * The pair oracle's mean score: per problem the better of the two graded scores (binary scores: right wherever either
 * model is; it delegates exactly the `onlyLargeRight` problems).
 */
export function oracleAccuracy(smallScore: ArrayLike<number>, largeScore: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < smallScore.length; index++) sum += Math.max(smallScore[index]!, largeScore[index]!);
  return smallScore.length === 0 ? 0 : sum / smallScore.length;
}

/** The share of the oracle's headroom over the small model that a router's accuracy captures: (a − small) / (oracle − small). */
export function headroomCaptured(accuracy: number, smallAccuracy: number, oracle: number): number | null {
  return oracle === smallAccuracy ? null : (accuracy - smallAccuracy) / (oracle - smallAccuracy);
}

/** RouterArena's defaults for the arena score: β, and the clamp of the cost per 1,000 queries (dollars), c_max and c_min. */
export const ARENA_SCORE_DEFAULTS = { beta: 0.1, costMax: 200, costMin: 0.0044 } as const;

/**
 * RouterArena's arena score (RouteWorks/RouterArena, `llm_evaluation/run.py`, `compute_arena_score`): the cost per
 * 1,000 queries c, clamped to [c_min, c_max], normalised on a log scale C = (log₂ c_max − log₂ c) / (log₂ c_max −
 * log₂ c_min), and combined with the accuracy A as S = (1 + β)·A·C / (β·A + C), with β = 0.1, c_max = 200 and
 * c_min = 0.0044 dollars by default.
 */
export function arenaScore(costPer1000Usd: number, accuracy: number, options: { beta?: number; costMax?: number; costMin?: number } = {}): number {
  const beta = options.beta ?? ARENA_SCORE_DEFAULTS.beta;
  const costMax = options.costMax ?? ARENA_SCORE_DEFAULTS.costMax;
  const costMin = options.costMin ?? ARENA_SCORE_DEFAULTS.costMin;
  const cost = Math.max(costMin, Math.min(costPer1000Usd, costMax));
  const normalised = (Math.log2(costMax) - Math.log2(cost)) / (Math.log2(costMax) - Math.log2(costMin));
  return ((1 + beta) * accuracy * normalised) / (beta * accuracy + normalised);
}

/** RouterArena's optimality figures of one router (see `routerArenaOptimalityOverModels`). */
export interface RouterArenaOptimality {
  optimalSelection: number;
  optimalCost: number;
  optimalAccuracy: number;
  problems: number;
}

/**
 * RouterArena's optimality figures (the same file, `compute_optimality_from_predictions` and
 * `_calculate_optimality_metrics`), over K models with graded scores: on each problem the optimal choice is the
 * cheapest model with the highest score (of equal scores and costs, the first model), and none when every model
 * scores 0. Over the problems where an optimal choice exists and the router's choice scored above 0, Opt.Sel is the
 * share where the router chose the optimal model, Opt.Cost the optimal cost summed over the router's cost summed,
 * Opt.Acc the router's score summed over the optimal's. With binary scores "scored above 0" is "was right" and Opt.Acc
 * is 1.
 *
 * `scores[m]` and `choiceCosts[m]` are per-problem columns for model m; `choiceCosts[m][i]` is what choosing model m
 * pays on problem i (for a router deciding before generation, m's call; for a post-hoc one, every call it makes).
 * `choices[i]` is the router's model index.
 */
export function routerArenaOptimalityOverModels(
  scores: readonly ArrayLike<number>[],
  choiceCosts: readonly ArrayLike<number>[],
  choices: ArrayLike<number>,
): RouterArenaOptimality {
  const modelCount = scores.length;
  let problems = 0;
  let selections = 0;
  let optimalCostSum = 0;
  let routerCostSum = 0;
  let optimalScoreSum = 0;
  let routerScoreSum = 0;
  for (let index = 0; index < choices.length; index++) {
    let optimal = 0;
    for (let model = 1; model < modelCount; model++) {
      const score = scores[model]![index]!;
      const best = scores[optimal]![index]!;
      if (score > best || (score === best && choiceCosts[model]![index]! < choiceCosts[optimal]![index]!)) optimal = model;
    }
    const choice = choices[index]!;
    const routerScore = scores[choice]![index]!;
    const optimalScore = scores[optimal]![index]!;
    if (optimalScore <= 0 || routerScore <= 0) continue;
    problems++;
    if (choice === optimal) selections++;
    optimalCostSum += choiceCosts[optimal]![index]!;
    routerCostSum += choiceCosts[choice]![index]!;
    optimalScoreSum += optimalScore;
    routerScoreSum += routerScore;
  }
  return {
    optimalSelection: problems === 0 ? 0 : selections / problems,
    optimalCost: routerCostSum === 0 ? 0 : optimalCostSum / routerCostSum,
    optimalAccuracy: problems === 0 ? 0 : routerScoreSum / optimalScoreSum,
    problems,
  };
}

/**
 * RouterArena's optimality figures for a small/large pair (`routerArenaOptimalityOverModels` with K = 2): the optimal
 * choice is the one with the higher graded score, the small model on ties (it is the cheaper choice; with binary
 * scores: the small model when it is right, else the large one when it is). Costs are what each choice pays here: the
 * small call always (a post-hoc router reads its answer), the large call too when delegated.
 */
export function routerArenaOptimality(
  smallScore: ArrayLike<number>,
  largeScore: ArrayLike<number>,
  smallCost: ArrayLike<number>,
  largeCost: ArrayLike<number>,
  delegated: ArrayLike<number>,
): RouterArenaOptimality {
  const delegatedCost = Float64Array.from({ length: smallCost.length }, (_, index) => smallCost[index]! + largeCost[index]!);
  const choices = Uint8Array.from({ length: delegated.length }, (_, index) => (delegated[index] === 1 ? 1 : 0));
  return routerArenaOptimalityOverModels([smallScore, largeScore], [smallCost, delegatedCost], choices);
}

/** The oracle's headroom over the best single model: how much mean score a perfect choice among the models adds. */
export function oracleHeadroom(oracleScore: number, bestSingleScore: number): number {
  return oracleScore - bestSingleScore;
}
