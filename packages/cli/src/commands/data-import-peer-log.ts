import { join, relative } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { importPeerLog, MANIFEST_FILE, resolveImportPrices, writeRunDirectory, writeFileAtomic, type EpochMode } from '@confide/data';
import { runFolderMode, withRunFolder } from '@confide/experiments';
import { withInterrupts } from '../options/interrupts.js';

export interface PeerLogImportOptions {
  format?: string;
  inspect?: boolean;
  modelMap?: string[];
  epochs?: string;
  scorer?: string;
  filter?: string;
  model?: string;
  priceTable?: string;
  priceVersion?: string;
  binarizeAt?: number;
  out?: string;
  force?: boolean;
  breakLock?: boolean;
}

/** `--model-map log=price` pairs as a map. */
function modelMapOf(pairs: string[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new InvalidConfigError(`--model-map ${pair}: expected log-name=price-name`);
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}

function epochsOf(value: string | undefined): EpochMode {
  if (value === undefined) return 'each';
  if (value === 'each' || value === 'mean' || value === 'first') return value;
  throw new InvalidConfigError(`--epochs ${value}: expected each, mean or first`);
}

function importOptions(path: string, options: PeerLogImportOptions, spoolFolder: string, signal?: AbortSignal) {
  if (options.priceVersion !== undefined && options.priceTable === undefined) throw new InvalidConfigError('--price-version names the version of a --price-table file (RouterArena\'s or LiteLLM\'s); no --price-table is given');
  const prices = options.priceTable ? resolveImportPrices(options.priceTable, options.priceVersion !== undefined ? { version: options.priceVersion } : {}) : null;
  return {
    path,
    ...(options.format !== undefined ? { format: options.format } : {}),
    read: { ...(options.scorer ? { scorer: options.scorer } : {}), ...(options.filter ? { filter: options.filter } : {}), ...(options.model ? { model: options.model } : {}) },
    epochs: epochsOf(options.epochs),
    modelMap: modelMapOf(options.modelMap),
    prices: prices?.table ?? null,
    ...(prices !== null ? { refusedPrices: prices.refused } : {}),
    ...(options.binarizeAt !== undefined ? { binarizeAt: options.binarizeAt } : {}),
    spoolFolder,
    ...(signal ? { signal } : {}),
  };
}

/**
 * `confide data import <log> --inspect`: what the import would read — the format, models, row counts, the fields
 * found, whether costs are known — with nothing written (records wait in a temporary folder and are removed).
 */
export async function inspectPeerLog(path: string, options: PeerLogImportOptions, spoolFolder: string): Promise<void> {
  const imported = await importPeerLog(importOptions(path, options, spoolFolder));
  imported.discard();
  console.log(`format: ${imported.format.name} (${relative(process.cwd(), path) || path})`);
  for (const run of imported.runs) {
    const mapped = run.model !== run.logModel ? ` (priced as ${run.model})` : '';
    console.log(`run ${run.label}: model ${run.logModel}${mapped}; ${run.counts.records} samples, ${run.counts.correct} correct, mean score ${run.counts.meanScore.toFixed(3)}; costs ${run.cost.known ? `known (${run.cost.basis === 'recorded' ? 'recorded cost' : 'token counts priced'})` : 'unknown'}: ${run.cost.reason}${run.cost.recordedUsd !== null ? `; recorded cost $${run.cost.recordedUsd.toPrecision(4)}` : ''}`);
  }
  for (const [why, count] of imported.summary.leftOut) console.log(`left out: ${count} ${why}`);
  console.log(`fields: ${[...imported.summary.fields].sort().join(', ')}`);
  console.log('nothing written (--inspect)');
}

/**
 * `confide data import <log>` for a log of another harness: every run it holds written as `<out>/<label>/` (a run
 * folder carrying its problems and prices) with `<out>/models.json` naming them, once the whole log is read and
 * checked; the folder is opened through the run kit (locked; replaced only with --force).
 */
export async function importPeerLogInto(resultsFile: string, path: string, outFolder: string, options: PeerLogImportOptions): Promise<void> {
  await withRunFolder(
    {
      folder: outFolder,
      mode: runFolderMode(options),
      kind: 'import',
      command: `confide data import ${resultsFile}${options.out ? ` --out ${options.out}` : ''}`,
      configFile: 'models.json',
      finishedFile: 'models.json',
      resumable: false,
      ...(options.breakLock ? { breakLock: true } : {}),
    },
    async () => {
      await withInterrupts('data import: stopping: nothing is written', async ({ stop }) => {
        const imported = await importPeerLog(importOptions(path, options, outFolder, stop));
        try {
          for (const run of imported.runs) {
            writeRunDirectory(join(outFolder, run.label), { manifest: run.manifest, records: run.records, problems: run.problems });
            const verdicts = `${run.counts.records} records, ${run.counts.correct} correct, mean score ${run.counts.meanScore.toFixed(3)}`;
            console.log(`${run.label}: ${verdicts}; costs ${run.cost.known ? `known (${run.cost.basis === 'recorded' ? 'recorded cost' : 'token counts priced'})` : `unknown (${run.cost.reason})`} -> ${join(outFolder, run.label, MANIFEST_FILE)}`);
          }
          const models = imported.runs.map((run) => ({ label: run.label, run: run.label, model: run.logModel, costKnown: run.cost.known, costBasis: run.cost.basis }));
          writeFileAtomic(join(outFolder, 'models.json'), JSON.stringify({ format: imported.format.name, importedFrom: resultsFile, models }, null, 2) + '\n');
        } finally {
          imported.discard();
        }
        for (const [why, count] of imported.summary.leftOut) console.log(`left out: ${count} ${why}`);
      });
      return { status: 'complete' };
    },
  );
}

