import type { OperatingPoint, ProblemOutcomes } from '@confide/routing';
import type { AblationResults, RouterCurve } from '../ablation-results.js';

/**
 * Test support: the results of a small pair ablation, by hand (a threshold sweep, a point router and a cascade, a
 * comparison, calibration, a guarantee, the leaderboard). The figures are arbitrary with many digits, so a number the
 * report prints is unlikely to be found in the summary anywhere but where it came from. The models section is left
 * out (its shape is still growing): the committed reports/ablation-math500-models covers its tables.
 */

const SHA = 'a'.repeat(64);
const outcomes = (): ProblemOutcomes => ({ correct: new Uint8Array(4), score: new Float64Array(4), cost: new Float64Array(4), delegated: new Uint8Array(4) });
const point = (parameter: number | null, accuracy: number, costUsd: number, delegationRate: number): OperatingPoint => ({ parameter, accuracy, costUsd, delegationRate, llmCalls: 4 + delegationRate * 4 });
const slices = (offset: number) => ({
  subject: [{ slice: 'algebra', correct: 37, total: 41, percent: 90.2439 + offset }],
  level: [
    { slice: '1', correct: 19, total: 23, percent: 82.6087 + offset },
    { slice: '2', correct: 13, total: 18, percent: 72.2222 + offset },
  ],
});

function curves(): RouterCurve[] {
  const sweep = [point(0.2, 0.71317, 0.0414437, 0.03), point(0.61, 0.81943, 0.1092316, 0.2377), point(0.93, 0.85519, 0.3301208, 0.7131)];
  const token = point(null, 0.80461, 0.1009431, 0.2291);
  const cascade = point(null, 0.83107, 0.2278813, 0.4129);
  return [
    {
      id: 'p-confident',
      label: 'P(c) threshold',
      router: { id: 'core/threshold', kind: 'router', options: { score: 'p-confident' } },
      kind: 'sweep',
      points: sweep,
      reported: sweep[1]!,
      reportedOutcomes: outcomes(),
      intervals: { accuracy: { lower: 0.77713, upper: 0.86291 }, costUsd: { lower: 0.0983311, upper: 0.1217743 }, aiq: { lower: 0.79187, upper: 0.85813 } },
      aiq: 0.82551,
      apgr: 0.6137,
      cpt50: 0.1873,
      cpt80: 0.4419,
      engineCheck: { points: 3, agreed: 3, problems: 41 },
      slices: slices(0),
      unscored: { count: 2, of: 41, reason: 'the confidence tokens hold 0.2% of the mass' },
    },
    {
      id: 'token',
      label: 'confidence token',
      router: { id: 'core/confidence-token', kind: 'router', options: {} },
      kind: 'point',
      points: [token],
      reported: token,
      reportedOutcomes: outcomes(),
      intervals: { accuracy: { lower: 0.75527, upper: 0.84913 }, costUsd: { lower: 0.0901234, upper: 0.1123457 } },
      aiq: null,
      apgr: null,
      cpt50: null,
      cpt80: null,
      slices: slices(1.3),
      unscored: null,
    },
    {
      id: 'cascade-qwen',
      label: 'cascade qwen-1.5b → flash',
      router: { id: 'cascade', kind: 'router', options: { stages: 2 } },
      kind: 'cascade',
      points: [cascade],
      reported: cascade,
      reportedOutcomes: outcomes(),
      intervals: { accuracy: { lower: 0.79371, upper: 0.87193 }, costUsd: { lower: 0.2011117, upper: 0.2533339 } },
      aiq: null,
      apgr: null,
      cpt50: null,
      cpt80: null,
      slices: slices(2.7),
      unscored: null,
    },
  ];
}

function bins(offset: number) {
  return [
    { lower: 0, upper: 0.5, count: 11, meanScore: 0.31377 + offset, accuracy: 0.27271 },
    { lower: 0.5, upper: 1, count: 28, meanScore: 0.78113 + offset, accuracy: 0.89287 },
  ];
}

