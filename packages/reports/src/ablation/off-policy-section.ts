import type { ReportTable } from '../tables/report-table.js';
import { defined, pct, rate, usd, UNDEFINED } from './ablation-format.js';
import type { AblationReportSection } from './models-section.js';
import type { OffPolicySummary } from './off-policy-summary.js';

const ESTIMATORS = [
  ['ips', 'IPS'],
  ['snips', 'SNIPS'],
  ['doublyRobust', 'doubly robust'],
] as const;

type Estimate = OffPolicySummary['routers'][number]['accuracy']['ips'];

const holds = (estimate: Estimate, actual: number | null) =>
  defined(actual) && defined(estimate.interval.lower) && defined(estimate.interval.upper) && estimate.interval.lower <= actual && actual <= estimate.interval.upper;

const range = (estimate: Estimate, format: (value: number | null) => string) => `${format(estimate.interval.lower)} to ${format(estimate.interval.upper)}`;

/** Each named router by each estimator, beside its actual figures on the logged problems. */
function offPolicyTable(offPolicy: OffPolicySummary, ci: string): ReportTable {
  return {
    columns: ['router', 'estimator', 'accuracy %', `${ci} (%)`, 'actual accuracy %', 'cost per problem $', `${ci} ($)`, 'actual cost per problem $', 'effective sample size'],
    rows: offPolicy.routers.flatMap((router) =>
      ESTIMATORS.map(([key, name]) => ({
        router: router.label,
        estimator: name,
        'accuracy %': pct(router.accuracy[key].estimate),
        [`${ci} (%)`]: range(router.accuracy[key], pct),
        'actual accuracy %': pct(router.actual.accuracy),
        'cost per problem $': usd(router.meanCostUsd[key].estimate),
        [`${ci} ($)`]: range(router.meanCostUsd[key], (value) => usd(value)),
        'actual cost per problem $': usd(router.actual.meanCostUsd),
        'effective sample size': defined(router.effectiveSampleSize) ? router.effectiveSampleSize.toFixed(1) : UNDEFINED,
      })),
    ),
    empty: 'No router named.',
  };
}

/** What the section says, computed from the summary: the log, the method, how many intervals hold the actual figures, the doubly robust estimates. */
export function offPolicySentence(offPolicy: OffPolicySummary, bootstrap: { resamples: number; confidence: number }): string {
  const ci = `${Math.round(bootstrap.confidence * 100)}%`;
  const intervals = offPolicy.routers.flatMap((router) => ESTIMATORS.flatMap(([key]) => [holds(router.accuracy[key], router.actual.accuracy), holds(router.meanCostUsd[key], router.actual.meanCostUsd)]));
  const { logged } = offPolicy;
  // an importance-weighted mean is not a mean: with large weights on right answers it passes 100%
  const beyondHundred = offPolicy.routers.filter((router) => (router.accuracy.ips.interval.upper ?? 0) > 1 || (router.accuracy.ips.estimate ?? 0) > 1).map((router) => router.label);
  return [
    `From the exploration log \`${offPolicy.log}\` (made by ${offPolicy.logRouter}: ${offPolicy.problems} decisions, ${rate(logged.delegationRate)} delegated; its own accuracy ${pct(logged.accuracy)}% at $${usd(logged.meanCostUsd)} per problem), each router named is estimated at its reported point without being run: each logged decision weighted by the router's probability of the route taken over the logging router's (IPS; SNIPS divides by the sum of the weights; doubly robust adds a reward model, the mean outcome of each route in ${offPolicy.strata} equal-mass strata of the logged score, cross-fitted over ${offPolicy.folds} folds), with ${ci} percentile intervals over ${bootstrap.resamples} bootstrap resamples of the logged decisions.`,
    offPolicy.missing > 0 ? `The log holds no decision for ${offPolicy.missing} of the ablation's problems; the estimates and the actual figures are on the ${offPolicy.problems} it holds.` : '',
    `Both answers exist for every problem, so each router's actual figures are known: ${intervals.filter(Boolean).length} of ${intervals.length} intervals (accuracy and cost, three estimators, ${offPolicy.routers.length} ${offPolicy.routers.length === 1 ? 'router' : 'routers'}) hold them.`,
    beyondHundred.length > 0 ? `IPS is not bounded by 100%: its accuracy estimate or interval passes it for ${beyondHundred.join('; ')} (SNIPS, a weighted mean of the outcomes, stays within it).` : '',
    `Doubly robust: ${offPolicy.routers
      .map((router) => `${router.label} ${pct(router.accuracy.doublyRobust.estimate)}% (${range(router.accuracy.doublyRobust, pct)}%; actual ${pct(router.actual.accuracy)}%) at $${usd(router.meanCostUsd.doublyRobust.estimate)} per problem (actual $${usd(router.actual.meanCostUsd)})`)
      .join('; ')}.`,
  ]
    .filter((part) => part !== '')
    .join(' ');
}

/** The report's off-policy section (none without `offPolicy`). */
export function offPolicySections(offPolicy: OffPolicySummary | null, bootstrap: { resamples: number; confidence: number }): AblationReportSection[] {
  if (offPolicy === null) return [];
  return [
    {
      heading: 'Off-policy estimates from an exploration log, beside the actual figures',
      text: offPolicySentence(offPolicy, bootstrap),
      table: offPolicyTable(offPolicy, `${Math.round(bootstrap.confidence * 100)}% CI`),
    },
  ];
}
