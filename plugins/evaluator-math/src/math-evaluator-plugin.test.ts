import { PluginRegistry, SEED_PRICES_2025_11 } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { mathEvaluatorPlugin } from './math-evaluator-plugin.js';

describe('core/math plugin', () => {
  const registry = new PluginRegistry().register(mathEvaluatorPlugin);

  it('registers as an evaluator with documented defaults', () => {
    expect(registry.ids('evaluator')).toEqual(['core/math']);
    const options = mathEvaluatorPlugin.optionsSchema.parse({});
    expect(options).toMatchObject({ timeoutMs: 2000, relativeTolerance: 1e-4, percent: 'ignore-sign', bareLists: 'unordered', workers: 1, goldMode: 'auto', predictionMode: 'auto', decimalComma: 'auto', degreesAsRadians: true, approximations: 'shown-precision' });
  });

  it('rejects unknown option keys naming the key', () => {
    expect(() => registry.create('evaluator', 'core/math', { tolerance: 1 }, { priceTable: SEED_PRICES_2025_11 })).toThrow(/tolerance/);
  });

  it('extracts, grades, says which rule fired, and closes twice', async () => {
    const { instance, use } = registry.create('evaluator', 'core/math', { timeoutMs: 5000 }, { priceTable: SEED_PRICES_2025_11 });
    expect(use.options).toMatchObject({ timeoutMs: 5000 });
    const boxed = await instance.grade({ gold: '\\left( 3, \\frac{\\pi}{2} \\right)', response: 'Thus $(r,\\theta) = \\boxed{\\left(3, \\frac{\\pi}{2}\\right)}$' });
    const { explain, ...rest } = boxed as typeof boxed & { explain: unknown };
    expect(explain).toEqual({
      gold: { found: '\\left( 3, \\frac{\\pi}{2} \\right)', rule: 'whole', fallback: false, normalized: '(3,\\frac{\\pi}{2})', parsed: 'tuple: (3, π/2)' },
      prediction: { found: '\\left(3, \\frac{\\pi}{2}\\right)', rule: 'boxed', fallback: false, normalized: '(3,\\frac{\\pi}{2})', parsed: 'tuple: (3, π/2)' },
      reading: null,
      decision: 'normalized-string',
    });
    expect(rest).toEqual({
      correct: true,
      evaluator: 'core/math',
      reason: 'extraction: gold whole, prediction boxed; normalized-string',
      answer: '\\left(3, \\frac{\\pi}{2}\\right)',
      found: { gold: { answer: '\\left( 3, \\frac{\\pi}{2} \\right)', rule: 'whole', fallback: false }, prediction: { answer: '\\left(3, \\frac{\\pi}{2}\\right)', rule: 'boxed', fallback: false } },
      decision: 'normalized-string',
    });
    const fallback = await instance.grade({ gold: '7', response: 'adding 3 and 4 gives 7' });
    expect(fallback.reason).toBe('extraction: gold whole, prediction last-number (fallback); normalized-string');
    expect(fallback).toMatchObject({ found: { prediction: { answer: '7', rule: 'last-number', fallback: true } }, decision: 'normalized-string' });
    const given = await instance.grade({ gold: '\\frac{x+2}{7}', response: '\\frac x7+\\frac27', extracted: true });
    expect(given).toMatchObject({ correct: true, reason: 'extraction: gold whole, prediction whole; numeric-identity' });
    const wrong = await instance.grade({ gold: '5', response: 'The final answer is 6.' });
    expect(wrong).toMatchObject({ correct: false, answer: '6', reason: 'extraction: gold whole, prediction final-answer-is; different-value' });
    const none = await instance.grade({ gold: '5', response: 'I do not know.' });
    expect(none).toMatchObject({ correct: false, answer: null, reason: 'extraction: gold whole, prediction none; no-answer', found: { prediction: null }, decision: 'no-answer' });
    const delimited = await instance.grade({ gold: '$\\frac{7}{3}$', response: 'Adding up, the sum is $\\frac{7}{3}$.' });
    expect(delimited).toMatchObject({ correct: true, reason: 'extraction: gold inline-math, prediction inline-math; normalized-string' });
    await instance.close();
    await instance.close();
  });
});
