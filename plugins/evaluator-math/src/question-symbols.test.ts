import { describe, expect, it } from 'vitest';
import { questionSymbols } from './question-symbols.js';

describe('questionSymbols', () => {
  it.each([
    ['Find $a$ and $b$.', ['a', 'b']],
    ['Find the ordered pair $(m,n)$ such that $n + 2m = 5$.', ['m', 'n']],
    ['Let $x_1$ and \\(x_{2}\\) be the roots; compute $\\alpha + \\beta$.', ['x_1', 'x_2', 'alpha', 'beta']],
    ['A train leaves at 3 pm; a letter is sent.', []],
    ['The length is $5\\text{ cm}$ and the width $w$.', ['w']],
  ])('%s -> %j', (question, symbols) => {
    expect(questionSymbols(question)).toEqual(symbols);
  });
});
