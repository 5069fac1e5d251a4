import type { Problem } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { buildOutcomeTable, type OutcomeRecord } from '../outcome-table.js';
import { crossFitModelScores, lambdaGrid, learnedChoices, learnedOverModels } from './learned-over-models.js';
import { gradedRecord, outputPrices } from './testing/hand-made-runs.js';

/**
 * A hand-made K = 3 table with graded scores for the learned router. Two kinds of problem share no words: p1–p4 ask
 * the same question, p5–p8 another, so a problem's nearest neighbours (kNN, k = 3) are the three others of its kind
 * (cosine 1) and never one of the other kind. Every call costs A $0.0001, B $0.0002, C $0.001 (100 output tokens at
 * $1, $2, $10 per million).
 *
 *   problem   p1    p2    p3    p4    p5    p6    p7    p8     sum
 *   A         1     1     0.5   1     0     0     0.5   0      4
 *   B         0.5   0.5   0.5   0.5   0.5   0.75  0.5   0.75   4.5
 *   C         1     1     1     1     1     1     0.75  1      7.75
 *
 * Leave-one-out (8 folds of one problem): a problem's predicted score is (its three neighbours' scores + the model's
 * mean over the other seven problems) / 4:
 *   p1: A (1 + 0.5 + 1 + 3/7) / 4 = 20.5/28; B (1.5 + 4/7) / 4 = 14.5/28; C (3 + 6.75/7) / 4 = 27.75/28
 *   p5: A (0 + 0.5 + 0 + 4/7) / 4 = 7.5/28; B (2 + 4/7) / 4 = 18/28; C (2.75 + 6.75/7) / 4 = 26/28
 * At λ = 0 both take C. At λ = 400 (score per dollar): p1 A 20.5/28 − 0.04 = 0.692 > C 0.591 > B 0.438 → A;
 * p5 B 18/28 − 0.08 = 0.563 > C 0.529 > A 0.228 → B.
 */
const prices = outputPrices({ a: 1, b: 2, c: 10 });
const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
const scores = {
  a: [1, 1, 0.5, 1, 0, 0, 0.5, 0],
  b: [0.5, 0.5, 0.5, 0.5, 0.5, 0.75, 0.5, 0.75],
  c: [1, 1, 1, 1, 1, 1, 0.75, 1],
};
const problems: Problem[] = ids.map((id, index) => ({ id, problem: index < 4 ? 'Compute the sum of two squares' : 'Factor this big polynomial', answer: '1' }));

function run(model: 'a' | 'b' | 'c', scoreOf = scores[model]): OutcomeRecord[] {
  return ids.map((problemId, index) => gradedRecord(model, problemId, scoreOf[index]!));
}

const tableOf = (a = scores.a) =>
  buildOutcomeTable(
    [
      { label: 'A', records: run('a', a) },
      { label: 'B', records: run('b') },
      { label: 'C', records: run('c') },
    ],
    prices,
  );
const table = tableOf();
const [A, B, C] = [0, 1, 2];
const leaveOneOut = { folds: 8, learner: { model: 'knn' as const, k: 3 } };

