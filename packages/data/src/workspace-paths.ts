import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: `CONFIDE_ROOT` if set, else found by walking up from this file to `nx.json`. */
export function workspaceRoot(): string {
  const fromEnvironment = process.env['CONFIDE_ROOT'];
  if (fromEnvironment) return resolve(fromEnvironment);
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'nx.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('cannot find the Confide workspace root (no nx.json above this package)');
    folder = parent;
  }
  return folder;
}

/** Where the bundled datasets live. */
export function bundledDatasetsFolder(): string {
  return join(workspaceRoot(), 'packages', 'data', 'datasets');
}

/** Where the imported recorded runs are bundled: one folder per run with manifest.json and records.jsonl.gz. */
export function recordedRunsFolder(): string {
  return join(workspaceRoot(), 'experiments', 'recorded-math500', 'runs');
}
