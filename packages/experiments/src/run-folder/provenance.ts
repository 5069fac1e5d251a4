import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PluginUse } from '@confide/core';
import { gitState, packageVersions } from '@confide/data';
import type { SummaryProvenance } from '@confide/reports';

/** Provenance of a report built now from `experimentFile` with `plugins` (their validated options). */
export function summaryProvenance(experimentFile: { path: string; label: string }, plugins: readonly PluginUse[]): SummaryProvenance {
  const unique = new Map(plugins.map((use) => [`${use.kind}:${use.id}:${JSON.stringify(use.options)}`, use]));
  return {
    git: gitState(),
    packageVersions: packageVersions(),
    experimentFile: { path: experimentFile.label, sha256: createHash('sha256').update(readFileSync(experimentFile.path)).digest('hex') },
    plugins: [...unique.values()].sort((left, right) => (left.kind + left.id).localeCompare(right.kind + right.id)),
  };
}
