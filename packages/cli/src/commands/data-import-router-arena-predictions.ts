import { join, relative } from 'node:path';
import { importRouterArenaPredictions, MANIFEST_FILE, writeRunDirectory, type ImportedRouterArenaPredictions } from '@confide/data';
import { withRunFolder } from '@confide/experiments';
import { importRunFolder } from './data-import.js';
import { withInterrupts } from '../options/interrupts.js';

export interface RouterArenaPredictionsOptions {
  runs?: string[];
  routerConfig?: string;
  out?: string;
  force?: boolean;
  breakLock?: boolean;
}

function read(path: string, options: RouterArenaPredictionsOptions, signal?: AbortSignal): ImportedRouterArenaPredictions {
  return importRouterArenaPredictions({ path, runs: options.runs ?? [], ...(options.routerConfig ? { config: options.routerConfig } : {}), ...(signal ? { signal } : {}) });
}

function shown(path: string): string {
  return relative(process.cwd(), path) || path;
}

function verdicts(imported: ImportedRouterArenaPredictions): string {
  const { counts } = imported;
  const cost = counts.costUsd === null ? `costs unknown (${counts.costReason})` : `cost $${counts.costUsd.toPrecision(4)} (${counts.costReason})`;
  return `${counts.records} records, ${counts.correct} correct, mean score ${counts.meanScore.toFixed(3)}; ${cost}`;
}

/**
 * `confide data import <predictions.json> --inspect --runs <folder...>`: the format, the router, the counts, which model
 * runs matched and how often each was chosen; nothing written.
 */
export function inspectRouterArenaPredictions(path: string, options: RouterArenaPredictionsOptions): void {
  const imported = read(path, options);
  console.log(`format: ${imported.format.name} (${shown(path)})`);
  console.log(`router: ${imported.router} (run ${imported.label}); config ${imported.configFile === null ? 'none beside the file (routes in the order of --runs)' : shown(imported.configFile)}`);
  console.log(`routes among: ${imported.labels.map((label, at) => `${label} (${at === 0 ? 'small' : 'large'})`).join(', ')}`);
  for (const run of imported.runs) console.log(`model run ${run.label} (${shown(run.folder)}; model ${run.models.join(', ')}): ${run.chosen > 0 ? `matched, chosen ${run.chosen} time${run.chosen === 1 ? '' : 's'}` : 'never chosen'}`);
  for (const model of imported.configModelsWithoutRun) console.log(`config model ${model}: no run given (never chosen, or the import would have refused)`);
  console.log(`routed run: ${verdicts(imported)}`);
  for (const [why, count] of imported.leftOut) console.log(`left out: ${count} ${why}`);
  if (imported.promptMismatches > 0) console.log(`prompts that differ from the model run's question: ${imported.promptMismatches}`);
  console.log(`fields: ${imported.fields.join(', ')}`);
  console.log('nothing written (--inspect)');
}

/**
 * `confide data import <predictions.json> --runs <folder...> --out <run folder>`: the routed run written once every
 * prediction is matched to its model's record (a bad entry writes nothing); the folder is opened through the run kit
 * (locked; replaced only with --force).
 */
export async function importRouterArenaPredictionsInto(resultsFile: string, path: string, outFolder: string, options: RouterArenaPredictionsOptions): Promise<void> {
  await withRunFolder(
    importRunFolder(resultsFile, outFolder, options),
    async () => {
      await withInterrupts('data import: stopping: nothing is written', async ({ stop }) => {
        const imported = read(path, options, stop);
        writeRunDirectory(outFolder, { manifest: imported.manifest, records: imported.records, problems: imported.problems });
        console.log(`${imported.label}: ${imported.router} routing among ${imported.labels.join(', ')}; ${verdicts(imported)} -> ${join(outFolder, MANIFEST_FILE)}`);
        for (const [why, count] of imported.leftOut) console.log(`left out: ${count} ${why}`);
      });
      return { status: 'complete' };
    },
  );
}
