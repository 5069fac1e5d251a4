import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { tryFastEquivalence, type ComparisonContext } from './are-equivalent.js';
import { explainVerdict, type VerdictExplanation } from './explain.js';
import { findAnswer, type FoundAnswer } from './find-answer.js';
import type { WorkerMessage, WorkerRequest } from './grade-worker.js';
import { equivalenceOptionsOf, MathEvaluatorOptions, type EquivalenceOptions, type MathEvaluatorOptionsInput } from './math-evaluator-options.js';
import { questionSymbols } from './question-symbols.js';
import { different, type Verdict } from './verdict.js';

/** A verdict with how long it took and where it was decided. */
export interface TimedVerdict extends Verdict {
  /** Milliseconds spent on this comparison (in the worker: from sending it to the answer, queueing excluded). */
  ms: number;
  /** `fast` = decided in the calling thread; `worker` = decided (or timed out) in a worker thread. */
  path: 'fast' | 'worker';
}

/** The answer found on each side, and the rule that found it (null: nothing on that side reads as an answer). */
export interface FoundSides {
  gold: FoundAnswer | null;
  prediction: FoundAnswer | null;
}

/** A verdict on two texts (bare answers, delimited LaTeX or whole responses), with what was found on each side; `ms` includes finding them. */
export interface GradedVerdict extends TimedVerdict {
  found: FoundSides;
  /** Both sides as found, normalised and parsed, and the rule that decided (when asked for: `GradeOptions.explain`). */
  explain?: VerdictExplanation;
}

export interface GradeOptions {
  /** The problem's question: values with distinct labels (`a = 4, b = 7`) are read in the order it names the labels. */
  question?: string;
  /** Add `explain` to the verdict (each side normalised and parsed again in this thread: cheap, not free). */
  explain?: boolean;
}

/** `gold whole, prediction boxed` (`… last-number (fallback)`; `none` where nothing was found): the rule on each side. */
export function describeFoundSides(found: FoundSides): string {
  const side = (answer: FoundAnswer | null): string => (answer === null ? 'none' : `${answer.rule}${answer.fallback ? ' (fallback)' : ''}`);
  return `gold ${side(found.gold)}, prediction ${side(found.prediction)}`;
}

export interface GraderStatistics {
  fast: number;
  worker: number;
  timeouts: number;
  /** Workers started to replace one that was stopped (over budget) or crashed. */
  workerReplacements: number;
}

interface Job {
  request: WorkerRequest;
  resolve: (verdict: TimedVerdict) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  startedAt: number;
  timer: NodeJS.Timeout | null;
}

/** Memory a worker may use; a comparison that needs more crashes the worker and is answered "resource-limit". */
const WORKER_HEAP_MB = 512;

function startGradeWorker(): Worker {
  const here = import.meta.url;
  const options = { execArgv: [] as string[], resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } };
  if (here.endsWith('.ts')) {
    // running from source: the bootstrap registers tsx in the worker, then imports the TypeScript entry
    return new Worker(new URL('./grade-worker-bootstrap.mjs', here), { ...options, workerData: { entry: new URL('./grade-worker.ts', here).href } });
  }
  return new Worker(new URL('./grade-worker.js', here), options);
}

/**
 * Grades answers against gold answers with a time budget per comparison. Cheap comparisons run in the calling thread;
 * the rest run in worker threads, and a worker that exceeds the budget is terminated (synchronous code cannot be
 * interrupted otherwise) and replaced, the comparison answered "not equivalent, timeout".
 */
export class MathGrader {
  readonly options: MathEvaluatorOptions;
  readonly statistics: GraderStatistics = { fast: 0, worker: 0, timeouts: 0, workerReplacements: 0 };
  readonly #equivalence: EquivalenceOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #startWorker: () => Worker;
  #nextId = 0;
  #closed = false;
  /** Why a worker could not start (it failed before it was ready): no other is started, and the worker's comparisons say so. */
  #cannotStart: string | null = null;

