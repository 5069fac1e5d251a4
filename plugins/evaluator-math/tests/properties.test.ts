import { describe, expect, it } from 'vitest';
import { areEquivalent, DEFAULT_EQUIVALENCE_OPTIONS } from '../src/are-equivalent.js';
import { compareAnswers } from '../src/compare-answers.js';
import { seededRandom } from '../src/compare-expressions.js';
import { findAnswer } from '../src/find-answer.js';
import { normalizeAnswer } from '../src/normalize-answer.js';
import { parseAnswer } from '../src/parse-answer.js';
import { mathTestAnswers } from './math-test-answers.js';

const answers = mathTestAnswers();

/** Rewrites that change notation only. */
const REWRITES: [string, (answer: string) => string][] = [
  ['math delimiters', (answer) => `$${answer}$`],
  ['a box', (answer) => `\\boxed{${answer}}`],
  ['\\dfrac', (answer) => answer.replace(/\\frac/g, '\\dfrac')],
  ['\\left( \\right)', (answer) => answer.replace(/(?<!\\left)\(/g, '\\left(').replace(/(?<!\\right)\)/g, '\\right)')],
  ['spaces', (answer) => answer.replace(/([+=])/g, ' $1 ').replace(/,(?!\d{3}(?!\d))/g, ', ')],
];

describe('properties over the 5,000 MATH test answers', () => {
  it('has all of them', () => {
    expect(answers.length).toBe(5000);
  });

  it('every answer reads as one answer in mode auto (finding it changes nothing), and in a sentence it is found again', () => {
    expect(answers.filter((answer) => findAnswer(answer)?.rule !== 'whole' || findAnswer(answer)?.answer !== answer.trim())).toEqual([]);
    const lost = answers.filter((answer) => {
      const found = findAnswer(`Working through it, we find that the final answer is $${answer}$. I hope it is correct.`);
      return found === null || !areEquivalent(answer, found.answer).equivalent;
    });
    expect(lost).toEqual([]);
  });

  it('equivalent(a, a) for every answer', () => {
    const failures = answers.filter((answer) => !areEquivalent(answer, answer).equivalent);
    expect(failures).toEqual([]);
  });

  it('equivalent(a, a) on the parsed form too (structure and value, not the text shortcut)', () => {
    const failures: string[] = [];
    let parsed = 0;
    for (const answer of answers) {
      let structure;
      try {
        structure = parseAnswer(normalizeAnswer(answer));
      } catch {
        continue;
      }
      parsed++;
      if (!compareAnswers(structure, structure, { options: DEFAULT_EQUIVALENCE_OPTIONS, mode: 'full' }).equivalent) failures.push(answer);
    }
    expect(failures).toEqual([]);
    expect(parsed).toBeGreaterThan(4990);
  });

  it.each(REWRITES)('equivalent(a, rewrite(a)) for every answer: %s', (_name, rewrite) => {
    const failures = answers.filter((answer) => !areEquivalent(answer, rewrite(answer)).equivalent);
    expect(failures).toEqual([]);
  });

  it('symmetry: equivalent(a, b) = equivalent(b, a) (the default policy is symmetric)', () => {
    const random = seededRandom(5);
    const sorted = [...new Set(answers)].sort();
    const pairs: [string, string][] = [];
    const anyAnswer = () => answers[Math.floor(random() * answers.length)] ?? '';
    sorted.slice(1).forEach((answer, index) => pairs.push([sorted[index] ?? '', answer]));
    for (let index = 0; index < 3000; index++) pairs.push([anyAnswer(), anyAnswer()]);
    // pairs equal by value, not text: \frac{p}{q} against \frac{2p}{2q}
    for (const answer of answers) {
      const fraction = /^\\frac\{(\d+)\}\{(\d+)\}$/.exec(answer);
      if (fraction) pairs.push([answer, `\\frac{${2 * Number(fraction[1])}}{${2 * Number(fraction[2])}}`]);
    }
    const asymmetric = pairs.filter(([a, b]) => areEquivalent(a, b).equivalent !== areEquivalent(b, a).equivalent);
    expect(asymmetric).toEqual([]);
    // the pairs include equivalent ones reached by value, not by text
    expect(pairs.filter(([a, b]) => areEquivalent(a, b).reason === 'exact-rational').length).toBeGreaterThan(500);
  });
});
