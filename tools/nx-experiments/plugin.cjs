// @ts-check
/**
 * Local Nx plugin: every `experiments/<name>/experiment.json` becomes a project `<name>` with a cached `report` target
 * that regenerates `reports/<name>/`. Inputs are what the experiment reads: its folder, the runs it names (bundled ids
 * and run-directory paths), a dataset or price file it names outside its folder, the bundled datasets, and the production source of the `confide` command and everything it
 * depends on (the project depends on @confide/cli, so `^production` is exactly that code).
 */
const { existsSync, readFileSync, realpathSync } = require('node:fs');
const { dirname, basename, join, relative, resolve } = require('node:path');

/** Which CLI command builds each kind of experiment: the experiments package's own table (one place for the kinds). */
const KINDS = require('../../packages/experiments/src/experiment-kinds.json');
const COMMANDS = Object.fromEntries(Object.entries(KINDS).map(([kind, entry]) => [kind, entry.command]));

/**
 * Every run reference in an experiment file: the values of `run` (at any depth: an ablation's small, large, peers,
 * cascade stages, `models` and `referenceRuns`), `recordedRoutes`, `checkAgainst`, runs' `id`, an ablation's
 * `offPolicy.log` (an exploration log).
 */
function runReferences(value, key, found) {
  if (typeof value === 'string') {
    if (['run', 'recordedRoutes', 'checkAgainst', 'id', 'log'].includes(key)) found.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) runReferences(item, key === 'runs' ? 'id' : key, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [inner, item] of Object.entries(value)) runReferences(item, inner, found);
  }
  return found;
}

/** Nx inputs for the runs an experiment names: a bundled run's folder, or a run directory given by path. */
function runInputs(workspaceRoot, root, experiment) {
  const inputs = [];
  for (const reference of runReferences(experiment, '', new Set())) {
    const isPath = reference.includes('/') || reference.startsWith('.');
    const folder = isPath ? relative(workspaceRoot, resolve(workspaceRoot, root, reference)) : `experiments/recorded-math500/runs/${reference}`;
    if (folder.startsWith('..') || !existsSync(join(workspaceRoot, folder))) continue; // outside the workspace, or not a run
    inputs.push(`{workspaceRoot}/${folder}/**/*`);
  }
  // An ablation draws its paper experiment's delegations: that experiment's file and runs are inputs too.
  if (typeof experiment.paperExperiment === 'string') {
    const paperRoot = relative(workspaceRoot, resolve(workspaceRoot, root, experiment.paperExperiment));
    const paperFile = join(workspaceRoot, paperRoot, 'experiment.json');
    if (!paperRoot.startsWith('..') && existsSync(paperFile)) {
      inputs.push(`{workspaceRoot}/${paperRoot}/experiment.json`, ...runInputs(workspaceRoot, paperRoot, JSON.parse(readFileSync(paperFile, 'utf8'))));
    }
  }
  return [...new Set(inputs)].sort();
}

/**
 * Nx inputs for the files an experiment names by path outside its own folder (whose files are inputs already): its
 * `dataset` (a path, or `{ file }` with a column mapping) and its `priceTable` (a `.json` file), e.g. an exploration
 * log's experiment reading another experiment's CSV and prices. A bundled id or a hub address names no file here.
 */
function fileInputs(workspaceRoot, root, experiment) {
  const references = [typeof experiment.dataset === 'object' && experiment.dataset !== null ? experiment.dataset.file : experiment.dataset, experiment.priceTable];
  const inputs = [];
  for (const reference of references) {
    if (typeof reference !== 'string' || reference.includes('://') || !(reference.includes('/') || reference.startsWith('.'))) continue;
    const target = resolve(workspaceRoot, root, reference);
    const path = relative(workspaceRoot, target);
    if (path.startsWith('..') || !existsSync(target)) continue; // outside the workspace, or missing
    if (!relative(join(workspaceRoot, root), target).startsWith('..')) continue; // inside the experiment's folder: an input already
    inputs.push(`{workspaceRoot}/${path}`);
  }
  return [...new Set(inputs)].sort();
}

/**
 * Nx inputs for the plugin modules an experiment loads (`plugins`): a file given by path (relative to the experiment's
 * folder) outside that folder (whose files are inputs already), and for a package name that resolves to a package of
 * this workspace, that package's folder. A package installed from a registry is named with its version in the
 * report's provenance; Nx tracks those through the lock file only, so it adds no input here.
 */
function pluginInputs(workspaceRoot, root, experiment) {
  if (!Array.isArray(experiment.plugins)) return [];
  const inputs = [];
  for (const specifier of experiment.plugins) {
    if (typeof specifier !== 'string') continue;
    const isPath = specifier.startsWith('.') || specifier.startsWith('/');
    const target = isPath ? resolve(workspaceRoot, root, specifier) : packageFolder(workspaceRoot, root, specifier);
    if (target === undefined) continue;
    const path = relative(workspaceRoot, target);
    if (path.startsWith('..') || path.split(/[\\/]/).includes('node_modules') || !existsSync(target)) continue; // outside the workspace, installed, or missing
    if (!relative(join(workspaceRoot, root), target).startsWith('..')) continue; // inside the experiment's folder: an input already
    inputs.push(isPath ? `{workspaceRoot}/${path}` : `{workspaceRoot}/${path}/**/*`);
  }
  return [...new Set(inputs)].sort();
}

/** The real folder of package `name` as Node finds it from the experiment's folder upward (a workspace package: its source folder). */
function packageFolder(workspaceRoot, root, name) {
  for (let folder = resolve(workspaceRoot, root); ; folder = dirname(folder)) {
    const candidate = join(folder, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(folder) === folder) return undefined;
  }
}

/** @type {import('nx/src/project-graph/plugins/public-api').CreateNodes} */
const createNodes = [
  'experiments/*/experiment.json',
  async (files, _options, context) =>
    files.map((file) => {
      const root = dirname(file);
      const name = basename(root);
      let experiment;
      try {
        experiment = JSON.parse(readFileSync(join(context.workspaceRoot, file), 'utf8'));
      } catch (error) {
        throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      }
      const kind = experiment.kind;
      const command = COMMANDS[kind];
      if (command === undefined) {
        throw new Error(`${file}: key "kind": "${kind}" is not one of ${Object.keys(COMMANDS).join(', ')}`);
      }
      return [
        file,
        {
          projects: {
            [root]: {
              name,
              root,
              tags: ['type:experiment'],
              implicitDependencies: ['@confide/cli'],
              targets: {
                report: {
                  // a run-kind target starts its run over each time it runs (the response cache still answers what it can)
                  command: `node --conditions=@confide/source --import tsx packages/cli/src/main.ts ${command} --experiment ${root} --out reports/${name}${command === 'run' ? ' --force' : ''}`,
                  options: { cwd: '{workspaceRoot}' },
                  cache: true,
                  inputs: [
                    '{projectRoot}/**/*',
                    ...runInputs(context.workspaceRoot, root, experiment),
                    ...pluginInputs(context.workspaceRoot, root, experiment),
                    ...fileInputs(context.workspaceRoot, root, experiment),
                    '{workspaceRoot}/packages/data/datasets/**/*',
                    '^production',
                    { externalDependencies: ['vega', 'vega-lite', 'arquero', '@resvg/resvg-js', 'zod', 'mathjs'] },
                  ],
                  outputs: [`{workspaceRoot}/reports/${name}`],
                  metadata: { description: `regenerate reports/${name} from ${file}` },
                },
              },
            },
          },
        },
      ];
    }),
];

module.exports = { createNodes, createNodesV2: createNodes };
