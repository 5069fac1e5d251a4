import { buildOutcomeTable, keepWhenConfidentToken, keepWhenPConfidentAtLeast, modelMeans, twoStageCascade } from '@confide/routing';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureSource } from '../../tests/models-fixture.js';
import { buildViewData } from '../bundle/build-view-data.js';
import type { ViewData } from '../view-data.js';
import { pageModel, pageView } from './page-model.js';
import { inlinePageSource } from './page-source.js';
import { parseRoute } from './route.js';

let data: ViewData;
beforeAll(async () => {
  data = await buildViewData(fixtureSource(), async () => ({ correct: true, reason: 'equivalent', gold: null, prediction: null }));
});

const view = (hash: string) => {
  const model = pageModel(inlinePageSource(data));
  return { model, view: pageView(model, parseRoute(hash)) };
};

describe('a models bundle (K = 3, graded scores)', () => {
  it('holds the problems every model answered, in dataset order, and counts what each lost', () => {
    expect(data.runs.map((run) => [run.label, run.role])).toEqual([
      ['small', 'model'],
      ['mid', 'model'],
      ['large', 'model'],
    ]);
    expect(data.problems.map((problem) => problem.id)).toEqual(['p4', 'p1', 'p2', 'p3']);
    expect(data.lost?.map((entry) => [entry.label, entry.count, entry.firstIds])).toEqual([
      ['small', 0, []],
      ['mid', 1, ['p5']],
      ['large', 0, []],
    ]);
    expect(data.problems[1]!.answers.map((answer) => answer.record.grade.score)).toEqual([1, 0.5, 1]);
  });

  it("gives each model's mean score and mean cost, as the outcome table's means", () => {
    const { model } = view('');
    expect(model.means.map((means) => means.meanScore)).toEqual([0.4375, 0.5, 0.625]);
    expect(model.means.map((means) => means.accuracy)).toEqual([0.5, 0.75, 0.75]);
    [0.0001, 0.0003, 0.0025].forEach((cost, run) => expect(model.means[run]!.meanCostUsd).toBeCloseTo(cost, 12));
    const table = buildOutcomeTable(fixtureSource().models, data.prices);
    modelMeans(table).forEach((means, run) => {
      expect(model.means[run]!.meanScore).toBeCloseTo(means.meanScore, 12);
      expect(model.means[run]!.meanCostUsd).toBeCloseTo(means.meanCostUsd, 12);
    });
  });

  it('opens the threshold on the first model with a score, escalating to the best other model', () => {
    const { view: opened } = view('#/threshold');
    expect(opened.thresholdPick).toEqual({ keep: 0, to: 2, by: 'p-confident' });
    expect(opened.focus).toBe(0);
  });

  it("sweeps the keep model's P(c) for any pair, as hand-computed and as the chain the ablation evaluates", () => {
    const threshold = view('#/threshold?keep=small&to=large&by=p-confident').view.threshold!;
    expect(threshold.points.map((point) => point.parameter)).toEqual([0.3, 0.6, 0.9, 1.9]);
    expect(threshold.points.map((point) => point.meanScore)).toEqual([0.375, 0.5, 0.625, 0.625]);
    expect(threshold.points.map((point) => point.accuracy)).toEqual([0.5, 0.75, 0.75, 0.75]);
    [0.0029, 0.0054, 0.0079, 0.0104].forEach((cost, k) => expect(threshold.points[k]!.costUsd).toBeCloseTo(cost, 12));
    // p4 (row 0) has no P(c): escalated at every threshold
    threshold.points.forEach((_, k) => expect(threshold.delegated(0, k)).toBe(true));
    const table = buildOutcomeTable(data.runs.map((run, index) => ({ label: run.label, records: data.problems.map((problem) => problem.answers[index]!.record) })), data.prices);
    for (const point of threshold.points) {
      const chain = twoStageCascade(table, 0, 2, keepWhenPConfidentAtLeast(table, 0, point.parameter!));
      expect(point.meanScore).toBeCloseTo(chain.meanScore, 12);
      expect(point.costUsd).toBeCloseTo(chain.totalCostUsd, 12);
      expect(point.delegationRate).toBe(chain.shares[2]);
    }
  });

  it("sweeps the keep model's confidence token, the ablation's chain rule at threshold 1", () => {
    const threshold = view('#/threshold?keep=small&to=mid&by=confidence-token').view.threshold!;
    expect(threshold.points.map((point) => point.parameter)).toEqual([0, 1, 2]);
    expect(threshold.points[1]!.meanScore).toBe(0.5);
    expect(threshold.points[1]!.costUsd).toBeCloseTo(0.001, 12);
    const table = buildOutcomeTable(data.runs.map((run, index) => ({ label: run.label, records: data.problems.map((problem) => problem.answers[index]!.record) })), data.prices);
    const chain = twoStageCascade(table, 0, 1, keepWhenConfidentToken(table, 0));
    expect(threshold.points[1]!.meanScore).toBeCloseTo(chain.meanScore, 12);
    expect(threshold.points[1]!.costUsd).toBeCloseTo(chain.totalCostUsd, 12);
  });

  it('offers no threshold for a keep model with neither P(c) nor a token, and falls back from bad picks', () => {
    const { view: mid } = view('#/threshold?keep=mid&to=large');
    expect(mid.thresholdPick).toMatchObject({ keep: 1, to: 2 });
    expect(mid.threshold).toBeNull();
    expect(mid.thresholdOffered).toBe(true);
    // an unknown label, and a pair of one model, fall back to the defaults
    expect(view('#/threshold?keep=nobody&to=small').view.thresholdPick).toEqual({ keep: 0, to: 2, by: 'p-confident' });
    expect(view('#/threshold?keep=large&to=large').view.thresholdPick).toMatchObject({ keep: 2, to: 0 });
    // a score the keep model lacks falls back to one it has
    expect(view('#/threshold?keep=small&by=confidence-token').view.thresholdPick?.by).toBe('confidence-token');
  });

  it('compares any two models: binary flips and McNemar, and the graded means with a paired-bootstrap interval', () => {
    const { view: opened } = view('#/compare?a=small&b=large');
    const comparison = opened.comparison!;
    expect(comparison.runs.flips).toEqual({ rightToWrong: 0, wrongToRight: 1 });
    expect(comparison.runs.accuracies).toEqual([0.5, 0.75]);
    expect(comparison.scores?.means).toEqual([0.4375, 0.625]);
    expect(comparison.scores?.difference).toBeCloseTo(0.1875, 12);
    expect(comparison.scores!.interval.lower).toBeLessThanOrEqual(0.1875);
    expect(comparison.scores!.interval.upper).toBeGreaterThanOrEqual(0.1875);
    expect(comparison.runs.costDifferenceUsd).toBeCloseTo(4 * (0.0025 - 0.0001), 12);
    // the default pair: the first two models
    expect(view('#/compare').view.comparison).toMatchObject({ left: 0, right: 1 });
    expect(view('#/compare?a=mid&b=large').view.comparison).toMatchObject({ left: 1, right: 2 });
  });

  it("shows the picked model's rows in the table (the keep model's in the threshold view)", () => {
    expect(view('#/run?m=large').view.focus).toBe(2);
    expect(view('#/threshold?m=large&keep=small').view.focus).toBe(0);
    expect(view('#/compare?a=mid&b=large').view.focus).toBe(1);
    const { model } = view('');
    expect(Array.from(model.columnsOf(2).score)).toEqual([0, 1, 1, 0.5]);
    expect(model.rowAt(2, 3)).toMatchObject({ id: 'p3', score: 0.5, correct: true });
  });
});
