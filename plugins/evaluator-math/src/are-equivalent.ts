import { compareAnswers } from './compare-answers.js';
import type { CompareContext } from './compare-expressions.js';
import { DEFAULT_MATH_EVALUATOR_OPTIONS, equivalenceOptionsOf, type EquivalenceOptions } from './math-evaluator-options.js';
import { decimalCommasToPoints, normalizeAnswer } from './normalize-answer.js';
import { AnswerSyntaxError, parseAnswer, type Answer } from './parse-answer.js';
import { different, equivalent, NeedsWorkerError, type Verdict } from './verdict.js';

/** Answers longer than this are compared as normalised text only. */
export const MAX_ANSWER_LENGTH = 2_000;

export const DEFAULT_EQUIVALENCE_OPTIONS: EquivalenceOptions = equivalenceOptionsOf(DEFAULT_MATH_EVALUATOR_OPTIONS);

/** Last-resort key for answers that are not mathematics: case, spaces, brackets and dots do not count. */
function textKey(normalized: string): string {
  return normalized.toLowerCase().replace(/[\s(){}.]/g, '');
}

const PARSED_CACHE_SIZE = 20_000;
const parsedCache = new Map<string, Answer>();

/** The parsed answer (cached: gold answers recur across runs), or its text key when it is not mathematics. */
function parseOrText(normalized: string): Answer {
  const cached = parsedCache.get(normalized);
  if (cached !== undefined) return cached;
  let answer: Answer;
  try {
    answer = parseAnswer(normalized);
  } catch (error) {
    if (!(error instanceof AnswerSyntaxError)) throw error;
    answer = { kind: 'text', text: textKey(normalized) };
  }
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.clear();
  parsedCache.set(normalized, answer);
  return answer;
}

/** What a comparison knows beyond the two answers. */
export interface ComparisonContext {
  /** The question's symbols in the order it names them (`questionSymbols`): labelled values are read in that order. */
  labelOrder?: readonly string[];
}

function compareIn(gold: string, pred: string | null, options: EquivalenceOptions, mode: CompareContext['mode'], comparison: ComparisonContext): Verdict {
  if (pred === null || pred.trim() === '') return different('no-answer');
  const goldNormalized = normalizeAnswer(gold, options);
  const predNormalized = normalizeAnswer(pred, options);
  if (predNormalized === '') return different('no-answer');
  const context: CompareContext = { options, mode, ...(comparison.labelOrder === undefined ? {} : { labelOrder: comparison.labelOrder }) };
  const verdict = compareNormalized(goldNormalized, predNormalized, context);
  if (verdict.equivalent) return verdict;
  for (const reading of otherReadings(gold, goldNormalized, pred, predNormalized, options)) {
    if (compareNormalized(reading.gold, reading.pred, context).equivalent) return equivalent(reading.reason);
  }
  return verdict;
}

function compareNormalized(goldNormalized: string, predNormalized: string, context: CompareContext): Verdict {
  if (goldNormalized === predNormalized) return equivalent('normalized-string');
  if (goldNormalized.length > MAX_ANSWER_LENGTH || predNormalized.length > MAX_ANSWER_LENGTH) return different('too-long');
  const goldAnswer = parseOrText(goldNormalized);
  const predAnswer = parseOrText(predNormalized);
  if (goldAnswer.kind === 'text' || predAnswer.kind === 'text') {
    return textKey(goldNormalized) === textKey(predNormalized) ? equivalent('same-text') : different('different-text');
  }
  return compareAnswers(goldAnswer, predAnswer, context);
}

/** A normalised answer as the comparison reads it: its parsed structure, or its text key when it is not mathematics. */
export function readAnswer(normalized: string): Answer | null {
  return normalized.length > MAX_ANSWER_LENGTH ? null : parseOrText(normalized);
}

export type ReadingReason = 'decimal-comma' | 'degrees-radians' | 'choice-letter';

export interface Reading {
  gold: string;
  pred: string;
  /** The verdict's reason when this reading makes the sides equal. */
  reason: ReadingReason;
}

/** `2,75`, `-1500,25`: one number whose comma could be a decimal mark (three digits after it are thousands: `58,500`). */
const DECIMAL_COMMA_NUMBER = /^-?\d+,(?:\d{1,2}|\d{4,})$/;
/** `1.234,56`: thousands marked with points and a decimal comma, as written in much of Europe. */
const POINT_THOUSANDS_NUMBER = /^-?\d{1,3}(?:\.\d{3})+,\d+$/;

