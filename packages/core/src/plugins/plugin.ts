import type { z } from 'zod';
import type { PriceTable } from '../prices/price-table.js';
import type { Generation } from '../schemas/generation.js';
import type { Grade } from '../schemas/grade.js';
import type { Problem } from '../schemas/problem.js';
import type { RouteDecision } from '../schemas/route-decision.js';
import type { RunRecord } from '../schemas/run-record.js';
import type { RoutingScore, ScoreDirection } from '../routing-score.js';

/** Bumped when a plugin interface changes incompatibly; every plugin states the version it implements. */
export const PLUGIN_SPECIFICATION_VERSION = 'v1';

// ---- evaluator -------------------------------------------------------------------------------------------------

export interface EvaluatorInput {
  /** The reference answer (MATH: the `answer` field). */
  gold: string;
  /** A full model response, or an already extracted answer when `extracted` is true. */
  response: string;
  extracted?: boolean;
  /** The question, for evaluators that read it (a model verifier). */
  question?: string;
  /** The problem's id, for evaluators whose calls are billed per problem. */
  problemId?: string;
}

/** One evaluator's verdict inside a composed one. */
export interface EvaluatorStep {
  evaluator: string;
  correct: boolean;
  reason?: string;
}

/** An evaluator's verdict: the grade, the answer it read, and for a composed evaluator every step it ran. */
export type EvaluatorVerdict = Grade & { answer: string | null; steps?: EvaluatorStep[] };

export interface Evaluator {
  readonly specificationVersion: typeof PLUGIN_SPECIFICATION_VERSION;
  /** The answer the evaluator read from the response, with the rule that found it. */
  grade(input: EvaluatorInput): Promise<EvaluatorVerdict>;
  /** Releases workers or other resources; safe to call twice. */
  close(): Promise<void>;
}

// ---- router ----------------------------------------------------------------------------------------------------

export interface RouteInput {
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

/**
 * What a router reads, declared once by the router and kept by every wrapper (the live run's logging router, the
 * engine, the ablation), so a router behaves the same in `confide run` as offline.
 */
export interface RouterCapabilities {
  /** Whether `decide` reads the small model's answer (post-hoc routing) or decides from the problem alone. */
  readonly needsSmallAnswer: boolean;
  /** Whether `decide` peeks at the large model's answer (only the oracle baseline; not a deployable router). */
  readonly needsLargeAnswer?: boolean;
  /** Names of other models whose answers `decide` reads; the engine calls and bills them. */
  readonly peers?: readonly string[];
  /**
   * For a threshold on one score of the small answer: the option that holds the threshold, the score and which side
   * is kept. Ablations sweep such routers at every distinct score by prefix sums instead of one engine run per value.
   */
  readonly sweepableScore?: { readonly option: string; readonly score: RoutingScore; readonly direction: ScoreDirection };
  /**
   * A threshold on a score the router computes itself (a learned router's predicted probability that the small answer
   * is right; keep-high): the option that holds the threshold, the score of a problem's small answer (for a problem
   * the router was fitted on, from a model fitted without it), and what reports call it. Ablations sweep it like a
   * sweepable score.
   */
  readonly ownScore?: { readonly option: string; readonly label: string; score(problem: Problem, small: RunRecord | undefined): number };
  /** The options that recreate this router exactly as it is (a fitted router: its models inline), for a policy file. */
  fittedOptions?(): Record<string, unknown>;
}

export interface Router {
  readonly specificationVersion: typeof PLUGIN_SPECIFICATION_VERSION;
  readonly capabilities: RouterCapabilities;
  decide(input: RouteInput): Promise<RouteDecision>;
}

/** The same router with another `decide` (logging, replay of logged decisions): its capabilities are kept as declared. */
export function withDecide(router: Router, decide: (input: RouteInput) => Promise<RouteDecision>): Router {
  return { specificationVersion: router.specificationVersion, capabilities: router.capabilities, decide };
}

// ---- model client ----------------------------------------------------------------------------------------------

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerationRequest {
  problem: Problem;
  messages: ChatMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  seed?: number;
}

export interface ModelClient {
  readonly specificationVersion: typeof PLUGIN_SPECIFICATION_VERSION;
  /** The model id used for pricing and in records. */
  readonly model: string;
  generate(request: GenerationRequest, options?: { signal?: AbortSignal }): Promise<Generation>;
}

// ---- plugin definitions ----------------------------------------------------------------------------------------

export interface PluginInstances {
  evaluator: Evaluator;
  router: Router;
  model: ModelClient;
}
export type PluginKind = keyof PluginInstances;
export const PLUGIN_KINDS: readonly PluginKind[] = ['evaluator', 'router', 'model'];

/** Finds runs by reference: a bundled run id (`qwen-1.5b-lora-confidence`) or a path to a run directory. */
export interface RunLookup {
  /** The run's records, validated; a reference that names no run fails saying what is there. */
  records(reference: string): readonly RunRecord[];
}

/** What a router that learns fits on: problems (questions, subjects, levels) and the small model's graded answers. */
export interface FitData {
  problems: readonly Problem[];
  small: readonly RunRecord[];
}

export interface PluginContext {
  priceTable: PriceTable;
  /** Data to fit on, for routers that learn (an ablation lends its problems and small run). */
  fitData?: FitData;
  /** The run store of the command, for plugins that read recorded runs (core/replay, core/recorded). */
  runs?: RunLookup;
  /** Model clients a run lends to plugins by name (e.g. the orchestrator model of a live Delegation I). */
  modelClients?: Readonly<Record<string, ModelClient>>;
  /** Creates another plugin with this context (a composed evaluator builds its parts); the registry lends it. */
  createPlugin?: <Kind extends PluginKind>(kind: Kind, id: string, options: unknown) => PluginInstances[Kind];
}

/**
 * A plugin is a value: metadata, a zod schema for its options, and a factory. It is registered explicitly; importing
 * a plugin module has no side effects.
 */
export interface Plugin<Kind extends PluginKind = PluginKind, Options = unknown> {
  /** `namespace/name`, e.g. `core/confidence-token`. */
  readonly id: string;
  readonly kind: Kind;
  readonly description: string;
  readonly optionsSchema: z.ZodType<Options>;
  create(options: Options, context: PluginContext): PluginInstances[Kind];
}

/** Identity helper that lets TypeScript infer `Options` from the schema. */
export function definePlugin<Kind extends PluginKind, Options>(plugin: Plugin<Kind, Options>): Plugin<Kind, Options> {
  return plugin;
}
