import { afterAll, describe, expect, it } from 'vitest';
import { areEquivalent, DEFAULT_EQUIVALENCE_OPTIONS } from './are-equivalent.js';
import { explainVerdict } from './explain.js';
import { findAnswer } from './find-answer.js';
import { createMathGrader } from './math-grader.js';

function explain(gold: string, pred: string) {
  const found = { gold: findAnswer(gold), prediction: findAnswer(pred) };
  const verdict = found.prediction === null ? { reason: 'no-answer' } : areEquivalent(found.gold!.answer, found.prediction.answer);
  return explainVerdict(found, verdict.reason, DEFAULT_EQUIVALENCE_OPTIONS);
}

describe('explainVerdict: each side as found, normalised and parsed, and the rule that decided', () => {
  it('a labelled list against its values in another order', () => {
    expect(explain('a = 4, b = 7', 'So $a = 7$ and $b = 4$.')).toEqual({
      gold: { found: 'a = 4, b = 7', rule: 'whole', fallback: false, normalized: 'a=4,b=7', parsed: 'list: a = 4, b = 7' },
      prediction: { found: 'a = 7, b = 4', rule: 'inline-math', fallback: false, normalized: 'a=7,b=4', parsed: 'list: a = 7, b = 4' },
      reading: null,
      decision: 'different-value',
    });
  });

  it('an inequality against an interval, with the kinds named', () => {
    const explanation = explain('(-3, 3)', 'We need $-3 < g(t) < 3$.');
    expect(explanation.gold.parsed).toBe('tuple: (-3, 3)');
    expect(explanation.prediction).toMatchObject({ found: '-3 < g(t) < 3', normalized: '-3<g(t)<3', parsed: 'relation: -3 < g·t < 3' });
    expect(explanation.decision).toBe('inequality-interval');
  });

  it('a reading under a policy shows the sides as it reads them', () => {
    expect(explain('3.25', '3,25').reading).toEqual({ reason: 'decimal-comma', gold: '3.25', prediction: '3.25' });
    expect(explain('D', '(D) 12').reading).toEqual({ reason: 'choice-letter', gold: 'D', prediction: 'D' });
    expect(explain('3.25', '3.25').reading).toBeNull();
  });

  it.each([
    ['2(x+1)', 'expression: 2·(x + 1)'],
    ['a-(b-c)', 'expression: a - (b - c)'],
    ['\\frac{1}{x y}', 'expression: 1/(x·y)'],
    ['x^{n+1}', 'expression: x^(n + 1)'],
    ['-\\frac{1}{2}', 'expression: -(1/2)'],
    ['[2, \\infty)', 'interval: [2, ∞)'],
    ['x \\ge 2', 'relation: x ≥ 2'],
    ['\\{1, 2\\}', 'set: {1, 2}'],
    ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', 'matrix: [[1, 2], [3, 4]]'],
    ['\\sum_{k=1}^{n} k^2', 'expression: Σ[k = 1..n](k^2)'],
    ['|x - 3|', 'expression: |x - 3|'],
  ])('prints %s as %s', (answer, parsed) => {
    expect(explain(answer, answer).gold.parsed).toBe(parsed);
  });

  it('text that is not mathematics, an approximation, and no answer', () => {
    expect(explain('\\text{Marcus}', 'The answer is Marcus.').prediction.parsed).toBe('text: "marcus"');
    expect(explain('\\frac{2}{7}', '$t \\approx 0.29$').prediction.parsed).toBe('approximate: ≈ 0.29');
    expect(explain('5', 'I cannot tell.')).toEqual({
      gold: { found: '5', rule: 'whole', fallback: false, normalized: '5', parsed: 'expression: 5' },
      prediction: { found: null, rule: null, fallback: false, normalized: null, parsed: null },
      reading: null,
      decision: 'no-answer',
    });
  });
});

describe('MathGrader.grade with explain and a question', () => {
  const grader = createMathGrader();
  afterAll(() => grader.close());

  it('explains only when asked, and reads labelled values in the question\'s order', async () => {
    expect((await grader.grade('4, 7', 'b = 7, a = 4')).explain).toBeUndefined();
    const inOrder = await grader.grade('4, 7', 'b = 7, a = 4', { question: 'Find $a$ and $b$.', explain: true });
    expect(inOrder).toMatchObject({ equivalent: true, reason: 'labelled-values', explain: { decision: 'labelled-values', prediction: { parsed: 'list: b = 7, a = 4' } } });
    expect(await grader.grade('4, 7', 'b = 7, a = 4')).toMatchObject({ equivalent: false });
  });
});
