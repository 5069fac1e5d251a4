import { describe, expect, it } from 'vitest';
import { findAnswer, readsAsOneAnswer, type AnswerRule } from './find-answer.js';

/** [response, answer, rule] */
const CASES: [string, string | null, AnswerRule | null][] = [
  // the last complete box, nested braces
  ['So $r = 3$ and the answer is \\boxed{\\left(3, \\frac{\\pi}{2}\\right)}.', '\\left(3, \\frac{\\pi}{2}\\right)', 'boxed'],
  ['First \\boxed{1}. After checking, the result is \\boxed{\\frac{\\sqrt{3}}{2}}', '\\frac{\\sqrt{3}}{2}', 'boxed'],
  ['\\fbox{42}', '42', 'boxed'],
  ['The set is \\boxed{\\{1, 2\\}}', '\\{1, 2\\}', 'boxed'],
  ['so \\boxed 5 is it', '5', 'boxed'],
  // a truncated last box is not complete: the previous one counts
  ['Thus \\boxed{12}. Wait, recompute: \\boxed{\\frac{1', '12', 'boxed'],
  // an empty box quoted from the prompt is not an answer
  ['Put your final answer in \\boxed{}.\nSo we get \\boxed{ \\begin{pmatrix} 1 \\\\ 2', '2', 'last-number'],
  ['Put your final answer in \\boxed{}.\nThe answer is 4.', '4', 'answer-is'],
  // repeated identical boxes
  ['We get \\boxed{7}.\n\nVerifying every case again, the answer stays \\boxed{ 7 }.', '7', 'boxed-repeated'],
  ['x = \\boxed{3} and x = \\boxed{3}', '3', 'boxed-repeated'],
  // several boxes that together form one answer
  ['The solutions are $x = \\boxed{2}$ and $x = \\boxed{-3}$.', '2, -3', 'boxed-combined'],
  ['\\boxed{1}, \\boxed{2}, \\boxed{3}', '1, 2, 3', 'boxed-combined'],
  ['\\boxed{2} \\quad \\boxed{5}', '2, 5', 'boxed-combined'],
  // boxes separated by reasoning are not combined
  ['The roots are \\boxed{2} and \\boxed{3}, so their sum is \\boxed{5}', '5', 'boxed'],
  // phrases
  ['The final answer is $\\frac{1}{2}$. I hope it is correct.', '\\frac{1}{2}', 'final-answer-is'],
  ['Final answer is: 3.5.', '3.5', 'final-answer-is'],
  ['So the answer is \\(x^2+1\\)', 'x^2+1', 'answer-is'],
  ['Hence the answer is 12 apples.\nDone.', '12 apples', 'answer-is'],
  ['**Answer:** $\\sqrt{2}$', '\\sqrt{2}', 'answer-label'],
  ['Work...\nFinal Answer: 17', '17', 'answer-label'],
  ['We conclude that the count is **24**.', '24', 'bold'],
  ['**Step 1** add. The total is **$\\frac{3}{4}$**', '\\frac{3}{4}', 'bold'],
  // the last display or inline math, when nothing states the answer
  ['Adding the parts, we get $2 + \\frac{1}{3}$, so the sum is $\\frac{7}{3}$.', '\\frac{7}{3}', 'inline-math'],
  ['The area is \\[ 40 \\text{ m}^2 \\]', '40 \\text{ m}^2', 'display-math'],
  ['Thus $$x = 2 + 3 = 5.$$', '5', 'display-math'],
  ['We find \\(g(t) = 3t\\) for every $t$.', 'g(t) = 3t', 'inline-math'],
  ['Simplify:\n\\begin{align*}\nS &= 1 + 2 + 3 \\\\\n  &= 6 \\label{eq:s}\n\\end{align*}', '6', 'display-math'],
  ['\\begin{equation} y = 5 \\end{equation}', 'y = 5', 'display-math'],
  ['The area is \\[ A = 3 \\cdot 4 = 12 \\text{ cm}^2 \\]', '12 \\text{ cm}^2', 'display-math'],
  ['Adding, $a + b = \\frac{7}{3}$.', '\\frac{7}{3}', 'inline-math'],
  ['so the roots satisfy $2x + 4 = 0$.', '2x + 4 = 0', 'inline-math'],
  ['So there are 1{,}000 ways.', '1{,}000 ways', 'statement'],
  ['It costs \\$5, and after tax $\\$5.40$ in total', '\\$5.40', 'inline-math'],
  // a reference to a variable is not an answer: the span before it is
  ['so $n = 12$ is the count we want, where $n$ counts the ways', 'n = 12', 'inline-math'],
  // math followed by a long tail (a runaway loop) is not the answer: the last number is, marked as a fallback
  [`so the digit is \\(6\\). Now \\(4^{${'4^{'.repeat(300)}`, '4', 'last-number'],
  // a bare answer reads as one answer, whatever its notation
  ['\\frac{7}{3}', '\\frac{7}{3}', 'whole'],
  ['\\text{Marcus}', '\\text{Marcus}', 'whole'],
  ['45 pct', '45 pct', 'whole'],
  ['2,499.50 USD', '2,499.50 USD', 'whole'],
  ['y > 3', 'y > 3', 'whole'],
  ['x = 1 \\text{ or } x = -2', 'x = 1 \\text{ or } x = -2', 'whole'],
  ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', 'whole'],
  ['The Eagles', 'The Eagles', 'whole'],
  ['\\$32,\\!348', '\\$32,\\!348', 'whole'],
  // a statement in one of the last sentences, when nothing else states the answer
  ['The smallest such k is 12.', '12', 'statement'],
  ['The correct option is (D).', '(D)', 'statement'],
  ['The smallest such k is 12, since 12 = 2^2 \\cdot 3 works.', '12', 'statement'],
  ['Final Answer: The final answer is 7. I hope it is correct.', '7', 'final-answer-is'],
  ['We tried every case. I hope it is correct.', null, null],
  // a trailing sentence that checks an answer stated before it is not the answer
  ['So $x = 6$. Check: $x^2 = 36$.', 'x = 6', 'inline-math'],
  ['The roots are $x = 2$ and $x = -3$. Checking: $2^2 + 2 - 6 = 0$.', 'x = 2, x = -3', 'inline-math'],
  ['Substituting $x = 3$ into the line, we get $y = 7$.', 'y = 7', 'inline-math'],
  ['We list $3$ cases. Checking all of them, the total is $42$.', '42', 'inline-math'],
  // a check with nothing stated before it stays the answer
  ['Check: $x^2 = 36$.', '36', 'inline-math'],
  // JSON-escaped LaTeX is read back first
  ['So \\\\boxed{\\\\frac{1}{2}}', '\\frac{1}{2}', 'boxed'],
  ['We simplify.\\nThe answer is \\\\(\\\\frac{1}{3}\\\\).', '\\frac{1}{3}', 'answer-is'],
  // fallback: the last number, marked as such
  ['Adding 3 and 4 gives 7', '7', 'last-number'],
  ['It costs 1,250 dollars, about 3.5 times more', '3.5', 'last-number'],
  // nothing at all
  ['I cannot solve this.', null, null],
  ['', null, null],
];

