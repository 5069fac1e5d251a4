import {
  ConfideError,
  RouterDecision,
  type RouteDecision,
  resolveModelLabel,
  routeOf,
  type PriceTable,
  type Problem,
  type Router,
  type RunRecord,
} from '@confide/core';
import { CostLedger } from './cost-ledger.js';
import type { GenerationSource } from './generation-source.js';

/** One of the models a router chooses among: its label and where its answers come from. */
export interface CandidateModel {
  label: string;
  source: GenerationSource;
}

interface DelegationSettings {
  /** Id of the delegated run the records are written under. */
  runId: string;
  problems: readonly Problem[];
  router: Router;
  prices: PriceTable;
  /** Sources of the other models a router reads (`capabilities.reads` names that are not among the models), by name. */
  peers?: Readonly<Record<string, GenerationSource>>;
  /** Recorded decisions by problem id, for routers that replay a recorded run's choices. */
  recordedRoutes?: ReadonlyMap<string, RouteDecision>;
  /** How many problems are in flight at once (live sources); 1 keeps replay deterministic and cheap. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * What a delegation routes among: a pair (labels `small` and `large`; its records keep the v1 route), or K ≥ 2 listed
 * models (records name the chosen label in `route.model`).
 */
export type DelegationInput = DelegationSettings &
  ({ small: GenerationSource; large: GenerationSource; models?: never } | { models: readonly CandidateModel[]; small?: never; large?: never });

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

/** The models a delegation routes among, in order: the listed ones, or the pair as `small` and `large`. */
export function candidateModels(input: DelegationInput): readonly CandidateModel[] {
  if (input.models !== undefined) {
    if (input.models.length < 2) throw new RoutingError(`a delegation chooses among at least two models; got ${input.models.length}`);
    const labels = new Set(input.models.map((model) => model.label));
    if (labels.size !== input.models.length) throw new RoutingError(`the models of a delegation need distinct labels; got ${input.models.map((model) => model.label).join(', ')}`);
    return input.models;
  }
  return [
    { label: 'small', source: input.small },
    { label: 'large', source: input.large },
  ];
}

/**
 * Routes and answers one problem, billing every call on `ledger`: the models the router reads are called first (in
 * the order it declares them; a peer is billed as `peer`), then it decides, then the chosen model answers (from the
 * answer already read, or with one call: a router deciding before generation calls only the chosen model). A model
 * read and not chosen is billed as `superseded` when it comes before the chosen one, as `peek` after it (an oracle's
 * look, out of every cost total).
 */
export async function delegateOne(input: DelegationInput, problem: Problem, ledger: CostLedger): Promise<RunRecord> {
  const options = input.signal ? { signal: input.signal } : undefined;
  const models = candidateModels(input);
  const labels = models.map((model) => model.label);
  const read = new Map<string, RunRecord>();
  const answers: Record<string, RunRecord> = {};
  for (const name of input.router.capabilities.reads) {
    const label = resolveModelLabel(name, labels);
    if (label !== undefined) {
      const record = read.get(label) ?? (await models.find((model) => model.label === label)!.source.generationFor(problem, options));
      read.set(label, record);
      answers[name] = record;
      continue;
    }
    const source = input.peers?.[name];
    if (source === undefined) throw new RoutingError(`the router reads "${name}", which is neither among the models (${labels.join(', ')}) nor a peer the delegation names a source for`);
    const record = await source.generationFor(problem, options);
    ledger.addGeneration(problem.id, 'peer', record.generation);
    answers[name] = record;
  }
  const recordedRoute = input.recordedRoutes?.get(problem.id);
  const decision = RouterDecision.parse(await input.router.decide({ problem, models: labels, answers, ...(recordedRoute ? { recordedRoute } : {}) }));
  const chosen = resolveModelLabel(decision.model, labels);
  if (chosen === undefined) throw new RoutingError(`router "${decision.router}" chose "${decision.model}" for ${problem.id}, which is not among the models (${labels.join(', ')})`);
  if (decision.routerModel !== undefined && decision.routerUsage !== undefined) {
    ledger.add(problem.id, 'router', decision.routerModel, decision.routerUsage);
  }
  const chosenIndex = labels.indexOf(chosen);
  for (const [index, label] of labels.entries()) {
    const record = read.get(label);
    if (label === chosen || record === undefined) continue;
    ledger.addGeneration(problem.id, index < chosenIndex ? 'superseded' : 'peek', record.generation);
  }
  const answer = read.get(chosen) ?? (await models[chosenIndex]!.source.generationFor(problem, options));
  ledger.addGeneration(problem.id, 'answer', answer.generation);
  const { note: _note, ...rest } = answer;
  // the decision was validated above; its route is built from it (no second validation)
  return { ...rest, runId: input.runId, route: routeOf({ ...decision, model: chosen }, labels) };
}

/**
 * The delegation engine: for each problem, asks the router which model answers (after the answers it reads, for
 * post-hoc routers), takes the answer from that model, and bills every call on the ledger. Records come back in
 * problem order. The same engine serves replayed recorded runs and live model clients.
 */
export async function delegate(input: DelegationInput): Promise<DelegationResult> {
  const ledger = new CostLedger(input.prices);
  const results: RunRecord[] = new Array(input.problems.length);
  const concurrency = Math.max(1, input.concurrency ?? 1);
  let next = 0;
  let done = 0;
  let lastYield = performance.now();
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
      // replayed answers resolve at once: hand the event loop a turn every 200 ms so Ctrl-C and progress get through
      // (at the end of a problem: other workers may take the remaining problems meanwhile, so the loop re-checks)
      if (performance.now() - lastYield >= 200) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, input.problems.length) }, worker));
  // Ledger entries were appended as calls finished; keep them in problem order so output is deterministic.
  const order = new Map(input.problems.map((problem, index) => [problem.id, index]));
  ledger.entries.sort((left, right) => order.get(left.problemId)! - order.get(right.problemId)!);
  return { records: results, ledger };
}
