import { describe, expect, it } from 'vitest';
import { areEquivalent, DEFAULT_EQUIVALENCE_OPTIONS } from './are-equivalent.js';
import { findAnswer } from './find-answer.js';
import type { EquivalenceOptions } from './math-evaluator-options.js';

/**
 * The table of issue 14: gold and prediction each a bare answer, delimited LaTeX or a whole response. Each side goes
 * through `findAnswer` (mode auto) and then `areEquivalent`, as `confide grade --pairs` and the core/math plugin do.
 * Every case was written for this table; none comes from a public grader suite.
 */
type Case = [gold: string, pred: string, equivalent: boolean, options?: Partial<EquivalenceOptions>];

const CATEGORIES: Record<string, Case[]> = {
  'sides in delimiters or whole responses': [
    ['$12$', 'Final answer: \\[ 12 \\]', true],
    ['$\\frac{7}{3}$', 'We add the two parts, $2$ and $\\frac{1}{3}$, so the sum is $\\frac{7}{3}$.', true],
    ['\\(\\sqrt{2}\\)', 'Thus $$d = \\sqrt{2}.$$', true],
    ['$$x^2 - 1$$', 'Expanding gives \\begin{align*} (x-1)(x+1) &= x^2 + x - x - 1 \\\\ &= x^2 - 1 \\end{align*}', true],
    ['\\[ 5 \\]', 'The answer is $5$ apples.', true],
    ['$9$', 'Counting the cases we get 4 + 5 = 9 in total', true],
    ['$\\frac{7}{3}$', 'so the sum is $\\frac{7}{4}$.', false],
    ['12', 'Final answer: \\[ 13 \\]', false],
    ['\\begin{equation} 6 \\end{equation}', '\\begin{equation} y = 6 \\end{equation}', true],
    ['$4$', 'Let $n$ be the count. We find $n = 3$, where $n$ is the number of ways.', false],
    ['$(1,2)$', 'The final answer is $\\boxed{(1, 2)}$. I hope it is correct.', true],
    ['12', 'The area is \\[ A = 3 \\cdot 4 = 12 \\text{ cm}^2 \\]', true],
    ['$\\frac{7}{3}$', 'Solution: We have $a = 2$ and $b = \\frac{1}{3}$. Adding, $a + b = \\frac{7}{3}$.', true],
    ['$2\\sqrt{2}$', 'Thus the distance is $\\sqrt{8} = 2\\sqrt{2}$.', true],
    ['$x^2+2x+1$', 'Expanding, $(x+1)^2 = x^2 + 2x + 1$.', true],
    ['$x^2+2x+1$', 'Expanding, $(x+1)^2 = x^2 + 2x + 2$.', false],
    ['12', 'Therefore, the answer is: **12**', true],
    ['12', '**Answer:** The sum is $12$.', true],
    ['1000', 'So there are 1{,}000 ways.', true],
    ['2x + 4 = 0', 'The roots satisfy $x + 2 = 0$.', true],
    ['0', 'The roots satisfy $x + 2 = 0$.', false],
    ['\\text{(B)}', 'The correct choice is $\\textbf{(B)}$.', true],
  ],
  'decimal comma versus thousands separator': [
    ['3.5', '3,5', true],
    ['3,5', '3.5', true],
    ['2.75', '2,75', true],
    ['1500.25', '1500,25', true],
    ['12500', '12 500', true],
    ['3250000', '3,250,000', true],
    ['58500', '58,500', true],
    ['-2,1', '1, -2', true],
    ['-2.1', '-2,1', true],
    ['1.5', '1,500', false],
    ['2.75', '2,57', false],
    ['1, 2', '1,2', true],
    ['1.2', '1,2', false, { decimalComma: 'never' }],
    ['1.5', '1,500', true, { decimalComma: 'always' }],
    ['(2.5, 3)', '(2,5, 3)', true, { decimalComma: 'always' }],
    ['3250000', '3,250,000', true, { decimalComma: 'always' }],
  ],
  'numbers inside prose, with currency or units': [
    ['2499.50', '2,499.50 USD', true],
    ['\\$2,499.50', 'The laptop costs 2,499.50 USD.', true],
    ['7.5', '7,5 €', true],
    ['7.5', '€7.50', true],
    ['40', '40 m^2', true],
    ['40', 'The area is $40 \\text{ m}^2$.', true],
    ['£12', '12 pounds', true],
    ['18', '18 cm', true],
    ['2499.50', '2,499.05 USD', false],
    ['40', '41 m^2', false],
  ],
  'percent words': [
    ['45\\%', '45 pct', true],
    ['45 pct', '45\\%', true],
    ['45\\%', '45 percent', true],
    ['45', '45 per cent', true],
    ['45\\%', 'So the share is 45 percent', true],
    ['0.45', '45 pct', true, { percent: 'fraction' }],
    ['0.45', '45 percent', true, { percent: 'fraction' }],
    ['45\\%', '54 pct', false],
    ['45', '45 pct', false, { percent: 'fraction' }],
  ],
  'relations and inequalities': [
    ['y>3', '3<y', true],
    ['x \\ge 2', '2 \\le x', true],
    ['1 < x < 5', '5 > x > 1', true],
    ['-1 \\le t < 4', '4 > t \\geq -1', true],
    ['x \\leq 3', 'x ≤ 3', true],
    ['y>3', 'The solution is $y > 3$.', true],
    ['2x + 4 = 0', 'x + 2 = 0', true],
    ['x>3', 'x<3', false],
    ['x \\ge 2', 'x > 2', false],
    ['1 < x < 5', '1 < x \\le 5', false],
  ],
  'intervals, sets and set-builder notation': [
    ['(3, \\infty)', 'x > 3', true],
    ['\\{x \\mid x > 3\\}', '(3,\\infty)', true],
    ['\\{x : x \\geq -1\\}', 'x \\ge -1', true],
    ['\\{x \\in \\mathbb{R} \\mid 1 < x \\le 5\\}', '(1, 5]', true],
    ['\\{1,2,3\\}', '\\{3,1,2\\}', true],
    ['(-\\infty,1)\\cup(2,\\infty)', '(2,\\infty)\\cup(-\\infty,1)', true],
    ['[-2, 7]', 'x \\in [-2, 7]', true],
    ['\\emptyset', '\\{\\}', true],
    ['[1,5)', '[1,5]', false],
    ['\\{x \\mid x > 3\\}', '[3,\\infty)', false],
    ['\\{1,2,3\\}', '\\{1,2\\}', false],
  ],
  'matrices and vectors': [
    ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '\\begin{bmatrix}1\\\\2\\end{bmatrix}', true],
    ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '(1,2)', true],
    ['\\begin{pmatrix} 1/5 \\\\ -18/5 \\end{pmatrix}', 'So $\\mathbf{v} = \\begin{pmatrix} \\frac{1}{5} \\\\ -\\frac{18}{5} \\end{pmatrix}$.', true],
    ['\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', '\\begin{bmatrix}1 & 2\\\\ 3 & 4\\end{bmatrix}', true],
    ['\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', '\\begin{bmatrix}1&2\\\\3&5\\end{bmatrix}', false],
    ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '\\begin{pmatrix}2\\\\1\\end{pmatrix}', false],
    ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '(1,2)', false, { vectorAsTuple: false }],
  ],
  '\\pm and answer lists in any order': [
    ['\\pm 2', '2, -2', true],
    ['\\pm 2', '-2,2', true],
    ['1 \\pm \\sqrt{3}', '1-\\sqrt3, 1+\\sqrt3', true],
    ['1,2,3', '3,2,1', true],
    ['x=1 \\text{ or } x=2', '2, 1', true],
    ['-3, 5', 'The solutions are $x = 5$ and $x = -3$.', true],
    ['\\pm 2', '2', false],
    ['1,2,3', '1,2', false],
    ['(1,2)', '(2,1)', false],
  ],
  'labelled answers: y = 5 against 5, g(t) = 3t against 3t': [
    ['5', 'y = 5', true],
    ['y=5', '5', true],
    ['3t', 'g(t) = 3t', true],
    ['g(t)=3t', '3t', true],
    ['x^2+1', 'f(x) = x^2 + 1', true],
    ['3t', 'We get $g(t) = 3t$ for all $t$.', true],
    ['5', 'y = 6', false],
    ['3t', 'g(t) = 3t + 1', false],
  ],
  'text answers': [
    ['\\text{Marcus}', 'Marcus', true],
    ['\\text{Marcus}', '\\textbf{marcus}', true],
    ['Marcus', '\\text{Marcus}', true],
    ['\\text{Marcus}', 'The answer is Marcus.', true],
    ['\\text{no solution}', 'No solution', true],
    ['\\text{Marcus}', 'Mark', false],
    ['\\text{Marcus}', 'The answer is Evelyn.', false],
  ],
  'degrees and radians': [
    ['30^\\circ', '30', true],
    ['30', '30°', true],
    ['30^\\circ', '\\frac{\\pi}{6}', true],
    ['\\frac{\\pi}{6}', '30°', true],
    ['\\frac{\\pi}{2}', '90 degrees', true],
    ['\\frac{\\pi}{2}', '90^{\\circ}', true],
    ['\\frac{\\pi}{3}', '\\frac{\\pi}{3} \\text{ radians}', true],
    ['90^\\circ', '\\frac{\\pi}{3}', false],
    ['\\frac{\\pi}{6}', '30', false],
    ['30^\\circ', '\\frac{\\pi}{6}', false, { degreesAsRadians: false }],
  ],
  'several boxes forming one answer': [
    ['-3, 2', 'The solutions are $x = \\boxed{2}$ and $x = \\boxed{-3}$.', true],
    ['1, 2, 3', '\\boxed{1}, \\boxed{2}, \\boxed{3}', true],
    ['(2, 5)', 'So $a = \\boxed{2}$ and $b = \\boxed{5}$', true],
    ['5', 'The roots are \\boxed{2} and \\boxed{3}, so their sum is \\boxed{5}', true],
    ['-3, 2', 'The solutions are $x = \\boxed{2}$ and $x = \\boxed{3}$.', false],
  ],
  // ---- issue 30 -----------------------------------------------------------------------------------------------
  'several answers in a response': [
    ['-3, 2', 'Thus $\\boxed{x = 2} \\quad \\text{and} \\quad \\boxed{x = -3}$.', true],
    ['(1,6),(6,1)', 'The pairs are $(m, n) = (1, 6)$ and $(6, 1)$.', true],
    ['3, 5', 'The primes are p = 3 or p = 5.', true],
    ['(2, 9)', 'We find $m=2$; $n=9$.', true],
    ['a = 4, b = 7', 'So $a = 4$ and $b = 7$.', true],
    ['-3, 2', 'Thus $\\boxed{x = 2} \\quad \\text{and} \\quad \\boxed{x = 3}$.', false],
    ['(2, 9)', 'We find $m=9$; $n=2$.', false],
    ['a = 4, b = 7', 'So $a = 7$ and $b = 4$.', false],
  ],
  'prose answers': [
    ['12', 'The smallest such k is 12.', true],
    ['12', 'The smallest such k is 12, since 12 = 2^2 \\cdot 3 works.', true],
    ['7', 'Final Answer: The final answer is 7. I hope it is correct.', true],
    ['D', 'The correct option is (D).', true],
    ['D', '(D)', true],
    ['\\text{(D)}', 'Comparing the four options, the correct option is (D).', true],
    ['4.5', 'The price is 4,50 €.', true],
    ['D', 'Option (D) is correct.', true],
    ['D', 'Option (C) is correct.', false],
    ['12', 'The smallest such k is 13.', false],
    ['D', 'The correct option is (B).', false],
    ['7', 'Final Answer: The final answer is 8. I hope it is correct.', false],
  ],
  'a last math span that restates a check': [
    ['6', 'Solving gives $x = 6$. Check: $x^2 = 36$.', true],
    ['6', 'So $x = 6$.\n\nTo verify, substitute back: $6^2 = 36$ and $36 - 36 = 0$.', true],
    ['-3, 2', 'The roots are $x = 2$ and $x = -3$. Checking: $2^2 + 2 - 6 = 0$.', true],
    ['7', 'Substituting $x = 3$ into the line, we get $y = 7$.', true],
    ['36', 'Solving gives $x = 6$. Check: $x^2 = 36$.', false],
    ['6', 'So $x = 5$. Check: $x + 1 = 6$.', false],
  ],
  'escaped LaTeX in a response': [
    ['\\frac{1}{2}', 'So the answer is \\\\boxed{\\\\frac{1}{2}}.', true],
    ['(1, 2)', 'Thus \\\\(\\\\left(1, 2\\\\right)\\\\).', true],
    ['\\frac{1}{2}', 'We simplify.\\nSo \\\\boxed{\\\\dfrac{1}{2}}', true],
    ['\\frac{1}{2}', 'We simplify.\\nThe answer is \\\\boxed{\\\\frac{1}{3}}.', false],
  ],
  'approximations in a response': [
    ['\\frac{2}{7}', 'So $t = \\frac{2}{7} \\approx 0.29$ hours.', true],
    ['5', 'The radius is $r \\approx 5$ cm.', true],
    ['\\frac{2}{7}', 'So $t = \\frac{3}{7} \\approx 0.43$ hours.', false],
    ['5.02', 'The radius is $r \\approx 5$ cm.', true],
    ['5.02', 'The radius is $r \\approx 5$ cm.', false, { approximations: 'as-written' }],
  ],
  'unicode math': [
    ['x \\le 3', 'x ≤ 3', true],
    ['6', '2×3', true],
    ['\\sqrt{2}', '√2', true],
    ['2\\pi', '2π', true],
    ['x^2', 'x²', true],
    ['10^{3}', '10³', true],
    ['x^{-1}', 'x⁻¹', true],
    ['-1', '−1', true],
    ['\\infty', '∞', true],
    ['\\frac{1}{2}', '½', true],
    ['\\frac{3}{2}', '1½', true],
    ['\\pm 3', '±3', true],
    ['\\theta + 1', 'θ + 1', true],
    ['\\sqrt[3]{2}', '∛2', true],
    ['(-\\infty, 2) \\cup (3, \\infty)', '(−∞, 2) ∪ (3, ∞)', true],
    ['x^3', 'x²', false],
    ['\\sqrt{3}', '√2', false],
  ],
};

const groups = Object.entries(CATEGORIES);

function grade(gold: string, pred: string, options: Partial<EquivalenceOptions> = {}) {
  const goldAnswer = findAnswer(gold)?.answer ?? '';
  const predAnswer = findAnswer(pred)?.answer ?? null;
  return areEquivalent(goldAnswer, predAnswer, { ...DEFAULT_EQUIVALENCE_OPTIONS, ...options });
}

describe.each(groups)('%s', (_category, cases) => {
  it('has cases of both verdicts', () => {
    expect(new Set(cases.map(([, , verdict]) => verdict))).toEqual(new Set([true, false]));
  });
  it.each(cases)('%s vs %s -> %s', (gold, pred, expected, options) => {
    const verdict = grade(gold, pred, options);
    expect(verdict.equivalent, verdict.reason).toBe(expected);
  });
});

describe('the policies name themselves in the reason', () => {
  it.each([
    ['3.5', '3,5', 'decimal-comma'],
    ['30^\\circ', '\\frac{\\pi}{6}', 'degrees-radians'],
  ])('%s vs %s: %s', (gold, pred, reason) => {
    expect(grade(gold, pred).reason).toBe(reason);
  });
});
