import { z } from 'zod';
import { ANSWER_MODES } from './find-answer.js';

/**
 * Policy choices of the MATH grader. Defaults follow what MATH's answer keys intend: the key states a value, and a
 * response that states the same value in another correct notation is right.
 */
export const MathEvaluatorOptions = z.strictObject({
  /** Time budget of one comparison in milliseconds; over budget = not equivalent, reason "timeout". */
  timeoutMs: z.number().int().min(1).max(600_000).default(2_000),
  /**
   * A decimal approximation of an irrational or repeating value counts when its relative error is at most this
   * (`1.41421356` = `\sqrt2`, `1.4` ≠ `\sqrt2`). Terminating values must match exactly (`0.5` ≠ `0.50001`).
   */
  relativeTolerance: z.number().min(0).max(0.5).default(1e-4),
  /** `28\%`: "ignore-sign" reads it as 28 (MATH keys write both `28` and `28\%`); "fraction" reads it as 0.28. */
  percent: z.enum(['ignore-sign', 'fraction']).default('ignore-sign'),
  /**
   * Bare comma lists (`1, -2`, "enter all solutions") are unordered by default; bracketed tuples `(1,-2)` are always
   * ordered.
   */
  bareLists: z.enum(['unordered', 'ordered']).default('unordered'),
  /** Whether `\frac{2}{4}` is wrong against a key `\frac12`. MATH keys ask for simplest form but graders accept it. */
  requireSimplifiedFractions: z.boolean().default(false),
  /** Read `1\frac{1}{10}` as the mixed number 11/10 (MATH keys use mixed numbers) rather than 1·(1/10). */
  mixedNumbers: z.boolean().default(true),
  /** Whether an answer without the base subscript (`2516`) matches a key written in a base (`2516_8`). */
  baseSubscript: z.enum(['optional', 'required']).default('optional'),
  /** Whether a column or row vector (`pmatrix`) matches a tuple with the same entries. */
  vectorAsTuple: z.boolean().default(true),
  /** Whether a one-variable inequality matches the interval it describes (`3 < x \le 4` = `(3,4]`). */
  inequalityAsInterval: z.boolean().default(true),
  /** Drop trailing unit words (`5.4 \text{ cents}`, `864 \mbox{ inches}^2`) before comparing. */
  stripUnits: z.boolean().default(true),
  /**
   * How the gold side is read: `auto` finds the answer whether the text is a bare answer, delimited LaTeX or a whole
   * response; `bare` takes the whole string; `response` reads it as a model response (never the whole string).
   */
  goldMode: z.enum(ANSWER_MODES).default('auto'),
  /** How the predicted side is read (see `goldMode`). */
  predictionMode: z.enum(ANSWER_MODES).default('auto'),
  /**
   * A comma between digits. Always a thousands separator when groups of exactly three digits follow (`58,500`,
   * `3,250,000`). Otherwise (`2,75`, `1500,25`, `-2,1`): `never` reads it as a list separator; `always` as a decimal
   * mark; `auto` as a list separator unless the side is that one number and the other side is a single number, when
   * it is read as a decimal mark (`3,5` = `3.5`; `-2,1` = `1,-2` as lists).
   */
  decimalComma: z.enum(['auto', 'never', 'always']).default('auto'),
  /**
   * A value given only as an approximation (`r \approx 5`, `\approx 0.29`, `≈ 1.41`): `shown-precision` counts it when
   * the exact value rounds to it at the digits shown (`\approx 0.29` = `\frac{2}{7}`, `r \approx 5` = 5.02, ≠ 4.4);
   * `as-written` compares the number as written (then only `relativeTolerance` applies). A chain with an exact side
   * (`t = \frac{2}{7} \approx 0.29`) always states its exact side.
   */
  approximations: z.enum(['shown-precision', 'as-written']).default('shown-precision'),
  /** A value marked in degrees (`30^\circ`, `30°`, `30 degrees`) also matches the same angle in radians (`\frac{\pi}{6}`). */
  degreesAsRadians: z.boolean().default(true),
  /** When a response has no boxed or stated answer, fall back to its last number (marked as a fallback). */
  lastNumberFallback: z.boolean().default(true),
  /** Worker threads used for comparisons that need symbolic or numeric work. */
  workers: z.number().int().min(1).max(16).default(1),
  /** Seed of the random points of numeric identity testing (verdicts are reproducible for a given seed). */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(20_250_917),
});
export type MathEvaluatorOptions = z.infer<typeof MathEvaluatorOptions>;
export type MathEvaluatorOptionsInput = z.input<typeof MathEvaluatorOptions>;

/** The options as the pure comparison functions need them (everything but thread and time settings). */
export type EquivalenceOptions = Omit<MathEvaluatorOptions, 'timeoutMs' | 'workers' | 'lastNumberFallback' | 'goldMode' | 'predictionMode'>;

export const DEFAULT_MATH_EVALUATOR_OPTIONS: MathEvaluatorOptions = MathEvaluatorOptions.parse({});

export function equivalenceOptionsOf(options: MathEvaluatorOptions): EquivalenceOptions {
  const { timeoutMs: _timeout, workers: _workers, lastNumberFallback: _fallback, goldMode: _gold, predictionMode: _prediction, ...rest } = options;
  return rest;
}