/** The fixture ablation's results. */
export function ablationResultsFixture(): AblationResults {
  const routers = curves();
  return {
    experiment: {
      name: 'fixture-ablation',
      title: 'A fixture ablation',
      dataset: 'math500',
      small: { run: 'qwen-1.5b-lora', label: 'qwen 1.5B LoRA' },
      large: { run: 'gemini-flash', label: 'Gemini Flash' },
      bootstrap: { resamples: 200, seed: 7, confidence: 0.9 },
    },
    grades: 'recorded: the verdicts the runs carry',
    referenceDelegationRate: 0.2291,
    referenceDelegationRateSource: "the rate at which the small run's confidence token delegates",
    problems: { evaluated: 41, dataset: 44, datasetReference: 'math500' },
    problemIds: ['1', '2', '3', '4'],
    models: { small: 'qwen-1.5b-lora', large: 'gemini-2.5-flash' },
    provenance: {
      sources: { sha256: SHA, files: 12 },
      packageVersions: { '@confide/reports': '0.1.0' },
      experimentFile: { path: 'experiments/fixture/experiment.json', sha256: SHA },
      inputs: [],
      dataset: { reference: 'math500', problems: 44, sha256: SHA },
      priceTable: { id: 'prices', version: '2025-11', sha256: SHA },
      plugins: [],
    },
    pair: { small: point(null, 0.61413, 0.0383117, 0), large: point(null, 0.87913, 0.4213397, 1) },
    curves: routers,
    hull: [{ label: 'P(c) threshold', accuracy: 0.81943, costUsd: 0.1092316 }],
    paperPoints: [{ label: 'Delegation II (paper)', accuracy: 0.838, costUsd: 0.1003635, delegationRate: 0.31, accounting: 'answers' }],
    comparisons: [
      {
        left: 'P(c) threshold',
        right: 'confidence token',
        atDelegationRate: 0.25,
        delegationRates: [0.2377, 0.2291],
        accuracies: [0.81943, 0.80461],
        difference: 0.01482,
        differenceInterval: { lower: -0.00917, upper: 0.03881 },
        mcnemar: { b: 9, c: 6, statistic: 0.26667, pValue: 0.0000003471, method: 'exact' },
      },
    ],
    calibration: [
      {
        router: 'P(c) threshold',
        score: 'p-confident',
        auroc: 0.81377,
        aurc: 0.09117,
        excessAurc: 0.03113,
        probability: {
          brier: 0.14419,
          equalWidth: { ece: 0.06631, binning: 'equal-width', binCount: 2, bins: bins(0) },
          equalMass: { ece: 0.07193, binning: 'equal-mass', binCount: 2, bins: bins(0.001) },
          binCount: 2,
        },
      },
      { router: 'output length', score: 'generation.usage.output', auroc: Number.NaN, aurc: 0.17713, excessAurc: Number.NaN, probability: null },
    ],
    riskControl: [
      {
        label: 'P(c) threshold',
        guarantee: { kind: 'kept-error', maxKeptErrorRate: 0.15 },
        target: 0.15,
        delta: 0.1,
        method: 'Learn then Test: 3 fixed sequences (each at δ/3) over 3 thresholds of a fixed grid, exact binomial p-values',
        feasibility: { smallErrorRate: 0.38587, minimumDelegationRate: 0.27749 },
        violations: { splits: 100, population: { violated: 3, rate: 0.03 }, heldOut: { violated: 7, rate: 0.07 } },
        threshold: 0.63,
        calibration: { size: 20, kept: 13, keptErrorRate: 0.07692, pValue: 0.0417 },
        heldOut: { size: 21, kept: 14, keptErrorRate: 0.14286, delegationRate: 0.33333, accuracy: 0.85714, costUsd: 0.1313917 },
      },
    ],
    thresholdTargets: [
      {
        label: 'P(c) threshold',
        guarantee: { kind: 'system-accuracy', minAccuracy: 0.8 },
        target: 0.8,
        delta: 0.1,
        method: 'Learn then Test on the routed system\'s loss',
        feasibility: { feasible: true, bestAccuracy: 0.9, largeAccuracy: 0.85, smallMeanCostUsd: 0.0001 },
        violations: { splits: 100, population: { violated: 2, rate: 0.02 }, heldOut: { violated: 6, rate: 0.06 } },
        threshold: 0.55,
        calibration: { size: 20, accuracy: 0.9, meanCostUsd: 0.0021, delegationRate: 0.35, pValue: 0.004 },
        heldOut: {
          size: 21,
          accuracy: 0.85714,
          accuracyInterval: { lower: 0.7, upper: 1 },
          meanCostUsd: 0.0024,
          delegationRate: 0.33333,
          largeAccuracy: 0.80952,
          largeMeanCostUsd: 0.006,
          costSavingVsLarge: 0.6,
          costSavingInterval: { lower: 0.5, upper: 0.7 },
        },
      },
      {
        label: 'P(c) threshold',
        guarantee: { kind: 'mean-cost', maxMeanCostUsd: 0.00005 },
        target: 0.00005,
        delta: 0.1,
        method: 'Learn then Test on the mean cost per problem',
        feasibility: { feasible: false, bestAccuracy: 0.9, largeAccuracy: 0.85, smallMeanCostUsd: 0.0001 },
        violations: null,
        threshold: null,
        calibration: null,
        heldOut: null,
      },
    ],
    recalibration: [],
    offPolicy: {
      log: '../explore-fixture/run',
      logRouter: 'core/explore',
      problems: 41,
      missing: 3,
      logged: { delegationRate: 0.29268, accuracy: 0.78049, meanCostUsd: 0.0031174 },
      strata: 5,
      folds: 2,
      routers: [
        {
          id: 'p-confident',
          label: 'P(c) threshold',
          kind: 'after-small-answer',
          actual: { accuracy: 0.81943, meanCostUsd: 0.0026642 },
          accuracy: {
            ips: { estimate: 0.84713, interval: { lower: 0.71377, upper: 0.97319 } },
            snips: { estimate: 0.82291, interval: { lower: 0.73113, upper: 0.90617 } },
            doublyRobust: { estimate: 0.81177, interval: { lower: 0.74419, upper: 0.87731 } },
          },
          meanCostUsd: {
            ips: { estimate: 0.0029913, interval: { lower: 0.0021137, upper: 0.0039071 } },
            snips: { estimate: 0.0028817, interval: { lower: 0.0027113, upper: 0.0031719 } },
            doublyRobust: { estimate: 0.0027371, interval: { lower: 0.0022291, upper: 0.0032213 } },
          },
          effectiveSampleSize: 27.3917,
          matched: 31,
        },
      ],
    },
    fairBaselines: {
      routers: [
        {
          id: 'p-confident',
          label: 'P(c) threshold',
          accuracy: 0.81951,
          costUsd: 0.109232,
          mix: { kind: 'after-small-answer', rate: 0.31, accuracy: 0.71419, costUsd: 0.109232, matched: true },
          difference: 0.10532,
          differenceInterval: { lower: 0.0213, upper: 0.1893 },
          verdict: 'credited',
          bestSingleModel: { label: 'small', accuracy: 0.6098, costUsd: 0.0041 },
        },
      ],
      agreement: { routers: ['p-confident', 'always-large'], kappa: [[1, null], [null, null]] },
    },
    leaderboard: {
      zones: { bothRight: 23, onlySmallRight: 2, onlyLargeRight: 13, bothWrong: 3 },
      oracleAccuracy: 0.92683,
      routers: routers.map((curve, index) => ({
        id: curve.id,
        label: curve.label,
        accuracy: curve.reported.accuracy,
        costUsd: curve.reported.costUsd,
        headroomCaptured: [0.65817, 0.61319, 0.69913][index]!,
        arenaScore: [0.79137, 0.78311, 0.80731][index]!,
        optimality: curve.kind === 'cascade' ? null : { optimalSelection: [0.91119, 0.90317][index]!, optimalCost: [0.71713, 0.73319][index]!, optimalAccuracy: 1, problems: 36 },
        delegatedByZone: curve.kind === 'cascade' ? null : { bothRight: 1, onlySmallRight: 0, onlyLargeRight: [8, 7][index]!, bothWrong: 1 },
      })),
    },
    policies: [],
    tokenProbabilities: true,
    pipelineCheck: [],
    modelsEvaluation: null,
  };
}
