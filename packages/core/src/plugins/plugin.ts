import type { z } from 'zod';
import type { RunControl } from '../loop-turns.js';
import type { PriceTable } from '../prices/price-table.js';
import type { Generation } from '../schemas/generation.js';
import type { Grade } from '../schemas/grade.js';
import type { Problem } from '../schemas/problem.js';
import type { RouteDecision, RouterDecision } from '../schemas/route-decision.js';
import type { RouterV1 } from './plugin-v1.js';

export * from './plugin-v1.js';
import type { RunRecord } from '../schemas/run-record.js';
import type { ScoreCalibrationSettings } from '../learning/score-calibrator.js';
import type { LogisticFitCache } from '../learning/logistic-regression.js';
import type { RoutingScore, ScoreDirection } from '../routing-score.js';

/**
 * Bumped when a plugin interface changes incompatibly; every plugin states the version it implements. v2 (this
 * version): a router chooses a model by label among the experiment's models and declares which models' answers it
 * reads. A router written for v1 (`specificationVersion: 'v1'`, `decide` returning `target: small|large`) still
 * registers: the registry adapts it when it creates it (`adapt-v1-router.ts`). Evaluators and model clients did not
 * change between v1 and v2, so either version is accepted for them.
 */
export const PLUGIN_SPECIFICATION_VERSION = 'v2';
export type PluginSpecificationVersion = 'v1' | 'v2';

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

/** One side's answer as an evaluator that finds answers found it: the text, the rule that found it, whether that rule is a fallback. */
export interface FoundAnswerSide {
  answer: string;
  rule: string;
  fallback: boolean;
}

/**
 * An evaluator's verdict: the grade, the answer it read, and for a composed evaluator every step it ran. An evaluator
 * that finds the answer on each side (core/math) also says what it found (`found`; null: nothing read as an answer)
 * and the rule that decided (`decision`: `normalized-string`, `different-value`, `timeout`), which `reason` words with
 * the extraction; reports that group verdicts by rule read these.
 */
export type EvaluatorVerdict = Grade & {
  answer: string | null;
  steps?: EvaluatorStep[];
  found?: { gold: FoundAnswerSide | null; prediction: FoundAnswerSide | null };
  decision?: string;
};

export interface Evaluator {
  /** The evaluator interface is the same in v1 and v2. */
  readonly specificationVersion: PluginSpecificationVersion;
  /** The answer the evaluator read from the response, with the rule that found it. */
  grade(input: EvaluatorInput): Promise<EvaluatorVerdict>;
  /** Releases workers or other resources; safe to call twice. */
  close(): Promise<void>;
}

// ---- router ----------------------------------------------------------------------------------------------------

/** What a router is asked for one problem (v2). */
export interface RouteInput {
  problem: Problem;
  /**
   * The labels of the models it chooses among, in the experiment's order (the first is the one a cascade or a pair
   * tries first). For a pair: `['small', 'large']`; where a pair's models have other labels, `small` and `large`
   * still name the first and the second.
   */
  models: readonly string[];
  /**
   * The answers of the models the router declares in `capabilities.reads`, keyed by the name it declared them under
   * (a router that reads `small` finds the first model's answer at `answers.small`, whatever its label).
   */
  answers: Readonly<Record<string, RunRecord>>;
  /** The decision a recorded run took for this problem, for routers that replay one. */
  recordedRoute?: RouteDecision;
}

/** When a router decides: from the problem alone (only the chosen model is then called), or after answers it reads. */
export type RouterTiming = 'before-generation' | 'after-first-answer';

/**
 * What a router reads, declared once by the router and kept by every wrapper (the live run's logging router, the
 * engine, the ablation), so a router behaves the same in `confide run` as offline.
 */
