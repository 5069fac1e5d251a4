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

/** Where each name a router reads comes from, fixed once per delegation: one of the models, or a peer's source. */
type ReadSource = { name: string; label: string; source: GenerationSource } | { name: string; label: null; source: GenerationSource | undefined };

/** What a delegation fixes before its first problem: the models, their labels and where each name the router reads comes from. */
interface DelegationPlan {
  input: DelegationInput;
  models: readonly CandidateModel[];
  labels: readonly string[];
  reads: readonly ReadSource[];
  options: { signal: AbortSignal } | undefined;
}

function delegationPlan(input: DelegationInput): DelegationPlan {
  const models = candidateModels(input);
  const labels = models.map((model) => model.label);
  const reads = input.router.capabilities.reads.map((name): ReadSource => {
    const label = resolveModelLabel(name, labels);
    if (label !== undefined) return { name, label, source: models.find((model) => model.label === label)!.source };
    return { name, label: null, source: input.peers?.[name] };
  });
  return { input, models, labels, reads, options: input.signal ? { signal: input.signal } : undefined };
}

/**
 * The answers the router reads for one problem, in the order it declares them: the models' (each called once, kept in
 * `read` by label) and the peers' (billed as `peer` here).
 */
async function readAnswers(plan: DelegationPlan, problem: Problem, ledger: CostLedger): Promise<{ read: Map<string, RunRecord>; answers: Record<string, RunRecord> }> {
  const read = new Map<string, RunRecord>();
  const answers: Record<string, RunRecord> = {};
  for (const { name, label, source } of plan.reads) {
    if (label !== null) {
      const record = read.get(label) ?? (await source.generationFor(problem, plan.options));
      read.set(label, record);
      answers[name] = record;
      continue;
    }
    if (source === undefined) {
      throw new RoutingError(`the router reads "${name}", which is neither among the models (${plan.labels.join(', ')}) nor a peer the delegation names a source for`);
    }
    const record = await source.generationFor(problem, plan.options);
    ledger.addGeneration(problem.id, 'peer', record.generation);
    answers[name] = record;
  }
  return { read, answers };
}

/**
 * Routes and answers one problem, billing every call on `ledger`: the models the router reads are called first (in
 * the order it declares them; a peer is billed as `peer`), then it decides, then the chosen model answers (from the
 * answer already read, or with one call: a router deciding before generation calls only the chosen model). A model
 * read and not chosen is billed as `superseded` when it comes before the chosen one, as `peek` after it (an oracle's
 * look, out of every cost total).
 *
 * Three short steps, so that the engine's hot path stays small for the optimising compiler, which compiles it again for
 * every new router and record shape: the answers read (`readAnswers`), the decision, and the record
 * (`recordOfDecision`); the models and what the router reads are resolved once per delegation (`delegationPlan`).
 */
async function delegateOne(plan: DelegationPlan, problem: Problem, ledger: CostLedger): Promise<RunRecord> {
  const { read, answers } = await readAnswers(plan, problem, ledger);
  const recordedRoute = plan.input.recordedRoutes?.get(problem.id);
  const decision = RouterDecision.parse(await plan.input.router.decide({ problem, models: plan.labels, answers, ...(recordedRoute ? { recordedRoute } : {}) }));
  const chosen = resolveModelLabel(decision.model, plan.labels);
  if (chosen === undefined) throw new RoutingError(`router "${decision.router}" chose "${decision.model}" for ${problem.id}, which is not among the models (${plan.labels.join(', ')})`);
  if (decision.routerModel !== undefined && decision.routerUsage !== undefined) {
    ledger.add(problem.id, 'router', decision.routerModel, decision.routerUsage);
  }
  const answer = read.get(chosen) ?? (await plan.models[plan.labels.indexOf(chosen)]!.source.generationFor(problem, plan.options));
  return recordOfDecision(plan, problem, ledger, decision, chosen, read, answer);
}

/** The record of a decided problem, the models read and not chosen and the answer billed. */
function recordOfDecision(
  plan: DelegationPlan,
  problem: Problem,
  ledger: CostLedger,
  decision: RouterDecision,
  chosen: string,
  read: ReadonlyMap<string, RunRecord>,
  answer: RunRecord,
): RunRecord {
  const { labels } = plan;
  const chosenIndex = labels.indexOf(chosen);
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]!;
    const record = read.get(label);
    if (label === chosen || record === undefined) continue;
    ledger.addGeneration(problem.id, index < chosenIndex ? 'superseded' : 'peek', record.generation);
  }
  ledger.addGeneration(problem.id, 'answer', answer.generation);
  const { note: _note, ...rest } = answer;
  // the decision was validated by the caller; its route is built from it (no second validation)
  return { ...rest, runId: plan.input.runId, route: routeOf({ ...decision, model: chosen }, labels) };
}

/**
 * The delegation engine: for each problem, asks the router which model answers (after the answers it reads, for
 * post-hoc routers), takes the answer from that model, and bills every call on the ledger. Records come back in
 * problem order. The same engine serves replayed recorded runs and live model clients.
 */
export async function delegate(input: DelegationInput): Promise<DelegationResult> {
  const ledger = new CostLedger(input.prices);
  const plan = delegationPlan(input);
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
        results[index] = await delegateOne(plan, problem, ledger);
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
