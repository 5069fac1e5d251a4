import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PluginUse, PriceTable, Problem, RunControl } from '@confide/core';
import { fileSha256, MANIFEST_FILE, packageVersions, PRICE_TABLE_FILE, PROBLEMS_FILE, RECORDS_FILE, RUN_CONFIG_FILE, sourceTreeHash, STAGES_FOLDER, type RunDirectory, type RunStore } from '@confide/data';
import type { SummaryProvenance } from '@confide/reports';
import { experimentFileLabel } from './experiment-file.js';

/** The files a run folder is read from: manifest, records, problems and prices, or an unfinished live run's stage log and config. */
function runFiles(folder: string): string[] {
  if (existsSync(join(folder, MANIFEST_FILE))) return [MANIFEST_FILE, RECORDS_FILE, PROBLEMS_FILE, PRICE_TABLE_FILE].map((name) => join(folder, name)).filter((file) => existsSync(file));
  return [join(dirname(folder), STAGES_FOLDER, `${basename(folder)}.jsonl`), join(dirname(folder), RUN_CONFIG_FILE)].filter((file) => existsSync(file));
}

/**
 * What a report read, noted as it reads it: every run it loads (through the command's run store) and every other
 * file (a paper experiment an ablation draws on). Their content hashes go into summary.json's provenance.
 */
export class ReportInputs {
  readonly #store: RunStore;
  readonly #files: Set<string>;

  constructor(store: RunStore, files = new Set<string>()) {
    this.#store = store;
    this.#files = files;
  }

  /** Loads a run by reference (bundled id or path against the store's folder), noting the files it came from. */
  loadRun(reference: string): RunDirectory {
    const run = this.#store.load(reference);
    this.#noteRunFiles(reference);
    return run;
  }

  /**
   * `loadRun` with a turn of the event loop at most every 200 ms while the run is read: progress in bytes read, and a
   * CANCELLED error once `control.signal` is aborted (RunStore.loadCooperatively). The store's cache: a later `loadRun`
   * of the run is free.
   */
  async loadRunCooperatively(reference: string, control: RunControl): Promise<RunDirectory> {
    const run = await this.#store.loadCooperatively(reference, control);
    this.#noteRunFiles(reference);
    return run;
  }

  #noteRunFiles(reference: string): void {
    for (const file of runFiles(this.#store.folderOf(reference))) this.#files.add(file);
  }

  /** Notes a file read by other means. */
  file(path: string): void {
    this.#files.add(path);
  }

  /** The same log, with run paths resolved against another folder (a nested experiment's). */
  relativeTo(folder: string): ReportInputs {
    return new ReportInputs(this.#store.relativeTo(folder), this.#files);
  }

  /** Each file read, named relative to the workspace when inside it, with its sha256; in path order. */
  hashes(): Array<{ path: string; sha256: string }> {
    return [...this.#files]
      .map((file) => ({ path: experimentFileLabel(file), sha256: fileSha256(file) }))
      .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  }
}

function sha256OfJson(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** What, besides the experiment file and plugins, a report's provenance names: the inputs it read. */
export interface ProvenanceInputs {
  /** The runs (and other files) read; absent, none is listed. */
  read?: ReportInputs;
  prices: PriceTable;
  /** The problems used, with the dataset reference they came from. */
  dataset: { reference: string; problems: readonly Problem[] };
}

/**
 * Provenance of a report built now from `experimentFile` with `plugins` (their validated options): the content hash
 * of every input (experiment file, run files, the dataset's problems, the price table), package versions and a hash
 * of the production sources. Not the git commit: a report regenerated on a clean tree is byte-identical, so
 * regenerating a committed report leaves `git status` clean, and the hashes still say what made it.
 */
export function summaryProvenance(experimentFile: { path: string; label: string }, plugins: readonly PluginUse[], inputs: ProvenanceInputs): SummaryProvenance {
  const unique = new Map(plugins.map((use) => [`${use.kind}:${use.id}:${JSON.stringify(use.options)}`, use]));
  return {
    sources: sourceTreeHash(),
    packageVersions: packageVersions(),
    experimentFile: { path: experimentFile.label, sha256: fileSha256(experimentFile.path) },
    inputs: inputs.read?.hashes() ?? [],
    dataset: { reference: inputs.dataset.reference, problems: inputs.dataset.problems.length, sha256: sha256OfJson(inputs.dataset.problems) },
    priceTable: { id: inputs.prices.id, version: inputs.prices.version, sha256: sha256OfJson(inputs.prices) },
    plugins: [...unique.values()].sort((left, right) => (left.kind + left.id).localeCompare(right.kind + right.id)),
  };
}
