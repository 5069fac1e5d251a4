import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { closestIds, isFailedRecord, NotFoundError, PRICE_TABLES, PriceTable, RUN_MANIFEST_SCHEMA_VERSION, RunRecord, runSteps, type RunControl, type RunLookup, type RunManifest } from '@confide/core';
import { z } from 'zod';
import { readJsonFile } from '../io/json-file.js';
import { parseJsonLine, readJsonLinesSteps } from '../io/json-lines.js';
import { forEachLine } from '../io/line-reader.js';
import { readCooperatively, type ReadSteps } from '../io/read-steps.js';
import { MANIFEST_FILE, PRICE_TABLE_FILE, PROBLEMS_FILE, problemsFileReferenceSteps, RECORDS_FILE, readRunDirectorySteps, readRunManifest, type RunDirectory } from './run-directory.js';
import { recordedRunsFolder } from '../workspace-paths.js';

/** Where a live run appends each model's answers as they complete (`stages/small.jsonl`, `stages/large.jsonl`). */
export const STAGES_FOLDER = 'stages';
/** The config a live run was started with; present from its first request on. */
export const RUN_CONFIG_FILE = 'run-config.json';

const BUNDLED_ID = /^[a-z0-9][a-z0-9.-]*$/;

/**
 * How a run is named in an experiment, a plugin option or on the command line: a bundled run id
 * (`qwen-1.5b-lora-confidence`) or a path to a run directory (`../tiny-e2e/run/delegate/small`, `/data/runs/x`). A
 * reference with a `/` (or starting with `.`) is a path.
 */
export const RunReference = z
  .string()
  .min(1)
  .refine((reference) => isRunPath(reference) || BUNDLED_ID.test(reference), {
    message: 'a bundled run id such as "qwen-1.5b", or a path to a run directory such as "./runs/my-run"',
  });

/** Whether a run reference is a path (else a bundled id). */
export function isRunPath(reference: string): boolean {
  return reference.includes('/') || reference.includes('\\') || reference.startsWith('.');
}

/** Only the verdict of a record: what a listing counts (the full record is validated when a run is loaded). */
const RecordVerdict = z.object({ grade: z.object({ correct: z.boolean() }) });
/**
 * A record's verdict as JSON writes it. Inside a JSON string every quote is escaped, so this text can only be the
 * record's own `grade` object; a line where it is not found exactly once is parsed in full.
 */
const VERDICT_TEXT = /"grade"\s*:\s*\{\s*"correct"\s*:\s*(true|false)/g;

/**
 * A run directory's manifest with its record and correct counts, read without parsing whole records: what
 * `confide data list` shows for every bundled run at once. A line without a readable verdict fails naming the file
 * and the line.
 */
export function runCounts(runFolder: string): { manifest: RunManifest; records: number; correct: number } {
  const manifest = readRunManifest(runFolder);
  const path = join(runFolder, RECORDS_FILE);
  let records = 0;
  let correct = 0;
  forEachLine(path, (line, lineNumber, terminated) => {
    if (line.trim() === '') return;
    records++;
    const found = [...line.matchAll(VERDICT_TEXT)];
    const verdict = found.length === 1 ? found[0]![1] === 'true' : parseJsonLine(line, path, lineNumber, RecordVerdict, !terminated).grade.correct;
    if (verdict) correct++;
  });
  return { manifest, records, correct };
}

/** Ids of the recorded runs bundled with Confide, sorted. */
export function bundledRunIds(folder = recordedRunsFolder()): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, MANIFEST_FILE)))
    .map((entry) => entry.name)
    .sort();
}

/**
 * One model's side of an unfinished live run, read from its stage log (`<run>/stages/<side>.jsonl`): the answers that
 * completed, failed requests left out. Its manifest says where it came from. As steps (ReadSteps).
 */
function* readUnfinishedStageSteps(runFolder: string, side: string): ReadSteps<RunDirectory> {
  const log = join(dirname(runFolder), STAGES_FOLDER, `${side}.jsonl`);
  const lines = yield* readJsonLinesSteps(log, RunRecord, { allowTruncatedLastLine: true });
  const records = [...new Map(lines.filter((record) => !isFailedRecord(record)).map((record) => [record.problemId, record])).values()];
  const runFolderOfStages = dirname(runFolder);
  const config = readJsonFile(join(runFolderOfStages, RUN_CONFIG_FILE), z.looseObject({ dataset: z.unknown().optional(), priceTable: z.string().default('unknown') }));
  const pricesPath = join(runFolderOfStages, PRICE_TABLE_FILE);
  const problemsPath = join(runFolderOfStages, PROBLEMS_FILE);
  const problems = existsSync(problemsPath) ? yield* problemsFileReferenceSteps(runFolder, problemsPath) : null;
  return {
    manifest: {
      schemaVersion: RUN_MANIFEST_SCHEMA_VERSION,
      runId: records[0]?.runId ?? basename(runFolder),
      description: `the ${side} model's answers of an unfinished live run, read from ${log}`,
      dataset: typeof config.dataset === 'string' ? config.dataset : JSON.stringify(config.dataset ?? 'unknown'),
      problems,
      config: config as Record<string, unknown>,
      plugins: [],
      git: { commit: null, dirty: null },
      packageVersions: {},
      priceTable: existsSync(pricesPath) ? readJsonFile(pricesPath, PriceTable) : (PRICE_TABLES[config.priceTable] ?? { id: config.priceTable, version: 'unknown' }),
      source: { kind: 'live', origin: `unfinished: ${log}`, files: [] },
      pipelineCheck: null,
      records: records.length,
    },
    folder: runFolder,
    records,
  };
}

