import {
  ConfideError,
  RouteDecision,
  type PriceTable,
  type Problem,
  type Router,
  type RunRecord,
} from '@confide/core';
import { CostLedger } from './cost-ledger.js';
import type { GenerationSource } from './generation-source.js';

export interface DelegationInput {
  /** Id of the delegated run the records are written under. */
  runId: string;
  problems: readonly Problem[];
  router: Router;
  small: GenerationSource;
  large: GenerationSource;
  prices: PriceTable;
  /** Sources of the other models a router reads (`Router.peers`), by peer name. */
  peers?: Readonly<Record<string, GenerationSource>>;
  /** Recorded decisions by problem id, for routers that replay a recorded run's choices. */
  recordedRoutes?: ReadonlyMap<string, RouteDecision>;
  /** How many problems are in flight at once (live sources); 1 keeps replay deterministic and cheap. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface DelegationResult {
  records: RunRecord[];
  ledger: CostLedger;
}

export class RoutingError extends ConfideError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ROUTING_FAILED', message, options);
    this.name = 'RoutingError';
  }
}

async function peerRecords(
  input: DelegationInput,
  problem: Problem,
  ledger: CostLedger,
  options: { signal?: AbortSignal } | undefined,
): Promise<Record<string, RunRecord> | undefined> {
  const names = input.router.capabilities.peers ?? [];
  if (names.length === 0) return undefined;
  const records: Record<string, RunRecord> = {};
  for (const name of names) {
    const source = input.peers?.[name];
    if (source === undefined) throw new RoutingError(`the router reads peer "${name}" but the delegation names no source for it`);
    const record = await source.generationFor(problem, options);
    ledger.add(problem.id, 'peer', record.generation.model, record.generation.usage);
    records[name] = record;
  }
  return records;
}

/**
 * Routes and answers one problem, billing every call on `ledger`. Exported so that composed strategies (a cascade is
 * a delegation whose large side is another delegation) run through the same code.
 */
export async function delegateOne(input: DelegationInput, problem: Problem, ledger: CostLedger): Promise<RunRecord> {
  const options = input.signal ? { signal: input.signal } : undefined;
  const small = input.router.capabilities.needsSmallAnswer ? await input.small.generationFor(problem, options) : undefined;
  const large = input.router.capabilities.needsLargeAnswer ? await input.large.generationFor(problem, options) : undefined;
  const peers = await peerRecords(input, problem, ledger, options);
  const recordedRoute = input.recordedRoutes?.get(problem.id);
  const decision = RouteDecision.parse(
    await input.router.decide({
      problem,
      ...(small ? { small } : {}),
      ...(large ? { large } : {}),
      ...(peers ? { peers } : {}),
      ...(recordedRoute ? { recordedRoute } : {}),
    }),
  );
  if (decision.routerModel !== undefined && decision.routerUsage !== undefined) {
    ledger.add(problem.id, 'router', decision.routerModel, decision.routerUsage);
  }
  let answer: RunRecord;
  if (decision.target === 'small') {
    answer = small ?? (await input.small.generationFor(problem, options));
    if (large) ledger.add(problem.id, 'peek', large.generation.model, large.generation.usage);
  } else {
    if (small) ledger.add(problem.id, 'superseded', small.generation.model, small.generation.usage);
    answer = large ?? (await input.large.generationFor(problem, options));
  }
  ledger.add(problem.id, 'answer', answer.generation.model, answer.generation.usage);
  const { note: _note, ...rest } = answer;
  return { ...rest, runId: input.runId, route: decision };
}

/**
 * The delegation engine: for each problem, asks the router where it goes (after the small model answered, for
 * post-hoc routers), takes the answer from that model, and bills every call on the ledger. Records come back in
 * problem order. The same engine serves replayed recorded runs and live model clients.
 */
export async function delegate(input: DelegationInput): Promise<DelegationResult> {
  const ledger = new CostLedger(input.prices);
  const results: RunRecord[] = new Array(input.problems.length);
  const concurrency = Math.max(1, input.concurrency ?? 1);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < input.problems.length) {
      if (input.signal?.aborted) throw new ConfideError('CANCELLED', 'delegation cancelled');
      const index = next++;
      const problem = input.problems[index]!;
      try {
        results[index] = await delegateOne(input, problem, ledger);
      } catch (error) {
        if (ConfideError.isInstance(error)) throw error;
        throw new RoutingError(`routing ${problem.id} failed: ${(error as Error).message}`, { cause: error });
      }
      input.onProgress?.(++done, input.problems.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, input.problems.length) }, worker));
  // Ledger entries were appended as calls finished; keep them in problem order so output is deterministic.
  const order = new Map(input.problems.map((problem, index) => [problem.id, index]));
  ledger.entries.sort((left, right) => order.get(left.problemId)! - order.get(right.problemId)!);
  return { records: results, ledger };
}
