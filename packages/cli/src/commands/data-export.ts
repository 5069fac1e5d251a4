import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidConfigError, z } from '@confide/core';
import { loadRunProblems, MANIFEST_FILE, pricesForRun, readJsonFile, RUN_PARQUET_COLUMNS, RunStore, writeRunsParquet, type RunToExport } from '@confide/data';

/** What `confide data import <log>` writes beside the runs of a log: each run's label and folder. */
const ImportedModels = z.object({ models: z.array(z.object({ label: z.string(), run: z.string() })).min(1) });

export interface DataExportOptions {
  format: 'parquet';
  out: string;
  dataset?: string;
  priceTable?: string;
}

/**
 * The runs an argument names: `label=run`, a run alone (labelled by its run id; a path that exists is a run whatever
 * it holds), or the folder a log's import wrote (its models.json: each run with its label).
 */
function namedRuns(argument: string): Array<{ label?: string; reference: string }> {
  const match = /^([A-Za-z0-9._-]+)=(.+)$/.exec(argument);
  if (match !== null && !existsSync(argument)) return [{ label: match[1]!, reference: match[2]! }];
  const models = join(argument, 'models.json');
  if (existsSync(models) && !existsSync(join(argument, MANIFEST_FILE))) return readJsonFile(models, ImportedModels).models.map((entry) => ({ label: entry.label, reference: join(argument, entry.run) }));
  return [{ reference: argument }];
}

/**
 * `confide data export <run...> --format parquet --out <file>`: every record of the runs as one flat table (one row
 * per record; several runs one after another, the `run` column telling them apart), questions from the problems each
 * run carries (or --dataset), costs at each run's own prices (or --price-table), else its recorded cost.
 */
export async function exportRuns(references: string[], options: DataExportOptions, warn: (message: string) => void): Promise<void> {
  const out = resolve(options.out);
  if (existsSync(out) && statSync(out).isDirectory()) throw new InvalidConfigError(`--out ${options.out}: a folder; name the file to write (e.g. ${options.out}/runs.parquet)`);
  const store = new RunStore();
  const runs: RunToExport[] = [];
  const labels = new Set<string>();
  for (const { label, reference } of references.flatMap(namedRuns)) {
    const run = store.load(reference);
    const name = label ?? run.manifest.runId;
    if (labels.has(name)) throw new InvalidConfigError(`${reference}: the label "${name}" is given twice; name each run with label=run`);
    labels.add(name);
    let problems: RunToExport['problems'] = null;
    try {
      problems = (await loadRunProblems(run, { dataset: options.dataset })).problems;
    } catch (error) {
      warn(`data export: ${reference}: no questions at hand (${(error as Error).message}); its question column is empty (give --dataset)`);
    }
    runs.push({ label: name, records: run.records, problems, prices: pricesForRun(run, options.priceTable) });
  }
  const rows = await writeRunsParquet(out, runs);
  console.log(`wrote ${rows} rows (${runs.map((run) => `${run.label}: ${run.records.length}`).join(', ')}) to ${options.out}; columns: ${RUN_PARQUET_COLUMNS.map((column) => column.name).join(', ')}`);
}
