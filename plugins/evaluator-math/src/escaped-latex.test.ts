import { describe, expect, it } from 'vitest';
import { isEscapedLatex, unescapeLatex } from './escaped-latex.js';

/** [text, escaped?, as read back] */
const CASES: [string, boolean, string][] = [
  ['\\\\frac{1}{2}', true, '\\frac{1}{2}'],
  ['\\\\left(1, 2\\\\right)', true, '\\left(1, 2\\right)'],
  ['\\\\begin{pmatrix} 1 \\\\\\\\ 2 \\\\end{pmatrix}', true, '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}'],
  ['So \\\\boxed{3}.\\nDone, \\"yes\\".', true, 'So \\boxed{3}.\nDone, "yes".'],
  // plain LaTeX: its \\ are row breaks, and a single backslash before a command says it is not escaped
  ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', false, '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}'],
  ['\\frac{1}{2}', false, '\\frac{1}{2}'],
  ['a \\\\ b', false, 'a \\\\ b'],
  ['1 \\\\x', false, '1 \\\\x'],
  ['\\\\frac{1}{2} + \\sqrt{2}', false, '\\\\frac{1}{2} + \\sqrt{2}'],
];

describe('escaped LaTeX', () => {
  it.each(CASES)('%j: escaped %s, read as %j', (text, escaped, read) => {
    expect(isEscapedLatex(text)).toBe(escaped);
    expect(unescapeLatex(text)).toBe(read);
  });

  it('stays linear on long runs of backslashes', () => {
    const text = `${'\\\\frac'.repeat(50_000)}${'\\'.repeat(100_001)}`;
    expect(unescapeLatex(text)).toBe(text);
  });
});
