import { SEED_PRICES_2025_11 } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { accuracy } from './accuracy.js';
import { calibrationAccuracy, tokenCorrectnessTable, tokenDistribution } from './confidence-tokens.js';
import { totalCostUsd, totalUsage, usdFixed } from './cost.js';
import { paretoFrontier } from './pareto-frontier.js';
import { accuracyBySlice } from './slices.js';
import { makeRecord } from './testing/make-record.js';

const C = '<|c_math|>' as const;
const U = '<|u_math|>' as const;

// Hand-made table: 8 answers.
//   token:    c  c  c  u  u  none  c  u
//   correct:  T  T  F  F  T  T     T  F
// calibrated = c&T (3) + u&F (2) = 5 of 8 -> 62.5%; excluding the 1 missing token: 5 of 7.
const records = [
  makeRecord({ id: 'a', correct: true, token: C, subject: 'Algebra', level: 1 }),
  makeRecord({ id: 'b', correct: true, token: C, subject: 'Algebra', level: 2 }),
  makeRecord({ id: 'c', correct: false, token: C, subject: 'Geometry', level: 2 }),
  makeRecord({ id: 'd', correct: false, token: U, subject: 'Geometry', level: 5 }),
  makeRecord({ id: 'e', correct: true, token: U, subject: 'Algebra', level: 5 }),
  makeRecord({ id: 'f', correct: true, token: null, level: 3 }),
  makeRecord({ id: 'g', correct: true, token: C, subject: 'Algebra', level: 3 }),
  makeRecord({ id: 'h', correct: false, token: U, subject: 'Geometry', level: 4 }),
];

describe('accuracy', () => {
  it('counts correct answers: 5 of 8 = 62.5%', () => {
    expect(accuracy(records)).toEqual({ correct: 5, total: 8, percent: 62.5 });
  });

  it('is exactly 67.8 for 339 of 500', () => {
    const many = Array.from({ length: 500 }, (_, index) => makeRecord({ id: String(index), correct: index < 339 }));
    expect(accuracy(many).percent).toBe(67.8);
  });

  it('is zero for no records', () => {
    expect(accuracy([])).toEqual({ correct: 0, total: 0, percent: 0 });
  });
});

describe('confidence tokens', () => {
  it('counts the distribution', () => {
    expect(tokenDistribution(records)).toEqual({ confident: 4, uncertain: 3, none: 1 });
  });

  it('builds the 2x3 token x correctness table', () => {
    expect(tokenCorrectnessTable(records)).toEqual({
      correct: { confident: 3, uncertain: 1, none: 1 },
      incorrect: { confident: 1, uncertain: 2, none: 0 },
    });
  });

  it('counts a missing token as not calibrated by default (the seed rule)', () => {
    expect(calibrationAccuracy(records)).toEqual({ correct: 5, total: 8, percent: 62.5 });
  });

  it('can leave missing tokens out', () => {
    const result = calibrationAccuracy(records, 'excluded');
    expect([result.correct, result.total]).toEqual([5, 7]);
  });
});

describe('cost', () => {
  it('bills thinking as output and sums exactly', () => {
    // flash: 100 in * 0.30 + (200 out + 300 think) * 2.50 per 1M = 0.00003 + 0.00125 = 0.00128
    // 1.5B: 67 in + 328 out at 0.10 per 1M = 0.0000395
    const calls = [
      { model: 'gemini-2.5-flash', usage: { input: 100, output: 200, thinking: 300 } },
      { model: 'qwen2.5-math-1.5b-instruct', usage: { input: 67, output: 328, thinking: 0 } },
    ];
    expect(totalCostUsd(calls, SEED_PRICES_2025_11)).toBe(0.0013195);
    expect(totalUsage(calls)).toEqual({ input: 167, output: 528, thinking: 300 });
  });

  it('takes a call\'s recorded cost where its log recorded no token counts, and refuses a call with neither', () => {
    const priced = { model: 'qwen2.5-math-1.5b-instruct', usage: { input: 67, output: 328, thinking: 0 } };
    const recorded = { model: 'some-logged-model', usage: { input: 0, output: 0, thinking: 0 }, usageUnknown: true as const, recordedCostUsd: 0.0021 };
    expect(totalCostUsd([priced, recorded], SEED_PRICES_2025_11)).toBeCloseTo(0.0000395 + 0.0021, 12);
    const { recordedCostUsd: _cost, ...unknown } = recorded;
    expect(() => totalCostUsd([unknown], SEED_PRICES_2025_11)).toThrow(/unknown/);
  });
});

describe('usdFixed', () => {
  it.each([
    [0.1003635, 6, '0.100364'],
    [0.03225, 6, '0.032250'],
    [2.4786963, 6, '2.478696'],
    [0.0181026, 6, '0.018103'],
    [0.0181026, 2, '0.02'],
    [12.5, 0, '13'],
    [0, 6, '0.000000'],
    // off the 1e-8 grid (an off-policy estimate of a mean cost): rounded once, not to the grid and then up
    [0.002107497864592283, 6, '0.002107'],
    [0.0006298366666666667, 6, '0.000630'],
  ])('prints %d to %i decimals as %s', (value, decimals, text) => {
    expect(usdFixed(value, decimals)).toBe(text);
  });
});

describe('accuracyBySlice', () => {
  it('groups by subject, with unknown for records without one', () => {
    expect(accuracyBySlice(records, 'subject')).toEqual([
      { slice: 'Algebra', correct: 4, total: 4, percent: 100 },
      { slice: 'Geometry', correct: 0, total: 3, percent: 0 },
      { slice: 'unknown', correct: 1, total: 1, percent: 100 },
    ]);
  });

  it('groups by level', () => {
    expect(accuracyBySlice(records, 'level').map((slice) => [slice.slice, slice.correct, slice.total])).toEqual([
      ['1', 1, 1],
      ['2', 1, 2],
      ['3', 2, 2],
      ['4', 0, 1],
      ['5', 1, 2],
    ]);
  });
});

describe('paretoFrontier', () => {
  it('keeps the points no other point beats on both cost and accuracy', () => {
    const points = [
      { id: 'slm', cost: 0.03, accuracy: 67.8 },
      { id: 'slm7b', cost: 0.1, accuracy: 76.4 },
      { id: 'd1', cost: 2.48, accuracy: 85.2 },
      { id: 'd2', cost: 1.25, accuracy: 83.8 },
      { id: 'llm', cost: 2.79, accuracy: 88.6 },
      { id: 'dominated', cost: 2.0, accuracy: 80 },
    ];
    expect(paretoFrontier(points).map((point) => point.id)).toEqual(['slm', 'slm7b', 'd2', 'd1', 'llm']);
  });
});
