import type { PriceTable, Problem } from '@confide/core';
import { loadProblems } from '../hub/hub-problems.js';
import { resolvePriceTable } from '../prices/price-table-file.js';
import { readRunProblems, runPriceTable, type RunDirectory } from './run-directory.js';

/**
 * The problems of a run, for a command that reads it (view, compare, regrade, data show): a dataset the user named
 * (relative to the current folder), else the problems the run carries (manifest v2, resolved against the run's own
 * folder, so it works from any folder and after the run is moved), else — a v1 run — its dataset label when that is a
 * bundled dataset or a hub reference at hand offline. `from` says which.
 */
export async function loadRunProblems(run: RunDirectory, options: { dataset?: string | undefined } = {}): Promise<{ problems: Problem[]; from: string }> {
  if (options.dataset !== undefined) return { problems: (await loadProblems(options.dataset, { offline: true })).problems, from: options.dataset };
  const carried = readRunProblems(run);
  if (carried !== null) return { problems: carried, from: `the problems the run carries (${run.manifest.problems!.path})` };
  return { problems: (await loadProblems(run.manifest.dataset, { offline: true })).problems, from: run.manifest.dataset };
}

/** The prices for a run: a table the user named (`--price-table`), else the one the run carries (or, v1, names). */
export function pricesForRun(run: RunDirectory, priceTable?: string | undefined): PriceTable {
  return priceTable !== undefined ? resolvePriceTable(priceTable) : runPriceTable(run.manifest, run.folder ?? run.manifest.runId);
}
