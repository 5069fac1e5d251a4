/**
 * Re-imports the upstream recorded MATH-500 runs (through the generic results importer, as `confide data
 * import-recorded` does) into a temporary folder and compares every file with the bundled run directories.
 * Usage: node --conditions=@confide/source --import tsx tools/reimport-check.ts [upstream folder = ../shared/data/recorded-runs/math500]
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importAllRecordedRuns, loadDataset, MANIFEST_FILE, RECORDS_FILE, recordedRunsFolder, workspaceRoot } from '@confide/data';

const upstream = resolve(process.argv[2] ?? join(workspaceRoot(), '..', 'shared', 'data', 'recorded-runs', 'math500'));
const out = mkdtempSync(join(tmpdir(), 'confide-reimport-'));
const runs = importAllRecordedRuns(upstream, out, loadDataset('math500'));
let differing = 0;
for (const run of runs) {
  const id = run.manifest.runId;
  for (const file of [RECORDS_FILE, MANIFEST_FILE]) {
    const same = readFileSync(join(out, id, file)).equals(readFileSync(join(recordedRunsFolder(), id, file)));
    if (!same) differing++;
    console.log(`${same ? 'identical' : 'DIFFERS  '} ${id}/${file}`);
  }
}
console.log(`${runs.length} runs re-imported from ${upstream}: ${differing === 0 ? 'every file byte-identical to the bundled ones' : `${differing} files differ`}`);
process.exitCode = differing === 0 ? 0 : 1;
