// @ts-check
/**
 * Local Nx plugin: every `experiments/<name>/experiment.json` becomes a project `<name>` with a cached `report` target
 * that regenerates `reports/<name>/`. Inputs are the experiment folder, the bundled data and runs, and the source of
 * the packages and plugins, so a report is rebuilt only when something it reads changed.
 */
const { readFileSync } = require('node:fs');
const { dirname, basename, join } = require('node:path');

/** Which CLI command builds each kind of experiment. */
const COMMANDS = {
  paper: 'paper',
  ablation: 'ablate',
  live: 'run',
  pipeline: 'run',
};

/** @type {import('nx/src/project-graph/plugins/public-api').CreateNodes} */
const createNodes = [
  'experiments/*/experiment.json',
  async (files, _options, context) =>
    files.map((file) => {
      const root = dirname(file);
      const name = basename(root);
      let kind;
      try {
        kind = JSON.parse(readFileSync(join(context.workspaceRoot, file), 'utf8')).kind;
      } catch (error) {
        throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      }
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
              targets: {
                report: {
                  command: `node --conditions=@confide/source --import tsx packages/cli/src/main.ts ${command} --experiment ${root} --out reports/${name}`,
                  options: { cwd: '{workspaceRoot}' },
                  cache: true,
                  inputs: [
                    '{projectRoot}/**/*',
                    '{workspaceRoot}/experiments/recorded-math500/**/*',
                    '{workspaceRoot}/packages/data/datasets/**/*',
                    '{workspaceRoot}/packages/*/src/**/*.ts',
                    '{workspaceRoot}/plugins/*/src/**/*.ts',
                    '!{workspaceRoot}/**/*.test.ts',
                    { externalDependencies: ['vega', 'vega-lite', 'arquero', '@resvg/resvg-js', 'zod'] },
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
