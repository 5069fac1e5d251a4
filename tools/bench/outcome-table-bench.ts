/**
 * Benchmark of the columnar outcome table over K models (issue 23, items 3–5) at field scale: a synthetic table of
 * 1,000,000 problems × 6 models, generated here from a seeded PRNG (no data is read), built once from run records,
 * then the column-form routers: best single model, the oracle over six, every two-stage chain (30, each keeping the
 * first model's confident answers), random mixtures of every pair on an 11-point grid, and the frontier over them
 * (hull, pairwise envelope, AIQ over the common range). Prints each step's median seconds, nanoseconds per
 * problem × model, and its ratio to one pass over one score column (the floor of any column computation).
 * Run: node --conditions=@confide/source --import tsx tools/bench/outcome-table-bench.ts [problems=1000000] [rounds=3]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { CONFIDENT_TOKEN, createRandom, PriceTable, UNCERTAIN_TOKEN } from '@confide/core';
import { aiqOverCommonRange, commonCostRange, nonDecreasingConvexHull, pairwiseEnvelope } from '@confide/metrics';
import {
  allPairMixtures,
  bestSingleModelRouter,
  buildOutcomeTable,
  everyTwoStageCascade,
  keepWhenConfidentToken,
  mixtureProbabilityGrid,
  modelMeans,
  oracleRouter,
  type OutcomeRecord,
  type OutcomeTableModel,
} from '@confide/routing';

const problems = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);

/** Six models, cheap and weak to dear and strong (MATH-500's six seed runs in spirit, not in numbers). */
const modelSpecs = [
  { label: '1.5b', model: 'bench-1.5b', skill: -0.6, outputPerMillion: 0.05, meanOutput: 600 },
  { label: '1.5b-lora', model: 'bench-1.5b-lora', skill: -0.4, outputPerMillion: 0.05, meanOutput: 550 },
  { label: '7b', model: 'bench-7b', skill: 0.2, outputPerMillion: 0.2, meanOutput: 650 },
  { label: 'flash-lite', model: 'bench-flash-lite', skill: 0.8, outputPerMillion: 0.4, meanOutput: 900 },
  { label: 'flash', model: 'bench-flash', skill: 1.4, outputPerMillion: 2.5, meanOutput: 1500 },
  { label: 'pro', model: 'bench-pro', skill: 1.9, outputPerMillion: 10, meanOutput: 2500 },
];
const prices = PriceTable.parse({
  id: 'bench',
  version: '2025-01-01',
  currency: 'USD',
  source: 'synthetic',
  thinkingBilledAs: 'output',
  models: Object.fromEntries(modelSpecs.map((spec) => [spec.model, { inputPerMillion: spec.outputPerMillion / 4, outputPerMillion: spec.outputPerMillion }])),
});

/** K runs of synthetic records: a latent difficulty per problem, a skill per model, graded scores in quarters. */
function syntheticRuns(): OutcomeTableModel[] {
  const random = createRandom(20_260_523);
  const difficulty = Float64Array.from({ length: problems }, () => 3 * (random() - 0.5));
  const ids = Array.from({ length: problems }, (_, index) => `synthetic/${index}`);
  return modelSpecs.map((spec) => {
    const records: OutcomeRecord[] = new Array(problems);
    for (let index = 0; index < problems; index++) {
      const chance = 1 / (1 + Math.exp(difficulty[index]! - spec.skill));
      const draw = random();
      // graded: full credit below the chance, partial credit (0.25–0.75) just above it, else 0
      const score = draw < chance ? 1 : draw < chance + 0.1 ? 0.25 * (1 + Math.floor(random() * 3)) : 0;
      const confident = random() < (score === 1 ? 0.85 : 0.3);
      const pC = confident ? 0.5 + 0.5 * random() : 0.5 * random();
      records[index] = {
        problemId: ids[index]!,
        grade: { correct: score >= 0.5, score },
        generation: {
          model: spec.model,
          text: '',
          answer: null,
          confidenceToken: confident ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN,
          confidenceProbabilities: { confident: pC, uncertain: 1 - pC },
          usage: { input: 200 + Math.floor(random() * 100), output: Math.floor(spec.meanOutput * (0.5 + random())), thinking: 0 },
          latencyMs: random() < 0.01 ? null : 1000 * random(),
          finishReason: 'stop',
        },
      };
    }
    return { label: spec.label, records };
  });
}

