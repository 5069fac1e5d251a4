/**
 * The six-model MATH-500 ablation (experiments/ablation-math500-models: oracle, pair mixtures, best single, two-stage
 * chains, the learned router over six, the pairwise envelope, reference runs, 1,000 bootstrap resamples, the report) as a whole process from the
 * sources (and the built bin, where built), beside `node -e 0` and the same node with tsx and nothing else, interleaved, ROUNDS times each; medians,
 * the goal (≤ 3 s) met or missed. Then where the time goes, measured in this process: importing the modules, reading
 * the eight runs, building the outcome table, the evaluation without the learned router, then with it (its features,
 * cross-fitting and λ grid: the difference), then with the bootstrap, writing the report.
 * Run: node --conditions=@confide/source --import tsx tools/bench/models-ablation-bench.ts [rounds=5]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GOAL_SECONDS = 3;
const rounds = Number(process.argv[2] ?? 5);
const root = join(import.meta.dirname, '..', '..');
const experimentFolder = join(root, 'experiments', 'ablation-math500-models');
const folder = mkdtempSync(join(tmpdir(), 'confide-models-bench-'));
const source = ['--conditions=@confide/source', '--import', 'tsx'];

interface Case {
  label: string;
  args: (round: number) => string[];
  goal: boolean;
}
const cases: Case[] = [
  { label: 'node -e 0', args: () => ['-e', '0'], goal: false },
  { label: 'node --import tsx -e 0 (the loader alone)', args: () => [...source, '-e', '0'], goal: false },
  {
    label: 'confide ablate, six models (sources, in all)',
    args: (round) => [...source, join(root, 'packages', 'cli', 'src', 'main.ts'), 'ablate', '--no-fit-cache', '--experiment', experimentFolder, '--out', join(folder, `report-${round}`)],
    goal: true,
  },
];
// the built command too, where `npm run build` has been run (the bin falls back to the sources, and says so, otherwise)
if (existsSync(join(root, 'packages', 'cli', 'dist', 'main.js'))) {
  cases.push({
    label: 'confide ablate, six models (built bin, in all)',
    args: (round) => [join(root, 'packages', 'cli', 'bin', 'confide.js'), 'ablate', '--no-fit-cache', '--experiment', experimentFolder, '--out', join(folder, `built-${round}`)],
    goal: true,
  });
}

const times = new Map<string, number[]>(cases.map((entry) => [entry.label, []]));
for (let round = 0; round < rounds; round++) {
  for (const entry of cases) {
    const started = performance.now();
    const result = spawnSync(process.execPath, entry.args(round), { cwd: root, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`${entry.label} exited ${result.status}`);
    times.get(entry.label)!.push(seconds);
  }
}
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const baseline = median(times.get('node -e 0')!);
console.log(`six-model ablation as a whole process, ${rounds} rounds each, interleaved`);
for (const entry of cases) {
  const value = median(times.get(entry.label)!);
  const goal = entry.goal ? `  goal ${GOAL_SECONDS.toFixed(1)} s: ${value <= GOAL_SECONDS ? 'met' : 'missed'}` : '';
  console.log(`${entry.label.padEnd(48)} median ${value.toFixed(3)} s  (${(value / baseline).toFixed(1)}× node -e 0)${goal}`);
}

// Where the time goes, in this process (the modules are compiled by tsx here as in the command).
const phases: Array<[string, number]> = [];
let mark = performance.now();
const phase = (label: string) => {
  const now = performance.now();
  phases.push([label, now - mark]);
  mark = now;
};
const { loadExperimentOfKind, computeAblationResults } = await import('@confide/experiments');
const { loadProblems, resolvePriceTable, RunStore } = await import('@confide/data');
const { buildModelsTable, evaluateModels } = await import('@confide/routing');
const { writeAblationReport } = await import('@confide/reports');
// the command's registry lives in the cli package, which the experiments project (that type-checks tools/bench) may not
// import: load it by a path the type checker does not follow
const registryModule = '../../packages/cli/src/plugin-registry.js';
const { createPluginRegistry } = (await import(registryModule)) as { createPluginRegistry: () => import('@confide/core').PluginRegistry };
phase('import the modules (experiments, data, routing, reports, plugins)');
const loaded = loadExperimentOfKind(experimentFolder, 'ablation');
const experiment = loaded.experiment;
const prices = resolvePriceTable(experiment.priceTable, experimentFolder);
// the bench's experiment names its dataset (an ablation without one reads the problems its runs carry)
if (experiment.dataset === undefined) throw new Error(`${loaded.file}: the bench reads an ablation that names its dataset`);
const problems = (await loadProblems(experiment.dataset, { baseFolder: experimentFolder })).problems;
phase('load the experiment, prices and the dataset');
const store = new RunStore().relativeTo(experimentFolder);
const models = experiment.models!.map((entry) => ({ label: entry.label, records: store.load(entry.run).records }));
const references = experiment.referenceRuns.map((entry) => ({ label: entry.label, records: store.load(entry.run).records }));
phase('read the eight runs (records, manifests)');
const { table, references: referenceColumns } = buildModelsTable(models, references, prices);
phase(`build the outcome table (${table.problemCount} problems × ${table.labels.length} models + ${referenceColumns.length} references)`);
await evaluateModels(table, { bootstrap: { ...experiment.bootstrap, resamples: 10 }, references: referenceColumns });
phase('evaluate every router but the learned one: envelope, arena figures (10 resamples)');
await evaluateModels(table, { bootstrap: { ...experiment.bootstrap, resamples: 10 }, references: referenceColumns, problems });
phase('the same with the learned router over six (features, 5-fold kNN cross-fitting, λ grid; 10 resamples)');
await evaluateModels(table, { bootstrap: experiment.bootstrap, references: referenceColumns, problems });
phase(`evaluate with the learned router and the experiment's ${experiment.bootstrap.resamples} bootstrap resamples`);
const results = await computeAblationResults({
  experiment,
  experimentFile: loaded.file,
  registry: createPluginRegistry(),
  prices,
  problems,
  loadRun: (reference) => store.load(reference),
});
phase('computeAblationResults again (runs cached by the store: evaluation, provenance)');
await writeAblationReport(results, join(folder, 'in-process'));
phase('write the report (chart rendered to SVG and PNG, md, html, summary.json)');
console.log('\nwhere the time goes (in this process, one pass, ms):');
for (const [label, ms] of phases) console.log(`  ${ms.toFixed(0).padStart(6)}  ${label}`);
