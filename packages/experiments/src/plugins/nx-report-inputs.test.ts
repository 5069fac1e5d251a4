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
