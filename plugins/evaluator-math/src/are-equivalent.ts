import { compareAnswers } from './compare-answers.js';
import type { CompareContext } from './compare-expressions.js';
import { DEFAULT_MATH_EVALUATOR_OPTIONS, equivalenceOptionsOf, type EquivalenceOptions } from './math-evaluator-options.js';
import { normalizeAnswer } from './normalize-answer.js';
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

function compareIn(gold: string, pred: string | null, options: EquivalenceOptions, mode: CompareContext['mode']): Verdict {
  if (pred === null || pred.trim() === '') return different('no-answer');
  const goldNormalized = normalizeAnswer(gold, options);
  const predNormalized = normalizeAnswer(pred, options);
  if (predNormalized === '') return different('no-answer');
  if (goldNormalized === predNormalized) return equivalent('normalized-string');
  if (goldNormalized.length > MAX_ANSWER_LENGTH || predNormalized.length > MAX_ANSWER_LENGTH) return different('too-long');
  const goldAnswer = parseOrText(goldNormalized);
  const predAnswer = parseOrText(predNormalized);
  if (goldAnswer.kind === 'text' || predAnswer.kind === 'text') {
    return textKey(goldNormalized) === textKey(predNormalized) ? equivalent('same-text') : different('different-text');
  }
  return compareAnswers(goldAnswer, predAnswer, { options, mode });
}

/**
 * Whether a predicted answer is equivalent to the gold one, in this thread and without a time budget: use it for
 * trusted input (tests, answer keys). For model output use `createMathGrader`, which runs heavy comparisons in a
 * worker that is stopped when over budget.
 */
export function areEquivalent(gold: string, pred: string | null, options: EquivalenceOptions = DEFAULT_EQUIVALENCE_OPTIONS): Verdict {
  return compareIn(gold, pred, options, 'full');
}

/**
 * The in-thread fast path: decides comparisons whose cost is small and bounded by the input length (normalised text,
 * structure, text answers, exact comparison of numeric literals) and returns null for everything else.
 */
export function tryFastEquivalence(gold: string, pred: string | null, options: EquivalenceOptions = DEFAULT_EQUIVALENCE_OPTIONS): Verdict | null {
  try {
    return compareIn(gold, pred, options, 'cheap');
  } catch (error) {
    if (error instanceof NeedsWorkerError) return null;
    throw error;
  }
}