function seconds(started: number): number {
  return (performance.now() - started) / 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

console.log(`generating ${problems.toLocaleString('en-US')} problems × ${modelSpecs.length} models (not timed)…`);
const generating = performance.now();
const runs = syntheticRuns();
console.log(`  generated in ${seconds(generating).toFixed(2)} s`);

// Garbage collection during the build: full collections mark every record the caller still holds.
let gcMilliseconds = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMilliseconds += entry.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });
await new Promise((resolve) => setTimeout(resolve, 0));
gcMilliseconds = 0;
const building = performance.now();
const table = buildOutcomeTable(runs, prices);
const buildSeconds = seconds(building);
await new Promise((resolve) => setTimeout(resolve, 0));
gcObserver.disconnect();
const buildGcSeconds = gcMilliseconds / 1000;
runs.length = 0; // the records are not needed after the build

/** The operating points the frontier step reads: the six models, the oracle and the 30 chains (computed once, untimed). */
const frontierInput = (() => {
  const singles = modelMeans(table).map((mean) => ({ label: mean.label, cost: mean.meanCostUsd, accuracy: mean.meanScore }));
  const routed = [oracleRouter(table), ...everyTwoStageCascade(table, (first) => keepWhenConfidentToken(table, first))];
  const routers = routed.map((result) => ({ uses: result.models.map((model) => table.labels[model]!), point: { label: result.name, cost: result.meanCostUsd, accuracy: result.meanScore } }));
  return { singles, routers };
})();

const steps: Record<string, () => number> = {
  'baseline: one pass over one score column': () => {
    let sum = 0;
    const score = table.models[0]!.score;
    for (let index = 0; index < score.length; index++) sum += score[index]!;
    return sum;
  },
  'model means + best single': () => bestSingleModelRouter(table, modelMeans(table)).meanScore,
  'oracle over 6': () => oracleRouter(table).meanScore,
  'every two-stage chain (30)': () => everyTwoStageCascade(table, (first) => keepWhenConfidentToken(table, first)).reduce((sum, chain) => sum + chain.meanScore, 0),
  'mixtures of every pair (15 × 11)': () => allPairMixtures(modelMeans(table), mixtureProbabilityGrid(10)).length,
  'hull + envelope + AIQ (on the points above)': () => {
    const range = commonCostRange(frontierInput.singles);
    const envelope = pairwiseEnvelope(frontierInput.singles, frontierInput.routers).envelope;
    const hull = nonDecreasingConvexHull([...frontierInput.singles, ...frontierInput.routers.map((router) => router.point)]);
    return aiqOverCommonRange(envelope, range) + aiqOverCommonRange(hull, range);
  },
};

const timings = new Map<string, number[]>(Object.keys(steps).map((name) => [name, []]));
let checksum = 0;
for (let round = 0; round < rounds; round++) {
  for (const [name, step] of Object.entries(steps)) {
    const started = performance.now();
    checksum += step();
    timings.get(name)!.push(seconds(started));
  }
}

const cells = problems * modelSpecs.length;
const baseline = median(timings.get('baseline: one pass over one score column')!);
const rows: Array<[string, number]> = [['build from records (once)', buildSeconds], ...[...timings].map(([name, values]): [string, number] => [name, median(values)])];
console.log(`\n${problems.toLocaleString('en-US')} problems × ${modelSpecs.length} models, medians of ${rounds} (build: one run); node ${process.version}`);
console.log(`${'step'.padEnd(44)} ${'seconds'.padStart(9)} ${'ns/cell'.padStart(9)} ${'× baseline'.padStart(11)}`);
for (const [name, value] of rows) {
  console.log(`${name.padEnd(44)} ${value.toFixed(3).padStart(9)} ${((value * 1e9) / cells).toFixed(1).padStart(9)} ${(value / baseline).toFixed(1).padStart(11)}`);
}
console.log(`of the build, garbage collection: ${buildGcSeconds.toFixed(3)} s (the input records held: ${problems.toLocaleString('en-US')} × ${modelSpecs.length} objects)`);
const routerSeconds = rows.slice(2).reduce((sum, [, value]) => sum + value, 0);
console.log(`\nrouters and frontier in all: ${routerSeconds.toFixed(3)} s (${(routerSeconds / buildSeconds).toFixed(2)} × the build)`);
console.log(`table: ${table.problemCount.toLocaleString('en-US')} problems; lost ${table.lost.map((entry) => entry.count).join('/')}; heap ${(process.memoryUsage().heapUsed / 1e9).toFixed(2)} GB; checksum ${checksum.toFixed(3)}`);
const oracle = oracleRouter(table);
const best = bestSingleModelRouter(table);
console.log(`oracle ${oracle.meanScore.toFixed(4)} at $${oracle.meanCostUsd.toExponential(3)}/problem; ${best.name} ${best.meanScore.toFixed(4)} at $${best.meanCostUsd.toExponential(3)}`);
