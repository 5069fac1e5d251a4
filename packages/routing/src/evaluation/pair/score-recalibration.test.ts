import { recalibrate } from '@confide/metrics';
import { describe, expect, it } from 'vitest';
import type { OutcomeTable } from '../../sweep/outcome-table.js';
import type { PairRouterCurves, PrefixSweep } from './router-curves.js';
import { sweptScoreRecalibration } from './score-recalibration.js';

// 40 problems: the small model right on every other one; a length that is shorter when it is right (keep-low) and a
// P(c) that is missing on problem 0 (delegated at every threshold: −Infinity in the sweep's column).
const n = 40;
const smallCorrect = Uint8Array.from({ length: n }, (_value, index) => (index % 2 === 0 ? 1 : 0));
const table = { problemIds: Array.from({ length: n }, (_value, index) => `p${index}`), smallCorrect } as unknown as OutcomeTable;
const length = Float64Array.from({ length: n }, (_value, index) => 200 + 10 * (index % 7) + (smallCorrect[index] ? 0 : 60));
const pConfident = Float64Array.from({ length: n }, (_value, index) => (index === 0 ? Number.NEGATIVE_INFINITY : 0.3 + 0.01 * (index % 11) + 0.2 * smallCorrect[index]!));
const sweep = (scores: Float64Array, score: string, direction: 'keep-high' | 'keep-low') => ({ scores, score, direction }) as unknown as PrefixSweep;
const routers = {
  curves: [
    { id: 'length', label: 'output length' },
    { id: 'p', label: 'P(c)' },
  ],
  sweeps: new Map([
    ['length', sweep(length, 'generation.usage.output', 'keep-low')],
    ['p', sweep(pConfident, 'p-confident', 'keep-high')],
  ]),
} as unknown as PairRouterCurves;

describe('sweptScoreRecalibration', () => {
  const results = sweptScoreRecalibration(table, routers, { resamples: 20, bootstrapSeed: 1 });

  it('recalibrates every swept score by isotonic regression and Platt scaling, named by router and score', () => {
    expect(results.map((result) => [result.router, result.score, result.settings.method])).toEqual([
      ['output length', 'generation.usage.output', 'isotonic'],
      ['output length', 'generation.usage.output', 'platt'],
      ['P(c)', 'p-confident', 'isotonic'],
      ['P(c)', 'p-confident', 'platt'],
    ]);
    expect(results.every((result) => result.settings.bins === 15 && result.settings.folds === 5 && result.settings.seed === 0)).toBe(true);
  });

  it('calibrates a keep-low score on its negation and leaves out problems without the score', () => {
    const [lengthIsotonic, , pIsotonic] = results;
    expect(lengthIsotonic!.calibratedOn).toBe('the negated score');
    const direct = recalibrate(table.problemIds, Array.from(length, (value) => -value), smallCorrect, { method: 'isotonic', resamples: 20, bootstrapSeed: 1 });
    expect(lengthIsotonic!.after).toEqual(direct.after);
    expect(lengthIsotonic!.before.eceEqualWidth).toBeNull();
    expect(pIsotonic!.problems).toBe(n - 1);
    const scored = Array.from({ length: n - 1 }, (_value, index) => index + 1);
    const directP = recalibrate(
      scored.map((index) => `p${index}`),
      scored.map((index) => pConfident[index]!),
      scored.map((index) => smallCorrect[index]!),
      { method: 'isotonic', resamples: 20, bootstrapSeed: 1 },
    );
    expect(pIsotonic!.before).toEqual(directP.before);
    expect(pIsotonic!.change).toEqual(directP.change);
    expect('calibrated' in pIsotonic!).toBe(false);
  });

  it('gives each score and method what recalibrate gives alone (the resamples and the figures before shared between them)', () => {
    const scored = Array.from({ length: n - 1 }, (_value, index) => index + 1);
    const inputs = [
      { ids: table.problemIds, scores: Array.from(length, (value) => -value), labels: smallCorrect },
      { ids: scored.map((index) => `p${index}`), scores: scored.map((index) => pConfident[index]!), labels: scored.map((index) => smallCorrect[index]!) },
    ];
    const direct = inputs.flatMap(({ ids, scores, labels }) =>
      (['isotonic', 'platt'] as const).map((method) => {
        const { calibrated: _calibrated, ...figures } = recalibrate(ids, scores, labels, { method, resamples: 20, bootstrapSeed: 1 });
        return figures;
      }),
    );
    expect(results.map(({ router: _router, score: _score, direction: _direction, sample: _sample, calibratedOn: _calibratedOn, ...figures }) => figures)).toEqual(direct);
  });

  it('recalibrates on a seeded sample of the scored problems beyond `sample`, saying so, and on all of them up to it', () => {
    expect(results.every((result) => result.sample === null)).toBe(true);
    const sampled = sweptScoreRecalibration(table, routers, { resamples: 20, bootstrapSeed: 1, sample: 25, methods: ['isotonic'] });
    expect(sampled.map((result) => [result.problems, result.sample])).toEqual([
      [25, { size: 25, of: 40, seed: 1 }],
      [25, { size: 25, of: 39, seed: 1 }],
    ]);
    // the same sample again for the same seed
    expect(sweptScoreRecalibration(table, routers, { resamples: 20, bootstrapSeed: 1, sample: 25, methods: ['isotonic'] })[0]!.after).toEqual(sampled[0]!.after);
  });
});