/** A side read with a decimal comma: `2,75` → `2.75`, `1.234,56` → `1234.56`. */
function withDecimalComma(normalized: string): string {
  return POINT_THOUSANDS_NUMBER.test(normalized) ? normalized.replace(/\./g, '').replace(',', '.') : decimalCommasToPoints(normalized);
}

function isDecimalCommaNumber(normalized: string): boolean {
  return DECIMAL_COMMA_NUMBER.test(normalized) || POINT_THOUSANDS_NUMBER.test(normalized);
}
/** A value marked in degrees: `30^\circ`, `30°`, `\degree`, `30 degrees`. */
const DEGREE_MARK = /\^\s*\{?\s*\\circ|\u00b0|\\degree(?![A-Za-z])|\bdegrees?\b/;
/** A choice letter alone (`D`, `(D)`), and one that opens an option written out (`(D)12`, `(D)\frac{1}{2}` once normalised). */
const CHOICE_ALONE = /^\(?([A-E])\)?$/;
const CHOICE_OPENING = /^\(([A-E])\)./;

/**
 * Readings tried when the sides differ as written, each under a documented policy: `decimalComma: 'auto'` reads a
 * lone `2,75` as 2.75 when the other side is one value (no comma in it, and none followed by a space on this side:
 * `3, 25` stays a list); `degreesAsRadians` reads a value marked in degrees as radians when the other side holds π
 * (`30^\circ` = `\frac{\pi}{6}`); a choice letter (`D`) against an option written out with its letter (`(D) 12`) reads
 * the letter.
 */
export function* otherReadings(gold: string, goldNormalized: string, pred: string, predNormalized: string, options: EquivalenceOptions): Generator<Reading> {
  if (options.decimalComma === 'auto') {
    if (isDecimalCommaNumber(predNormalized) && !/,\s/.test(pred) && !goldNormalized.includes(',')) yield { gold: goldNormalized, pred: withDecimalComma(predNormalized), reason: 'decimal-comma' };
    if (isDecimalCommaNumber(goldNormalized) && !/,\s/.test(gold) && !predNormalized.includes(',')) yield { gold: withDecimalComma(goldNormalized), pred: predNormalized, reason: 'decimal-comma' };
  }
  const goldChoice = CHOICE_ALONE.exec(goldNormalized)?.[1];
  const predChoice = CHOICE_OPENING.exec(predNormalized)?.[1];
  if (goldChoice !== undefined && predChoice !== undefined) yield { gold: goldChoice, pred: predChoice, reason: 'choice-letter' };
  const predAlone = CHOICE_ALONE.exec(predNormalized)?.[1];
  const goldOpening = CHOICE_OPENING.exec(goldNormalized)?.[1];
  if (predAlone !== undefined && goldOpening !== undefined) yield { gold: goldOpening, pred: predAlone, reason: 'choice-letter' };
  if (options.degreesAsRadians) {
    const inRadians = (normalized: string): string => `\\frac{(${normalized})\\pi}{180}`;
    if (DEGREE_MARK.test(pred) && goldNormalized.includes('\\pi') && !predNormalized.includes(',')) yield { gold: goldNormalized, pred: inRadians(predNormalized), reason: 'degrees-radians' };
    if (DEGREE_MARK.test(gold) && predNormalized.includes('\\pi') && !goldNormalized.includes(',')) yield { gold: inRadians(goldNormalized), pred: predNormalized, reason: 'degrees-radians' };
  }
}

/**
 * Whether a predicted answer is equivalent to the gold one, in this thread and without a time budget: use it for
 * trusted input (tests, answer keys). For model output use `createMathGrader`, which runs heavy comparisons in a
 * worker that is stopped when over budget.
 */
export function areEquivalent(gold: string, pred: string | null, options: EquivalenceOptions = DEFAULT_EQUIVALENCE_OPTIONS, comparison: ComparisonContext = {}): Verdict {
  return compareIn(gold, pred, options, 'full', comparison);
}

/**
 * The in-thread fast path: decides comparisons whose cost is small and bounded by the input length (normalised text,
 * structure, text answers, exact comparison of numeric literals) and returns null for everything else.
 */
export function tryFastEquivalence(gold: string, pred: string | null, options: EquivalenceOptions = DEFAULT_EQUIVALENCE_OPTIONS, comparison: ComparisonContext = {}): Verdict | null {
  try {
    return compareIn(gold, pred, options, 'cheap', comparison);
  } catch (error) {
    if (error instanceof NeedsWorkerError) return null;
    throw error;
  }
}
