import type { ViewRun } from '../view-data.js';

/** What the page knows of a bundle's runs (the data itself, or a server's meta). */
export type BundleRuns = { runs: readonly ViewRun[] };

/** Whether the bundle holds K models (an ablation's `models`, or `--model` runs) rather than a run with its pair. */
export function isModelsBundle(data: BundleRuns): boolean {
  return data.runs[0]?.role === 'model';
}

/** The index of the run with a role (`large`, `compare`) in `data.runs` and each problem's `answers`; null when absent. */
export function roleIndex(data: BundleRuns, role: ViewRun['role']): number | null {
  const index = data.runs.findIndex((run) => run.role === role);
  return index === -1 ? null : index;
}

/** How the page names a run: a model by its label, a run by its id (the compared side says whose verdicts it uses). */
export function runName(run: ViewRun): string {
  if (run.role === 'model') return run.label;
  return run.role === 'compare' && run.grades === 'math' ? `${run.id} (core/math)` : run.id;
}

/** The index of the run a page parameter names (see `runName`), or null when it names none. */
export function runIndexByName(data: BundleRuns, name: string | undefined): number | null {
  if (name === undefined) return null;
  const index = data.runs.findIndex((run) => runName(run) === name);
  return index === -1 ? null : index;
}
