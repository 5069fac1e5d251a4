import { otherReadings, readAnswer, type ReadingReason } from './are-equivalent.js';
import { canonicalDecimal, type Expr } from './expression.js';
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
   * The parsed structure with its kind, printed with the brackets precedence needs: `list: x = 2, x = -3`,
   * `interval: [2, ∞)`, `relation: -3 < g·t < 3`, `expression: 1/2`, `approximate: ≈ 0.29`; `text: "marcus"` for an
   * answer that is not mathematics; null when nothing was found or it is too long to parse.
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

const PRECEDENCE: Record<string, number> = { '+': 1, '-': 1, pm: 1, mp: 1, '*': 2, '/': 2, negate: 3, '^': 4 };
const OPERATOR_TEXT: Record<string, string> = { '+': ' + ', '-': ' - ', pm: ' ± ', mp: ' ∓ ', '*': '·', '/': '/', '^': '^' };
const CONSTANT_TEXT: Record<string, string> = { pi: 'π', e: 'e', i: 'i', infinity: '∞' };
const RELATION_TEXT: Record<string, string> = { '=': ' = ', '<': ' < ', '<=': ' ≤ ', '>': ' > ', '>=': ' ≥ ', '!=': ' ≠ ' };

function precedenceOf(expr: Expr): number {
  if (expr.type === 'operator') return PRECEDENCE[expr.operator]!;
  if (expr.type === 'negate') return PRECEDENCE['negate']!;
  return 5;
}

/** An expression as a reader writes it: brackets only where precedence needs them (`2·(x + 1)`, `-(1/2)`, `x^(n+1)`). */
function readableExpr(expr: Expr): string {
  const wrap = (child: Expr, minimum: number): string => (precedenceOf(child) < minimum ? `(${readableExpr(child)})` : readableExpr(child));
  switch (expr.type) {
    case 'number':
      return canonicalDecimal(expr.value);
    case 'repeating':
      return `${expr.numerator}/${expr.denominator}`;
    case 'based':
      return `${expr.digits}_${expr.base}`;
    case 'symbol':
      return expr.name;
    case 'constant':
      return CONSTANT_TEXT[expr.name]!;
    case 'negate':
      return `-${wrap(expr.argument, 4)}`;
    case 'operator': {
      const own = PRECEDENCE[expr.operator]!;
      // the right side of -, / and ^ needs brackets at equal precedence: a - (b + c), a/(b·c), (a^b)^c
      const right = expr.operator === '^' ? wrap(expr.right, 5) : wrap(expr.right, expr.operator === '-' || expr.operator === '/' ? own + 1 : own);
      return `${wrap(expr.left, expr.operator === '^' ? 5 : own)}${OPERATOR_TEXT[expr.operator]}${right}`;
    }
    case 'call':
      if (expr.name === 'abs') return `|${readableExpr(expr.args[0]!)}|`;
      if (expr.name === 'factorial') return `${wrap(expr.args[0]!, 5)}!`;
      return `${expr.name}(${expr.args.map(readableExpr).join(', ')})`;
    case 'indexed':
      return `${expr.operator === 'sum' ? 'Σ' : 'Π'}[${expr.index} = ${readableExpr(expr.from)}..${readableExpr(expr.to)}](${readableExpr(expr.body)})`;
  }
}

function readableAnswer(answer: Answer): string {
  switch (answer.kind) {
    case 'expression':
      return readableExpr(answer.expr);
    case 'tuple':
      return `${answer.open}${answer.items.map(readableAnswer).join(', ')}${answer.close}`;
    case 'set':
      return `{${answer.items.map(readableAnswer).join(', ')}}`;
    case 'list':
      return answer.items.map(readableAnswer).join(', ');
    case 'union':
      return answer.parts.map(readableAnswer).join(' ∪ ');
    case 'matrix':
      return `[${answer.rows.map((row) => `[${row.map(readableAnswer).join(', ')}]`).join(', ')}]`;
    case 'relation':
      return answer.operands.map((operand, index) => (index === 0 ? '' : RELATION_TEXT[answer.operators[index - 1]!]) + readableAnswer(operand)).join('');
    case 'approximate':
      return `≈ ${readableAnswer(answer.value)}`;
    case 'text':
      return `"${answer.text}"`;
  }
}

function kindOf(answer: Answer): string {
  if (answer.kind === 'tuple') {
    const infinite = answer.items.some((item) => item.kind === 'expression' && readableExpr(item.expr).includes('∞'));
    return answer.open === '[' || answer.close === ']' || infinite ? 'interval' : 'tuple';
  }
  return answer.kind;
}

/** A parsed answer printed with its kind (`list: x = 2, x = -3`), or the text key of an answer that is not mathematics. */
export function describeParsed(answer: Answer): string {
  return `${kindOf(answer)}: ${readableAnswer(answer)}`;
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
