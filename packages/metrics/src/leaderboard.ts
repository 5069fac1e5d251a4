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