export interface RouterCapabilities {
  /** `before-generation`: `reads` is empty and only the chosen model is called; `after-first-answer`: the engine calls the models in `reads` first. */
  readonly decides: RouterTiming;
  /**
   * The models whose answers `decide` reads, in the order the engine calls them: labels among the experiment's models
   * (`small`/`large` for a pair, or the first and second of two), or names of other models the run provides only for
   * the router (`peers`, e.g. a second SLM for agreement), which the engine calls and bills. A router that reads a
   * model it does not then choose pays for it (`superseded` before the chosen one, `peek` after it: an oracle).
   */
  readonly reads: readonly string[];
  /**
   * For a threshold on one score of the small answer: the option that holds the threshold, the score and which side
   * is kept. Ablations sweep such routers at every distinct score by prefix sums instead of one engine run per value.
   * With `calibration`, the threshold is on the score mapped to a calibrated probability (keep-high; the score read on
   * its keep-high scale first): `fitted` false, an ablation fits the calibrators (cross-fitted, `settings`' folds and
   * seed) and hands them to the router it checks; true, the router holds its calibrator already (a policy's).
   */
  readonly sweepableScore?: {
    readonly option: string;
    readonly score: RoutingScore;
    readonly direction: ScoreDirection;
    readonly calibration?: { readonly settings: ScoreCalibrationSettings; readonly fitted: boolean };
  };
  /**
   * A threshold on a score the router computes itself (a learned router's predicted probability that the small answer
   * is right; keep-high): the option that holds the threshold, the score of a problem's small answer (for a problem
   * the router was fitted on, from a model fitted without it), and what reports call it. Ablations sweep it like a
   * sweepable score.
   */
  readonly ownScore?: { readonly option: string; readonly label: string; score(problem: Problem, small: RunRecord | undefined): number };
  /** The options that recreate this router exactly as it is (a fitted router: its models inline), for a policy file. */
  fittedOptions?(): Record<string, unknown>;
  /**
   * Work the router does before it routes (a learned router's fit), done cooperatively: progress through
   * `control.onProgress`, a turn of the event loop at least every 200 ms, a CANCELLED error once `control.signal` is
   * aborted. Optional to call: a router not prepared does the same work on first use, with the same result. An
   * ablation calls it right after creating the router.
   */
  prepare?(control: RunControl): Promise<void>;
  /**
   * A choice that follows from the problem alone, from the verdicts and scores of the answers (a baseline:
   * always-⟨model⟩, random, the oracle), or from the recorded answers the router reads (the confidence token): ablations
   * then evaluate it on the outcome table's columns instead of one engine call per problem (the engine checks it on a
   * sample). `choose` returns what `decide` would: a label.
   */
  readonly columnChoice?: ColumnChoice;
}

/** How a baseline's choice is made on columns (see `RouterCapabilities.columnChoice`). */
export type ColumnChoice =
  | { readonly from: 'problem'; choose(problem: Problem, models: readonly string[]): string }
  | { readonly from: 'grades'; choose(grades: Readonly<Record<string, { correct: boolean; score: number }>>, models: readonly string[]): string }
  /** From the answers of the models in `reads` (by label), as `decide` gets them. */
  | { readonly from: 'answers'; choose(answers: Readonly<Record<string, RunRecord>>, models: readonly string[]): string };

export interface Router {
  readonly specificationVersion: typeof PLUGIN_SPECIFICATION_VERSION;
  readonly capabilities: RouterCapabilities;
  /** The label of the model that answers: one of `input.models`, or `small`/`large` for a pair. */
  decide(input: RouteInput): Promise<RouterDecision>;
}

/** The same router with another `decide` (logging, replay of logged decisions): its capabilities are kept as declared. */
export function withDecide(router: Router, decide: (input: RouteInput) => Promise<RouterDecision>): Router {
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
  /** The model client interface is the same in v1 and v2. */
  readonly specificationVersion: PluginSpecificationVersion;
  /** The model id used for pricing and in records. */
  readonly model: string;
  generate(request: GenerationRequest, options?: { signal?: AbortSignal }): Promise<Generation>;
}

// ---- plugin definitions ----------------------------------------------------------------------------------------

/** What the registry gives for each kind: plugins of the current specification (a v1 router adapted). */
export interface PluginInstances {
  evaluator: Evaluator;
  router: Router;
  model: ModelClient;
}
/** What a plugin's `create` may return: the current specification, or a v1 router (the registry adapts it). */
export interface PluginProducts {
  evaluator: Evaluator;
  router: Router | RouterV1;
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
  /**
   * Where a router that learns keeps its fits between runs (a command lends its cache folder's): it reads a fit of the
   * same inputs there instead of fitting again, and keeps a new one there. Absent: every fit is fitted.
   */
  fitCache?: LogisticFitCache;
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
  /**
   * The plugin specification the definition was written against, stamped by `definePlugin` (the version of the
   * `@confide/core` it imported). A plugin loaded from a user's module must carry it, and one written for a
   * specification this Confide does not read is refused saying which.
   */
  readonly specificationVersion?: PluginSpecificationVersion;
  /** `namespace/name`, e.g. `core/confidence-token`. */
  readonly id: string;
  readonly kind: Kind;
  readonly description: string;
  readonly optionsSchema: z.ZodType<Options>;
  create(options: Options, context: PluginContext): PluginProducts[Kind];
}

/**
 * Declares a plugin: lets TypeScript infer `Options` from the schema, and stamps the definition with the plugin
 * specification of this copy of `@confide/core`, which the registry checks when a user's module is loaded.
 *
 * ```ts
 * import { definePlugin, z } from '@confide/core';
 * export const myRouter = definePlugin({ id: 'me/long-uncertain', kind: 'router', description: '…', optionsSchema: z.strictObject({}), create: () => … });
 * ```
 */
export function definePlugin<Kind extends PluginKind, Options>(plugin: Plugin<Kind, Options>): Plugin<Kind, Options> & { readonly specificationVersion: typeof PLUGIN_SPECIFICATION_VERSION } {
  return { ...plugin, specificationVersion: PLUGIN_SPECIFICATION_VERSION };
}
