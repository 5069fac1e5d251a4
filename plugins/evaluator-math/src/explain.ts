import { otherReadings, readAnswer, type ReadingReason } from './are-equivalent.js';
import { printAnswer } from './compare-answers.js';
import type { FoundAnswer } from './find-answer.js';
import type { EquivalenceOptions } from './math-evaluator-options.js';
import { normalizeAnswer } from './normalize-answer.js';
import type { Answer } from './parse-answer.js';

/** One side of a comparison as core/math read it: found, normalised, parsed. */
export interface ExplainedSide {
  /** The answer found in the side's text (null: nothing read as an answer), the rule that found it, whether it is a fallback. */
  found: string | null;
  rule: string | null;
  fallback: boolean;
  /** The found answer after normalisation (notation removed). */
  normalized: string | null;
  /**
   * The parsed structure, printed: `list: 2, -3`, `interval: (-3,3)`, `relation: x=(-3)`, `expression: (1/2)`;
   * `text: "marcus"` for an answer that is not mathematics; null when nothing was found or it is too long to parse.
   */
  parsed: string | null;
}

/** Why core/math decided as it did: both sides as found, normalised and parsed, and the rule that decided. */
export interface VerdictExplanation {
  gold: ExplainedSide;
  prediction: ExplainedSide;
  /**
   * When the sides were equal only under a reading of a policy (`decimal-comma`, `degrees-radians`, `choice-letter`):
   * the reading and the two normalised sides as it reads them; else null.
   */
  reading: { reason: ReadingReason; gold: string; prediction: string } | null;
  /** The rule that decided (the verdict's reason: `normalized-string`, `labelled-values`, `different-value`, …). */
  decision: string;
}

function kindOf(answer: Answer): string {
  if (answer.kind === 'tuple') {
    const interval = answer.open === '[' || answer.close === ']' || answer.items.some((item) => item.kind === 'expression' && printAnswer(item).includes('#infinity'));
    return interval ? 'interval' : 'tuple';
  }
  return answer.kind;
}

/** A parsed answer printed with its kind (`list: 2,(-3)`), or the text key of an answer that is not mathematics. */
export function describeParsed(answer: Answer): string {
  return `${kindOf(answer)}: ${printAnswer(answer)}`;
}

function explainSide(found: FoundAnswer | null, options: EquivalenceOptions): ExplainedSide {
  if (found === null) return { found: null, rule: null, fallback: false, normalized: null, parsed: null };
  const normalized = normalizeAnswer(found.answer, options);
  const parsed = readAnswer(normalized);
  return { found: found.answer, rule: found.rule, fallback: found.fallback, normalized, parsed: parsed === null ? null : describeParsed(parsed) };
}

const READINGS: ReadonlySet<string> = new Set<ReadingReason>(['decimal-comma', 'degrees-radians', 'choice-letter']);

/**
 * The explanation of a verdict on two found answers: each side normalised and parsed again here (cached, linear in
 * the answer's length, so it costs little beside the comparison), and the reading that made them equal, if any.
 */
export function explainVerdict(found: { gold: FoundAnswer | null; prediction: FoundAnswer | null }, decision: string, options: EquivalenceOptions): VerdictExplanation {
  const gold = explainSide(found.gold, options);
  const prediction = explainSide(found.prediction, options);
  let reading: VerdictExplanation['reading'] = null;
  if (READINGS.has(decision) && found.gold !== null && found.prediction !== null && gold.normalized !== null && prediction.normalized !== null) {
    for (const candidate of otherReadings(found.gold.answer, gold.normalized, found.prediction.answer, prediction.normalized, options)) {
      if (candidate.reason === decision) {
        reading = { reason: candidate.reason, gold: candidate.gold, prediction: candidate.pred };
        break;
      }
    }
  }
  return { gold, prediction, reading, decision };
}
