import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';

type CreateNodes = [string, (files: string[], options: unknown, context: { workspaceRoot: string }) => Promise<Array<[string, { projects: Record<string, { targets: { report: { inputs: unknown[] } } }> }]>>];
const { createNodes } = createRequire(import.meta.url)(join(workspaceRoot(), 'tools', 'nx-experiments', 'plugin.cjs')) as { createNodes: CreateNodes };

function workspaceWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'confide-nx-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

describe('the Nx report target of an experiment with plugin modules', () => {
  it('counts a plugin file outside the experiment folder, and a workspace package named by its name, as inputs', async () => {
    const experiment = { kind: 'ablation', name: 'mine', plugins: ['../../lib/my-router.ts', './inside.ts', 'my-plugins', 'not-installed'] };
    const root = workspaceWith({
      'experiments/mine/experiment.json': JSON.stringify(experiment),
      'experiments/mine/inside.ts': '',
      'lib/my-router.ts': '',
      'plugins/my-plugins/package.json': '{ "name": "my-plugins" }',
    });
    mkdirSync(join(root, 'node_modules'));
    symlinkSync(join(root, 'plugins', 'my-plugins'), join(root, 'node_modules', 'my-plugins'));
    const [[, nodes]] = (await createNodes[1](['experiments/mine/experiment.json'], {}, { workspaceRoot: root })) as [[string, { projects: Record<string, { targets: { report: { inputs: unknown[] } } }> }]];
    const inputs = nodes.projects['experiments/mine']!.targets.report.inputs;
    expect(inputs).toContain('{workspaceRoot}/lib/my-router.ts');
    expect(inputs).toContain('{workspaceRoot}/plugins/my-plugins/**/*');
    expect(inputs.filter((input) => typeof input === 'string' && (input.includes('inside.ts') || input.includes('not-installed')))).toEqual([]);
  });
});

describe('the Nx report target of an ablation with an exploration log', () => {
  it('counts the log that offPolicy names as an input', async () => {
    const experiment = { kind: 'ablation', name: 'mine', offPolicy: { log: '../explore/run', routers: ['token'] } };
    const root = workspaceWith({ 'experiments/mine/experiment.json': JSON.stringify(experiment), 'experiments/explore/run/manifest.json': '{}' });
    const [[, nodes]] = (await createNodes[1](['experiments/mine/experiment.json'], {}, { workspaceRoot: root })) as [[string, { projects: Record<string, { targets: { report: { inputs: unknown[] } } }> }]];
    expect(nodes.projects['experiments/mine']!.targets.report.inputs).toContain('{workspaceRoot}/experiments/explore/run/**/*');
  });
});

describe('the Nx report target of an experiment reading another experiment\'s files', () => {
  it('counts a dataset and a price file named by path outside its folder as inputs, and no bundled id or file inside it', async () => {
    const explore = { kind: 'live', name: 'explore', dataset: '../byo/data/problems.csv', priceTable: '../byo/prices.json' };
    const mapped = { kind: 'ablation', name: 'mapped', dataset: { file: '../byo/data/problems.csv', columns: { id: 'key' } }, priceTable: './prices.json' };
    const bundled = { kind: 'ablation', name: 'bundled', dataset: 'math500', priceTable: 'seed-math500' };
    const root = workspaceWith({
      'experiments/explore/experiment.json': JSON.stringify(explore),
      'experiments/mapped/experiment.json': JSON.stringify(mapped),
      'experiments/mapped/prices.json': '{}',
      'experiments/bundled/experiment.json': JSON.stringify(bundled),
      'experiments/byo/data/problems.csv': 'id,question,answer\n',
      'experiments/byo/prices.json': '{}',
    });
    const files = ['experiments/explore/experiment.json', 'experiments/mapped/experiment.json', 'experiments/bundled/experiment.json'];
    const results = (await createNodes[1](files, {}, { workspaceRoot: root })) as Array<[string, { projects: Record<string, { targets: { report: { inputs: unknown[] } } }> }]>;
    const inputsOf = (name: string) => results.find(([file]) => file === `experiments/${name}/experiment.json`)![1].projects[`experiments/${name}`]!.targets.report.inputs.filter((input): input is string => typeof input === 'string');
    expect(inputsOf('explore')).toEqual(expect.arrayContaining(['{workspaceRoot}/experiments/byo/data/problems.csv', '{workspaceRoot}/experiments/byo/prices.json']));
    expect(inputsOf('mapped')).toContain('{workspaceRoot}/experiments/byo/data/problems.csv');
    expect(inputsOf('mapped').filter((input) => input.includes('prices.json'))).toEqual([]);
    expect(inputsOf('bundled').filter((input) => input.includes('math500'))).toEqual([]);
  });
});
