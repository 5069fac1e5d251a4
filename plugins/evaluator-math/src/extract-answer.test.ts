import { describe, expect, it } from 'vitest';
import { extractAnswer, type ExtractionRule } from './extract-answer.js';

/** [response, answer, rule] */
const CASES: [string, string | null, ExtractionRule | null][] = [
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
  // fallback: the last number, marked as such
  ['Adding 3 and 4 gives 7', '7', 'last-number'],
  ['It costs 1,250 dollars, about 3.5 times more', '3.5', 'last-number'],
  // nothing at all
  ['I cannot solve this.', null, null],
  ['', null, null],
];

describe('extractAnswer', () => {
  it.each(CASES)('%j', (response, answer, rule) => {
    const extraction = extractAnswer(response);
    expect(extraction?.answer ?? null).toBe(answer);
    expect(extraction?.rule ?? null).toBe(rule);
    expect(extraction?.fallback ?? false).toBe(rule === 'last-number');
  });

  it('can leave out the last-number fallback', () => {
    expect(extractAnswer('Adding 3 and 4 gives 7', { lastNumberFallback: false })).toBeNull();
  });

  // How long these take is measured by scripts/hostile-input-bench.ts (a benchmark, not a timed test).
  it('reads a box anywhere in a long response', () => {
    const response = `${'reasoning with {braces} and $math$ 1 2 3. '.repeat(20_000)}\\boxed{9}`;
    expect(extractAnswer(response)?.answer).toBe('9');
  });

  it('survives unbalanced braces and stray backslashes', () => {
    const response = `\\boxed{${'{'.repeat(50_000)} \\boxed{4} \\`;
    expect(extractAnswer(response)?.answer).toBe('4');
  });
});