describe('the learned router over K = 3 (kNN, leave-one-out)', () => {
  it('predicts each model’s score from the neighbours of the problem’s kind and the training mean', () => {
    const fitted = crossFitModelScores(table, problems, leaveOneOut);
    expect(fitted.predicted[A]![0]).toBeCloseTo(20.5 / 28, 12);
    expect(fitted.predicted[B]![0]).toBeCloseTo(14.5 / 28, 12);
    expect(fitted.predicted[C]![0]).toBeCloseTo(27.75 / 28, 12);
    expect(fitted.predicted[A]![4]).toBeCloseTo(7.5 / 28, 12);
    expect(fitted.predicted[B]![4]).toBeCloseTo(18 / 28, 12);
    expect(fitted.predicted[C]![4]).toBeCloseTo(26 / 28, 12);
    // the training folds' mean cost per problem: every call costs the same, so each model's price of a call
    expect(fitted.trainingCostUsd[0]![A]).toBeCloseTo(0.0001, 15);
    expect(fitted.trainingCostUsd[0]![C]).toBeCloseTo(0.001, 15);
  });

  it('chooses the best predicted score at λ = 0, trades it for cost as λ grows', () => {
    const fitted = crossFitModelScores(table, problems, leaveOneOut);
    expect(Array.from(learnedChoices(fitted, 0))).toEqual([C, C, C, C, C, C, C, C]);
    const at400 = learnedChoices(fitted, 400);
    expect([at400[0], at400[4]]).toEqual([A, B]);
  });

  it('sweeps λ from 0 (the best predicted score) to where the cheapest model is always chosen', () => {
    const fitted = crossFitModelScores(table, problems, leaveOneOut);
    const grid = lambdaGrid(fitted, 6);
    expect(grid).toHaveLength(7);
    expect(grid[0]).toBe(0);
    for (let index = 1; index < grid.length; index++) expect(grid[index]!).toBeGreaterThan(grid[index - 1]!);
    expect(Array.from(learnedChoices(fitted, grid.at(-1)!))).toEqual([A, A, A, A, A, A, A, A]);
    // just below the last λ some problem still takes a dearer model: the grid ends where it must
    expect(Array.from(learnedChoices(fitted, grid.at(-1)! * 0.99))).not.toEqual([A, A, A, A, A, A, A, A]);
    const router = learnedOverModels(table, problems, { ...leaveOneOut, lambdaSteps: 6 });
    // λ = 0: C everywhere (7.75 / 8); the last λ: A everywhere (4 / 8, $0.0001)
    expect(router.points[0]!.result.meanScore).toBe(0.96875);
    expect(router.points.at(-1)!.result.meanScore).toBe(0.5);
    expect(router.points.at(-1)!.result.meanCostUsd).toBeCloseTo(0.0001, 15);
    expect(router.points.map((point) => point.lambda)).toEqual(grid);
  });

  it('never predicts a problem with a learner fitted on it', () => {
    const trainedOn = new Map<number, readonly number[]>();
    const fitted = crossFitModelScores(table, problems, { folds: 4 }, (fold, rows) => trainedOn.set(fold, rows));
    expect(trainedOn.size).toBe(4);
    for (let row = 0; row < 8; row++) {
      const fold = fitted.foldOf[row]!;
      expect(trainedOn.get(fold)).not.toContain(row);
      for (const [other, rows] of trainedOn) if (other !== fold) expect(rows).toContain(row);
    }
    // a problem's own scores do not move its predictions (its fold's learner never saw them), the others' do
    const changed = crossFitModelScores(tableOf([0, 1, 0.5, 1, 0, 0, 0.5, 0]), problems, { folds: 4 });
    expect(changed.predicted[A]![0]).toBe(fitted.predicted[A]![0]);
    const sameFold = Array.from(fitted.foldOf).filter((fold) => fold === fitted.foldOf[0]).length;
    const otherRow = Array.from(fitted.foldOf).findIndex((fold) => fold !== fitted.foldOf[0]);
    expect(sameFold).toBe(2);
    expect(changed.predicted[A]![otherRow]).not.toBe(fitted.predicted[A]![otherRow]);
  });

  it('fits logistic regression on graded scores too, one learner per model and fold', () => {
    const fits: number[] = [];
    const fitted = crossFitModelScores(table, problems, { folds: 2, learner: { model: 'logistic', l2: 1e-3, iterations: 50, learningRate: 0.1 } }, (fold) => fits.push(fold));
    expect(fits).toEqual([0, 1]);
    for (const column of fitted.predicted) {
      for (const value of column) {
        expect(value).toBeGreaterThan(0);
        expect(value).toBeLessThan(1);
      }
    }
    // C scores 7.75 of 8, A 4: C's predictions stand above A's on average
    const mean = (values: Float64Array) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean(fitted.predicted[C]!)).toBeGreaterThan(mean(fitted.predicted[A]!));
  });

  it('reads the questions of the table’s problems, and refuses too few problems for its folds', () => {
    expect(() => crossFitModelScores(table, problems.slice(1), leaveOneOut)).toThrow(/problem "p1"/);
    expect(() => crossFitModelScores(table, problems, { folds: 9 })).toThrow(/too few for 9 folds/);
  });
});
