import { basename } from 'node:path';
import { describeCoverage, importResultsFile, loadProblems, MANIFEST_FILE, resolvePriceTable, writeRunDirectory, type ResultField } from '@confide/data';
import { runFolderMode, withRunFolder } from '@confide/experiments';
import { withInterrupts } from '../options/interrupts.js';

export interface ImportOptions {
  dataset?: string;
  model?: string;
  out?: string;
  priceTable?: string;
  map?: string[];
  smallModel?: string;
  largeModel?: string;
  requireComplete?: boolean;
  binarizeAt?: number;
  force?: boolean;
  breakLock?: boolean;
}

/**
 * How `confide data import` opens its run folder through the run kit (every import alike): locked, a run already there
 * replaced only with --force, nothing to resume, the manifest written last.
 */
export function importRunFolder(resultsFile: string, outFolder: string, options: { out?: string; force?: boolean; breakLock?: boolean }) {
  return {
    folder: outFolder,
    mode: runFolderMode(options),
    kind: 'import' as const,
    command: `confide data import ${resultsFile}${options.out ? ` --out ${options.out}` : ''}`,
    configFile: MANIFEST_FILE,
    finishedFile: MANIFEST_FILE,
    resumable: false,
    ...(options.breakLock ? { breakLock: true } : {}),
  };
}

/**
 * `confide data import`'s work: the run folder opened through the run kit (locked; a run already there is replaced
 * only with --force), the rows read, validated and written as a run directory that carries its problems and prices.
 */
export async function importResults(resultsFile: string, file: string, outFolder: string, options: ImportOptions, map: Record<string, string>): Promise<void> {
  await withRunFolder(
    importRunFolder(resultsFile, outFolder, options),
    async () => {
      // Ctrl-C stops the import at the next row it reads: its spool goes, and the run folder is left as it was
      await withInterrupts('data import: stopping: nothing is written', ({ stop }) => importInto(file, outFolder, options, map, stop));
      return { status: 'complete' };
    },
  );
}

/** `confide data import`'s work, once its run folder is open: the rows read, validated and written as a run directory. */
async function importInto(file: string, outFolder: string, options: ImportOptions, map: Record<string, string>, signal: AbortSignal): Promise<void> {
  const loaded = await loadProblems(options.dataset!);
  const imported = await importResultsFile({
    file,
    problems: loaded.problems,
    datasetReference: loaded.reference,
    model: options.model!,
    runId: basename(outFolder),
    prices: resolvePriceTable(options.priceTable ?? 'seed-math500'),
    map: map as Partial<Record<ResultField, string>>,
    ...(options.requireComplete ? { requireComplete: true } : {}),
    ...(options.binarizeAt !== undefined ? { binarizeAt: options.binarizeAt } : {}),
    ...(options.smallModel && options.largeModel ? { models: { small: options.smallModel, large: options.largeModel } } : {}),
    // records wait in the run folder (a dot-named file, removed below) between reading and writing
    spoolFolder: outFolder,
    signal,
  });
  try {
    writeRunDirectory(outFolder, { manifest: imported.manifest, records: imported.records, problems: imported.problems });
  } finally {
    imported.discard();
  }
  const { records, correct } = imported.counts;
  console.log(`data import: ${describeCoverage(imported.coverage)}`);
  console.log(`${basename(outFolder)}: ${records} records, ${correct} correct (${((correct * 100) / records).toFixed(1)} %) -> ${outFolder}`);
  if (imported.questionMismatches.length > 0) console.log(`${imported.questionMismatches.length} rows carry another question than the problem they name (kept, noted on the record)`);
  for (const mismatch of imported.summaryMismatches) console.log(`the file's summary disagrees with its rows: ${mismatch}`);
  console.error(`data import: columns ${Object.entries(imported.columns).map(([field, column]) => `${field}=${column}`).join(', ')}`);
}
