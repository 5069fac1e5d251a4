import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';
import { Experiment, EXPERIMENT_KINDS, experimentKindOf, loadExperiment, loadExperimentOfKind } from './experiment.js';

describe('the Experiment schema', () => {
  it('covers exactly the kinds of the table the Nx plugin reads', () => {
    const kinds = Experiment.options.map((option) => option.shape.kind.value).sort();
    expect(kinds).toEqual(Object.keys(EXPERIMENT_KINDS).sort());
  });

  it('loads every committed experiment', () => {
    const folder = join(workspaceRoot(), 'experiments');
    const names = readdirSync(folder).filter((name) => existsSync(join(folder, name, 'experiment.json')));
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names) expect(loadExperiment(join(folder, name)).experiment.name, name).toBe(name);
  });

  it('names the command for a folder of another kind, and the known kinds for an unknown one', () => {
    const paper = join(workspaceRoot(), 'experiments', 'paper-math500');
    expect(() => loadExperimentOfKind(paper, 'ablation')).toThrow(/this command runs "ablation" experiments, the file is "paper" \(run it with confide paper\)/);
    const folder = mkdtempSync(join(tmpdir(), 'experiment-kind-'));
    writeFileSync(join(folder, 'experiment.json'), JSON.stringify({ kind: 'report', name: 'x' }));
    expect(() => experimentKindOf(folder)).toThrow(/key "kind": "report" is not one of paper, ablation, live, pipeline, dataset/);
  });
});
