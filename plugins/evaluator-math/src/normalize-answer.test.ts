import { describe, expect, it } from 'vitest';
import { normalizeAnswer } from './normalize-answer.js';
import { parseAnswer } from './parse-answer.js';

const CASES: [string, string][] = [
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3,\\frac{\\pi}{2})'],
  ['$\\dfrac{1}{2}$', '\\frac{1}{2}'],
  ['\\(\\tfrac12\\)', '\\frac{1}{2}'],
  ['\\boxed{5}', '5'],
  ['\\frac12', '\\frac{1}{2}'],
  ['\\frac\\pi2', '\\frac{\\pi}{2}'],
  ['\\frac{\\frac12}{3}', '\\frac{\\frac{1}{2}}{3}'],
  ['\\sqrt2', '\\sqrt{2}'],
  ['\\sqrt[3]x', '\\sqrt[3]{x}'],
  ['10,\\!080', '10080'],
  ['11,\\! 111,\\! 111,\\! 100', '11111111100'],
  ['32{,}349', '32349'],
  ['58,500', '58500'],
  ['32, 349', '32,349'],
  ['.5', '0.5'],
  ['-.25', '-0.25'],
  ['\\$32,\\!348', '32348'],
  ['-\\$0.50', '-0.50'],
  ['\\text{Evelyn}', 'Evelyn'],
  ['\\textbf{(C)}', '(C)'],
  ['864 \\mbox{ inches}^2', '864'],
  ['135\\text{ square feet}', '135'],
  ['18 inches', '18'],
  ['5 cm', '5'],
  ['90^\\circ', '90'],
  ['30^{\\circ}', '30'],
  ['28\\%', '28'],
  ['12^{\\mathrm{th}}', '12'],
  ['[3, +\\infty)', '[3,\\infty)'],
  ['\\infinity', '\\infty'],
  ['1\\frac{1}{10}', '\\frac{11}{10}'],
  ['-2\\frac{1}{2}', '-\\frac{5}{2}'],
  ['3\\frac{\\sqrt2}{2}', '3\\frac{\\sqrt{2}}{2}'],
  ['x = 5', '5'],
  ['k=\\frac12', '\\frac{1}{2}'],
  ['y = 2x + 3', 'y=2x+3'],
  ['(p,q,r)=(3,2,7)', '(3,2,7)'],
  ['x \\in [-2,7]', '[-2,7]'],
  ['204_5', '204_{5}'],
  ['x_1 + x_2', 'x_{1}+x_{2}'],
  ['\\pi r^2', '\\pi r^2'],
  ['x \\leq 5', 'x\\le5'],
  ['\\lbrace 1, 2 \\rbrace', '\\{1,2\\}'],
  ['\\varnothing', '\\emptyset'],
  ['2 \\text{ or } -3', '2,-3'],
  ['x=1 \\quad x=2', 'x=1,x=2'],
  ['\\frac{7}{5} + \\frac{1}{5} i.', '\\frac{7}{5}+\\frac{1}{5}i'],
  ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '\\begin{pmatrix}1\\\\2\\end{pmatrix}'],
  ['\u22122 \u00d7 3', '-2\\times3'],
  ['\\\\frac{1}{2}', '\\frac{1}{2}'],
  ['\\\\left( 1, 2 \\\\right)', '(1,2)'],
  ['x \u2248 0.29', 'x\\approx0.29'],
  ['x \\simeq 0.29', 'x\\approx0.29'],
  ['\\mathbb{R} \\backslash \\{0\\}', '(-\\infty,\\infty)\\setminus\\{0\\}'],
  ['x \\not= 4', 'x\\ne4'],
];

describe('normalizeAnswer', () => {
  it.each(CASES)('%j -> %j', (input, expected) => {
    expect(normalizeAnswer(input)).toBe(expected);
  });

  it('keeps the options apart: the percent policy changes the normal form', () => {
    expect(normalizeAnswer('28\\%', { percent: 'fraction', mixedNumbers: true, stripUnits: true, decimalComma: 'auto' })).toBe('28/100');
    expect(normalizeAnswer('2\\frac{1}{2}', { percent: 'ignore-sign', mixedNumbers: false, stripUnits: true, decimalComma: 'auto' })).toBe('2\\frac{1}{2}');
    expect(normalizeAnswer('18 inches', { percent: 'ignore-sign', mixedNumbers: true, stripUnits: false, decimalComma: 'auto' })).toBe('18inches');
  });

  it('normalises long and hostile input without throwing (scripts/hostile-input-bench.ts times it)', () => {
    const hostile = [`${' '.repeat(100_000)}x`, '{'.repeat(50_000), '\\frac'.repeat(20_000), `(a,${'a,'.repeat(30_000)}`, '\\text{'.repeat(20_000)];
    for (const input of hostile) expect(typeof normalizeAnswer(input), input.slice(0, 20)).toBe('string');
  });
});

describe('parseAnswer', () => {
  it.each([
    ['(1,2)', 'tuple'],
    ['[0,1)', 'tuple'],
    ['\\{1,2\\}', 'set'],
    ['1,2', 'list'],
    ['(0,1)\\cup(2,3)', 'union'],
    ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', 'matrix'],
    ['y=2x+3', 'relation'],
    ['Evelyn', 'text'],
    ['\\frac{1}{2}', 'expression'],
    ['1\\pm\\sqrt{2}', 'list'],
    ['r\\approx5', 'approximate'],
    ['\\frac{2}{7}\\approx0.29', 'expression'],
    ['t=\\frac{2}{7}\\approx0.29', 'relation'],
    ['(-\\infty,\\infty)\\setminus\\{0\\}', 'union'],
    ['2\\begin{pmatrix}1\\\\2\\end{pmatrix}', 'matrix'],
    ['\\sum_{k=1}^{n}k', 'expression'],
  ])('%s is a %s', (input, kind) => {
    expect(parseAnswer(input).kind).toBe(kind);
  });

  it.each([
    '(1,2',
    '\\frac{1}',
    '\\unknowncommand{x}',
    '1+',
    '\\begin{pmatrix}1',
    // matrix arithmetic that does not add up: a number plus a matrix, sizes that do not match
    '1+\\begin{pmatrix}1\\\\2\\end{pmatrix}',
    '\\begin{pmatrix}1\\\\2\\end{pmatrix}+\\begin{pmatrix}1&2\\end{pmatrix}',
    '\\begin{pmatrix}1\\\\2\\end{pmatrix}\\begin{pmatrix}1\\\\2\\end{pmatrix}',
    // a set difference of something other than numbers
    '(-\\infty,\\infty)\\setminus\\{x\\}',
    '\\sum_{k}k',
  ])('rejects %s', (input) => {
    expect(() => parseAnswer(input)).toThrow();
  });

  it('rejects nesting deeper than its limit instead of overflowing the stack', () => {
    expect(() => parseAnswer(`${'('.repeat(1_000)}1${')'.repeat(1_000)}`)).toThrow(/deeply/);
  });
});