  /** `startWorker`: how a worker thread is made (tests give one that cannot start). */
  constructor(options: MathEvaluatorOptions, startWorker: () => Worker = startGradeWorker) {
    this.options = options;
    this.#equivalence = equivalenceOptionsOf(options);
    this.#startWorker = startWorker;
  }

  /** The answers the grader's modes find in a gold text and a predicted text. */
  find(gold: string, prediction: string | null): FoundSides {
    const fallback = this.options.lastNumberFallback;
    return {
      gold: findAnswer(gold, { mode: this.options.goldMode, lastNumberFallback: fallback }),
      prediction: prediction === null ? null : findAnswer(prediction, { mode: this.options.predictionMode, lastNumberFallback: fallback }),
    };
  }

  /**
   * Grades a prediction against a gold text: finds the answer on each side (options `goldMode`, `predictionMode`),
   * then compares them. Never rejects.
   */
  async grade(gold: string, prediction: string | null, options: GradeOptions = {}): Promise<GradedVerdict> {
    const started = performance.now();
    const found = this.find(gold, prediction);
    const withExplanation = (verdict: GradedVerdict): GradedVerdict => (options.explain ? { ...verdict, explain: explainVerdict(found, verdict.reason, this.#equivalence) } : verdict);
    if (found.gold === null) return withExplanation({ ...different('no-gold-answer'), ms: performance.now() - started, path: 'fast', found });
    if (found.prediction === null) return withExplanation({ ...different('no-answer'), ms: performance.now() - started, path: 'fast', found });
    const comparison: ComparisonContext = options.question === undefined ? {} : { labelOrder: questionSymbols(options.question) };
    const findMs = performance.now() - started;
    const verdict = await this.compare(found.gold.answer, found.prediction.answer, comparison);
    return withExplanation({ ...verdict, ms: verdict.ms + findMs, found });
  }

  /** Compares one predicted answer (already found) with the gold answer, as given. Never rejects. */
  compare(gold: string, pred: string | null, comparison: ComparisonContext = {}): Promise<TimedVerdict> {
    if (this.#closed) return Promise.reject(new Error('the grader is closed'));
    const started = performance.now();
    let fast: Verdict | null = null;
    try {
      fast = tryFastEquivalence(gold, pred, this.#equivalence, comparison);
    } catch {
      // an unexpected error on the fast path: let the worker decide (and report it)
    }
    if (fast !== null) {
      this.statistics.fast++;
      return Promise.resolve({ ...fast, ms: performance.now() - started, path: 'fast' });
    }
    this.statistics.worker++;
    if (this.#cannotStart !== null) return Promise.resolve({ ...different(this.#cannotStart), ms: performance.now() - started, path: 'worker' });
    return new Promise((resolve) => {
      this.#queue.push({ request: { id: this.#nextId++, gold, pred: pred ?? '', options: this.#equivalence, comparison }, resolve });
      this.#ensureWorkers();
      this.#dispatch();
    });
  }

  /** Starts the worker threads now rather than on the first comparison that needs one. */
  warmUp(): void {
    this.#ensureWorkers();
  }

  /** Stops the workers; comparisons still waiting are answered "closed". Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.resolve({ ...different('closed'), ms: 0, path: 'worker' });
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.job?.resolve({ ...different('closed'), ms: 0, path: 'worker' });
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #ensureWorkers(): void {
    while (!this.#closed && this.#cannotStart === null && this.#slots.length < this.options.workers) this.#slots.push(this.#spawn());
  }

  #spawn(): Slot {
    const slot: Slot = { worker: this.#startWorker(), ready: false, job: null, startedAt: 0, timer: null };
    slot.worker.unref();
    slot.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        slot.ready = true;
      } else if (slot.job !== null && message.id === slot.job.request.id) {
        this.#finish(slot, { ...message.verdict, ms: performance.now() - slot.startedAt, path: 'worker' });
      }
      this.#dispatch();
    });
    slot.worker.on('error', (error: Error & { code?: string }) => {
      if (!slot.ready) return this.#failedToStart(slot, `worker-error: the grading worker could not start: ${error.message}`);
      const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'resource-limit' : `worker-error: ${error.message}`;
      this.#replace(slot, reason);
    });
    slot.worker.on('exit', (code) => {
      if (!this.#slots.includes(slot)) return;
      if (!slot.ready) return this.#failedToStart(slot, `worker-error: the grading worker exited (code ${code}) before it was ready`);
      this.#replace(slot, 'worker-exited');
    });
    return slot;
  }

  #finish(slot: Slot, verdict: TimedVerdict): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const job = slot.job;
    slot.job = null;
    job?.resolve(verdict);
  }

  /** Answers the slot's comparison with `reason`, stops its worker and starts a new one in its place. */
  #replace(slot: Slot, reason: string): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.#finish(slot, { ...different(reason), ms: performance.now() - slot.startedAt, path: 'worker' });
    this.#slots.splice(index, 1);
    void slot.worker.terminate();
    if (!this.#closed) {
      this.statistics.workerReplacements++;
      this.#ensureWorkers();
      this.#dispatch();
    }
  }

  /**
   * A worker that fails before it is ready (its entry cannot load) would fail again however often it is replaced: no
   * worker is started any more, and every comparison waiting for one, or sent to one later, is answered `reason`.
   */
  #failedToStart(slot: Slot, reason: string): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.#cannotStart = reason;
    this.#slots.splice(index, 1);
    void slot.worker.terminate();
    for (const job of this.#queue.splice(0)) job.resolve({ ...different(reason), ms: 0, path: 'worker' });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (!slot.ready || slot.job !== null) continue;
      const job = this.#queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.startedAt = performance.now();
      slot.timer = setTimeout(() => {
        this.statistics.timeouts++;
        this.#replace(slot, 'timeout');
      }, this.options.timeoutMs);
      slot.worker.postMessage(job.request);
    }
    // keep the process alive only while comparisons are waiting or running
    const busy = this.#queue.length > 0 || this.#slots.some((slot) => slot.job !== null);
    for (const slot of this.#slots) {
      if (busy) slot.worker.ref();
      else slot.worker.unref();
    }
  }
}

export function createMathGrader(options: MathEvaluatorOptionsInput = {}): MathGrader {
  return new MathGrader(MathEvaluatorOptions.parse(options));
}

export interface AnswerPair {
  gold: string;
  pred: string | null;
}

/** How many pairs `gradePairs` handles before it lets worker replies in (so their timings are not inflated). */
const YIELD_EVERY = 64;

/**
 * Grades many pairs (`MathGrader.grade`: the answer found on each side, then compared): the fast path runs in this
 * thread while the rest go to the workers; results come back in input order. `onProgress` is called with the number
 * of pairs done.
 */
export async function gradePairs(
  pairs: readonly AnswerPair[],
  grader: MathGrader,
  onProgress?: (done: number, total: number) => void,
): Promise<GradedVerdict[]> {
  let done = 0;
  const pending: Promise<GradedVerdict>[] = [];
  for (let index = 0; index < pairs.length; index++) {
    const pair = pairs[index]!;
    pending.push(
      grader.grade(pair.gold, pair.pred).then((verdict) => {
        onProgress?.(++done, pairs.length);
        return verdict;
      }),
    );
    if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  return Promise.all(pending);
}

/**
 * One line of a pairs file (`confide grade --pairs`): an id, the gold answer, a predicted answer or response, and
 * optionally the problem's question (values with distinct labels are read in the order it names them).
 */
export const AnswerPairLine = z.strictObject({
  id: z.union([z.string(), z.number()]),
  gold: z.string(),
  pred: z.string().nullable(),
  question: z.string().optional(),
});
export type AnswerPairLine = z.infer<typeof AnswerPairLine>;
