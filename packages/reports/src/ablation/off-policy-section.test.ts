import { describe, expect, it } from 'vitest';
import { offPolicySections, offPolicySentence } from './off-policy-section.js';
import { OffPolicySummary } from './off-policy-summary.js';

const estimate = (value: number, lower: number, upper: number) => ({ estimate: value, interval: { lower, upper } });
const estimators = (value: number, lower: number, upper: number) => ({ ips: estimate(value, lower, upper), snips: estimate(value, lower, upper), doublyRobust: estimate(value, lower, upper) });

const summary = OffPolicySummary.parse({
  log: '../explore/run',
  logRouter: 'core/explore',
  problems: 500,
  missing: 0,
  logged: { delegationRate: 0.404, accuracy: 0.818, meanCostUsd: 0.0027 },
  strata: 5,
  folds: 2,
  routers: [
    // the accuracy intervals hold the actual 0.838; the cost intervals miss the actual 0.0025
    { id: 'token', label: 'token', kind: 'after-small-answer', actual: { accuracy: 0.838, meanCostUsd: 0.0025 }, accuracy: estimators(0.832, 0.791, 0.865), meanCostUsd: estimators(0.003, 0.0028, 0.0032), effectiveSampleSize: 395, matched: 395 },
  ],
});

describe('the off-policy section', () => {
  it('says how many intervals hold the actual figures, counted from the summary, and gives the doubly robust estimates', () => {
    const sentence = offPolicySentence(summary, { resamples: 1000, confidence: 0.95 });
    expect(sentence).toContain('From the exploration log `../explore/run` (made by core/explore: 500 decisions, 40.4% delegated; its own accuracy 81.8% at $0.002700 per problem)');
    expect(sentence).toContain('3 of 6 intervals (accuracy and cost, three estimators, 1 router) hold them.');
    expect(sentence).toContain('Doubly robust: token 83.2% (79.1 to 86.5%; actual 83.8%) at $0.003000 per problem (actual $0.002500).');
  });

  it('says where IPS passes 100% accuracy, and only there', () => {
    expect(offPolicySentence(summary, { resamples: 1000, confidence: 0.95 })).not.toContain('IPS is not bounded');
    const [router] = summary.routers;
    const wide = { ...summary, routers: [{ ...router!, accuracy: { ...router!.accuracy, ips: estimate(0.905, 0.713, 1.165) } }] };
    expect(offPolicySentence(wide, { resamples: 1000, confidence: 0.95 })).toContain(
      'IPS is not bounded by 100%: its accuracy estimate or interval passes it for token (SNIPS, a weighted mean of the outcomes, stays within it).',
    );
  });

  it('tabulates each router by each estimator, and is absent without offPolicy', () => {
    const [section] = offPolicySections(summary, { resamples: 1000, confidence: 0.95 });
    expect(section!.table!.rows.map((row) => row['estimator'])).toEqual(['IPS', 'SNIPS', 'doubly robust']);
    expect(section!.table!.rows[0]).toMatchObject({ 'accuracy %': '83.2', '95% CI (%)': '79.1 to 86.5', 'actual accuracy %': '83.8' });
    expect(offPolicySections(null, { resamples: 1000, confidence: 0.95 })).toEqual([]);
  });
});