describe('findAnswer (mode auto)', () => {
  it.each(CASES)('%j', (response, answer, rule) => {
    const extraction = findAnswer(response);
    expect(extraction?.answer ?? null).toBe(answer);
    expect(extraction?.rule ?? null).toBe(rule);
    expect(extraction?.fallback ?? false).toBe(rule === 'last-number');
  });

  it('can leave out the last-number fallback', () => {
    expect(findAnswer('Adding 3 and 4 gives 7', { lastNumberFallback: false })).toBeNull();
  });

  it('mode bare takes the whole text; mode response never does', () => {
    expect(findAnswer('  12 apples and 3 pears ', { mode: 'bare' })).toEqual({ answer: '12 apples and 3 pears', rule: 'whole', fallback: false });
    expect(findAnswer('\\boxed{3}', { mode: 'bare' })?.rule).toBe('whole');
    expect(findAnswer('12 apples and 3 pears', { mode: 'response' })).toEqual({ answer: '3', rule: 'last-number', fallback: true });
    expect(findAnswer('Marcus', { mode: 'response' })).toBeNull();
    expect(findAnswer('Marcus')).toEqual({ answer: 'Marcus', rule: 'whole', fallback: false });
    expect(findAnswer('   ', { mode: 'bare' })).toBeNull();
  });

  it.each([
    ['7,5 €', true],
    ['(-\\infty, 2) \\cup (3, \\infty)', true],
    ['\\text{no solution}', true],
    ['adding 3 and 4 gives 7', false],
    ['We add them. Then 5', false],
    ['the answer follows from the first two steps of the argument above', false],
    ['x'.repeat(401), false],
  ])('reads %j as one answer: %s', (text, expected) => {
    expect(readsAsOneAnswer(text)).toBe(expected);
  });

  it('stays linear on unclosed delimiters (each missing closer is searched for once)', () => {
    const response = `${'$ \\( \\[ \\begin{equation} $$ '.repeat(20_000)}so $4$`;
    expect(findAnswer(response)?.answer).toBe('4');
  });

  // How long these take is measured by scripts/hostile-input-bench.ts (a benchmark, not a timed test).
  it('reads a box anywhere in a long response', () => {
    const response = `${'reasoning with {braces} and $math$ 1 2 3. '.repeat(20_000)}\\boxed{9}`;
    expect(findAnswer(response)?.answer).toBe('9');
  });

  it('survives unbalanced braces and stray backslashes', () => {
    const response = `\\boxed{${'{'.repeat(50_000)} \\boxed{4} \\`;
    expect(findAnswer(response)?.answer).toBe('4');
  });
});