/**
 * Every run a command can name, by bundled id or by path: bundled runs under experiments/recorded-math500/runs,
 * finished run directories anywhere, and each side of an unfinished live run (`<run>/small`, read from
 * `<run>/stages/small.jsonl` until the run writes `<run>/small/`). Paths resolve against `baseFolder` (an experiment's
 * folder for the runs it names, the current directory on the command line). Runs are read once per store.
 */
export class RunStore implements RunLookup {
  readonly #loaded = new Map<string, RunDirectory>();
  readonly bundledFolder: string;
  readonly baseFolder: string;
  /** Whether records keep their response texts (false: an ablation's store, which never shows them). */
  readonly texts: boolean;

  constructor(options: { bundledFolder?: string; baseFolder?: string; texts?: boolean } = {}) {
    this.bundledFolder = options.bundledFolder ?? recordedRunsFolder();
    this.baseFolder = options.baseFolder ?? process.cwd();
    this.texts = options.texts ?? true;
  }

  /** The same store (and cache) with paths resolved against another folder. */
  relativeTo(baseFolder: string): RunStore {
    const store = new RunStore({ bundledFolder: this.bundledFolder, baseFolder, texts: this.texts });
    for (const [key, run] of this.#loaded) store.#loaded.set(key, run);
    return store;
  }

  /** The folder a reference names. */
  folderOf(reference: string): string {
    if (!isRunPath(reference) && !this.isLocalRun(reference)) return join(this.bundledFolder, reference);
    return isAbsolute(reference) ? reference : resolve(this.baseFolder, reference);
  }

  /** Whether a bare name (`small`) is a run folder in the base folder rather than a bundled id: a bundled id wins. */
  isLocalRun(reference: string): boolean {
    return !existsSync(join(this.bundledFolder, reference, MANIFEST_FILE)) && existsSync(join(resolve(this.baseFolder, reference), MANIFEST_FILE));
  }

  /** A run by reference, read and validated once (later loads of the same folder give the same object). */
  load(reference: string): RunDirectory {
    return runSteps(this.#loadSteps(reference));
  }

  /**
   * `load`, with a turn of the event loop at most every 200 ms while the run's files are read: progress in bytes of
   * each file (`reading run <reference>, bytes of records.jsonl.gz`) and a CANCELLED error once `control.signal` is
   * aborted, nothing cached then. Same cache as `load`: a later `load` of the run is free.
   */
  async loadCooperatively(reference: string, control: RunControl): Promise<RunDirectory> {
    return readCooperatively(this.#loadSteps(reference), control, `reading run ${reference}`);
  }

  *#loadSteps(reference: string): ReadSteps<RunDirectory> {
    const folder = this.folderOf(reference);
    const cached = this.#loaded.get(folder);
    if (cached) return cached;
    let run: RunDirectory;
    if (existsSync(join(folder, MANIFEST_FILE))) run = yield* readRunDirectorySteps(folder, { texts: this.texts });
    else if (existsSync(join(dirname(folder), STAGES_FOLDER, `${basename(folder)}.jsonl`)) && existsSync(join(dirname(folder), RUN_CONFIG_FILE))) {
      run = yield* readUnfinishedStageSteps(folder, basename(folder));
    } else if (!isRunPath(reference)) {
      const bundled = bundledRunIds(this.bundledFolder);
      const suggestions = closestIds(reference, bundled);
      const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((id) => `"${id}"`).join(' or ')}?` : '';
      throw new NotFoundError(`no recorded run "${reference}"${hint} (bundled: ${bundled.join(', ')}; or give a path to a run directory)`);
    } else {
      throw new NotFoundError(`no run at ${folder} (no ${MANIFEST_FILE}, and no unfinished live run's ${STAGES_FOLDER}/${basename(folder)}.jsonl beside it)`);
    }
    this.#loaded.set(folder, run);
    return run;
  }

  records(reference: string): RunRecord[] {
    return this.load(reference).records;
  }
}

const defaultStore = new RunStore();

/** A bundled recorded run by id, validated (cached per process). */
export function loadBundledRun(runId: string, folder = recordedRunsFolder()): RunDirectory {
  return folder === defaultStore.bundledFolder ? defaultStore.load(runId) : new RunStore({ bundledFolder: folder }).load(runId);
}
