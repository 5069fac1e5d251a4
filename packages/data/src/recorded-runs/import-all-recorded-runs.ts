import { join } from 'node:path';
import type { Problem } from '@confide/core';
import { importRecordedRun, type ImportedRun } from './import-recorded-run.js';
import { RECORDED_RUNS, type RecordedRunDefinition } from './recorded-run-catalog.js';
import { writeRunDirectory } from './run-directory.js';

/**
 * Imports every recorded run and only then writes them, so one bad file leaves the bundled runs as they were.
 * Returns the imported runs.
 */
export function importAllRecordedRuns(
  sourceFolder: string,
  outputFolder: string,
  math500: readonly Problem[],
  definitions: readonly RecordedRunDefinition[] = RECORDED_RUNS,
  onProgress: (message: string) => void = () => undefined,
): ImportedRun[] {
  const runs = definitions.map((definition) => {
    onProgress(`importing ${definition.id} from ${definition.folder}/${definition.file}`);
    return importRecordedRun(definition, sourceFolder, math500);
  });
  for (const run of runs) writeRunDirectory(join(outputFolder, run.manifest.runId), run);
  return runs;
}
