import type { Problem } from '../schemas/problem.js';
import type { RouteDecision } from '../schemas/route-decision.js';
import type { RunRecord } from '../schemas/run-record.js';
import type { RouterCapabilities } from './plugin.js';

/**
 * The router interface of plugin specification v1, kept so that a router written for it still compiles and registers:
 * the registry adapts it to v2 when it creates it (`adaptV1Router`). v1 routers choose within a pair only.
 */
export const PLUGIN_SPECIFICATION_VERSION_V1 = 'v1';

export interface RouteInputV1 {
  problem: Problem;
  /** The small model's record for this problem; absent for routers that decide before the small model runs. */
  small?: RunRecord;
  /** The decision a recorded run took for this problem, for routers that replay one. */
  recordedRoute?: RouteDecision;
  /** The large model's record, for routers that declare `needsLargeAnswer` (the oracle baseline). */
  large?: RunRecord;
  /** Records of the other models a router declares in `peers`, by peer name (e.g. agreement between two SLMs). */
  peers?: Readonly<Record<string, RunRecord>>;
}

/** v1's capabilities: which of the pair's answers `decide` reads, and the sweep hooks v2 kept as they were. */
export interface RouterCapabilitiesV1 extends Pick<RouterCapabilities, 'sweepableScore' | 'ownScore' | 'fittedOptions'> {
  /** Whether `decide` reads the small model's answer (post-hoc routing) or decides from the problem alone. */
  readonly needsSmallAnswer: boolean;
  /** Whether `decide` peeks at the large model's answer (only the oracle baseline; not a deployable router). */
  readonly needsLargeAnswer?: boolean;
  /** Names of other models whose answers `decide` reads; the engine calls and bills them. */
  readonly peers?: readonly string[];
}

export interface RouterV1 {
  readonly specificationVersion: typeof PLUGIN_SPECIFICATION_VERSION_V1;
  readonly capabilities: RouterCapabilitiesV1;
  /** `target` is `small` (keep the small answer) or `large` (delegate). */
  decide(input: RouteInputV1): Promise<RouteDecision>;
}
