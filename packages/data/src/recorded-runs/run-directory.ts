import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import {
  InvalidInputError,
  NotFoundError,
  PRICE_TABLES,
  Problem,
  RUN_MANIFEST_SCHEMA_VERSION,
  RunManifest,
  RunManifestV1,
  holdsPriceTable,
  type PriceTable,
  RunRecord,
  ConfideError,
  runSteps,
} from '@confide/core';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic-write.js';
import { sha256OfFileSteps } from '../io/file-chunks.js';
import { describeZodIssue, jsonLineSteps, readJsonLinesSteps, writeJsonLines } from '../io/json-lines.js';
import { lineSteps } from '../io/line-reader.js';
import { mapReadProgress, type FileProgress, type ReadSteps } from '../io/read-steps.js';
import { LOGPROBS_FOLDER, readLogprobsSidecarSteps, withTokenConfidence } from './logprobs-sidecar.js';

export const MANIFEST_FILE = 'manifest.json';
export const RECORDS_FILE = 'records.jsonl.gz';
/** The problems a run answered, carried in its folder (manifest v2). */
export const PROBLEMS_FILE = 'problems.jsonl.gz';
/** The price table a live run was started with, written beside its stage logs (its manifest carries it when done). */
export const PRICE_TABLE_FILE = 'price-table.json';

/** A run directory: manifest.json + records.jsonl.gz (+ problems.jsonl.gz), and where it was read from. */
export interface RunDirectory {
  manifest: RunManifest;
  records: RunRecord[];
  /** The folder it was read from (absent for a run made in memory). */
  folder?: string;
  /** What reading it had to say: a v1 manifest upgraded, a price table looked up by id. */
  notes?: string[];
}

/**
 * What a writer hands over: the manifest (its `problems` and `schemaVersion` are set here), the records, and the
 * problems: written into the folder as problems.jsonl.gz, or the path (relative to the run folder) of a problems file
 * another run folder already holds, or null when they are not at hand.
 */
export interface RunDirectoryToWrite {
  manifest: Omit<RunManifest, 'problems' | 'schemaVersion' | 'pipelineCheck'> & Partial<Pick<RunManifest, 'problems' | 'pipelineCheck'>>;
  records: readonly RunRecord[] | RecordsFileSource;
  problems?: readonly Problem[] | { path: string } | null;
}

/**
 * Records an import already serialised as it read them (RecordSpool): they write the records file themselves, in the
 * dataset's order, through a temporary file and a rename, and say how many they wrote.
 */
export interface RecordsFileSource {
  writeRecordsFile(path: string): number;
}

const AnyVersion = z.looseObject({ schemaVersion: z.number() });

/** A v1 manifest in v2's shape: the price table by content when Confide bundles it, else by name (with a note). */
export function upgradeRunManifestV1(v1: RunManifestV1): { manifest: RunManifest; notes: string[] } {
  const bundled = PRICE_TABLES[v1.priceTable.id];
  const notes = [`manifest v1: read as v2 (no problems carried)`];
  let priceTable: RunManifest['priceTable'] = v1.priceTable;
  if (bundled) {
    priceTable = bundled;
    notes.push(
      `manifest v1: price table ${v1.priceTable.id} resolved by id to the bundled ${bundled.id}@${bundled.version}` +
        (bundled.version === v1.priceTable.version ? '' : ` (the run named version ${v1.priceTable.version})`),
    );
  } else {
    notes.push(`manifest v1: price table ${v1.priceTable.id}@${v1.priceTable.version} is named only; its prices are not in the run`);
  }
  return { manifest: { ...v1, schemaVersion: RUN_MANIFEST_SCHEMA_VERSION, problems: null, priceTable, pipelineCheck: null }, notes };
}

/** Reads a run folder's manifest.json, v2 or v1 (upgraded in memory, with notes). */
export function readRunManifestWithNotes(runFolder: string): { manifest: RunManifest; notes: string[] } {
  const path = join(runFolder, MANIFEST_FILE);
  if (!existsSync(path)) throw new NotFoundError(`no run at ${runFolder} (missing ${MANIFEST_FILE})`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidInputError({ file: path, problem: `not valid JSON (${(error as Error).message})` });
  }
  const version = AnyVersion.safeParse(json);
  if (!version.success) throw new InvalidInputError({ file: path, field: 'schemaVersion', problem: 'missing: a run manifest says its schema version' });
  const schema = version.data.schemaVersion === 1 ? RunManifestV1 : version.data.schemaVersion === RUN_MANIFEST_SCHEMA_VERSION ? RunManifest : undefined;
  if (schema === undefined) {
    throw new InvalidInputError({ file: path, field: 'schemaVersion', problem: `${version.data.schemaVersion} is not a version this Confide reads (1 or ${RUN_MANIFEST_SCHEMA_VERSION})` });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidInputError({ file: path, ...describeZodIssue(parsed.error) });
  const manifest = parsed.data;
  return manifest.schemaVersion === 1 ? upgradeRunManifestV1(manifest) : { manifest: manifest as RunManifest, notes: [] };
}

export function readRunManifest(runFolder: string): RunManifest {
  return readRunManifestWithNotes(runFolder).manifest;
}

/**
 * Calls `onRecord` with each record of a run's records file, validated, a line at a time (no string of the file's
 * size is made); a bad or duplicate line fails naming the file, the line and the field. Gives the count.
 */
export function forEachRunRecord(path: string, onRecord: (record: RunRecord, lineNumber: number) => void): number {
  return runSteps(runRecordSteps(path, onRecord));
}

/** `forEachRunRecord` as steps: yields how far into the file it got after each piece (ReadSteps). */
export function* runRecordSteps(path: string, onRecord: (record: RunRecord, lineNumber: number) => void): ReadSteps<number> {
  const seen = new Set<string>();
  yield* jsonLineSteps(path, RunRecord, (record, lineNumber) => {
    if (seen.has(record.problemId)) {
      throw new InvalidInputError({ file: path, row: seen.size + 1, field: 'problemId', problem: `duplicate ${record.problemId}` });
    }
    seen.add(record.problemId);
    onRecord(record, lineNumber);
  });
  return seen.size;
}

/** How a run is read: `texts: false` drops each response's text (validated, then left out), for readers that never show it. */
export interface ReadRunOptions {
  texts?: boolean;
}

/**
 * Reads and validates a run's records; a bad or duplicate line fails naming the file, the line and the field. With
 * `texts: false` each record's response text is read and checked, then not kept (an ablation at a million problems
 * holds verdicts, scores, tokens and costs, not gigabytes of responses).
 */
export function readRunRecordsFile(path: string, options: ReadRunOptions = {}): RunRecord[] {
  return runSteps(readRunRecordsFileSteps(path, options));
}

/** `readRunRecordsFile` as steps: yields how far into the file it got after each piece (ReadSteps). */
export function* readRunRecordsFileSteps(path: string, options: ReadRunOptions = {}): ReadSteps<RunRecord[]> {
  const records: RunRecord[] = [];
  const keepTexts = options.texts ?? true;
  yield* runRecordSteps(path, (record) => records.push(keepTexts ? record : { ...record, generation: { ...record.generation, text: '' } }));
  return records;
}

/**
 * Reads a run folder: the manifest, the records, and, where the run recorded token logprobs, each answer's DeepConf
 * summary from its logprobs sidecar (`logprobs/index.jsonl`; the sidecar's summary wins over one the record carries).
 */
export function readRunDirectory(runFolder: string, options: ReadRunOptions = {}): RunDirectory {
  return runSteps(readRunDirectorySteps(runFolder, options));
}

/** `readRunDirectory` as steps: yields how far into the records file, then the sidecar's index, it got (ReadSteps). */
export function* readRunDirectorySteps(runFolder: string, options: ReadRunOptions = {}): ReadSteps<RunDirectory> {
  const { manifest, notes } = readRunManifestWithNotes(runFolder);
  let records = yield* readRunRecordsFileSteps(join(runFolder, RECORDS_FILE), options);
  const sidecar = yield* readLogprobsSidecarSteps(join(runFolder, LOGPROBS_FOLDER));
  if (sidecar !== null) records = withTokenConfidence(records, sidecar);
  if (records.length !== manifest.records) {
    throw new InvalidInputError({
      file: join(runFolder, RECORDS_FILE),
      problem: `${records.length} records but the manifest says ${manifest.records}`,
    });
  }
  return { manifest, records, folder: runFolder, notes };
}

/** The problems as a run carries them: id, question, gold, slices (no worked solution). */
function carriedProblem(problem: Problem): Problem {
  const { solution: _solution, ...carried } = problem;
  return carried;
}

/** Writes a problems file: gzipped JSON Lines a problem at a time (JsonLinesWriter); gives its reference's hash and count. */
function writeProblemsJsonLines(path: string, problems: readonly Problem[]): { sha256: string; count: number } {
  const written = writeJsonLines(path, (function* () {
    for (const problem of problems) yield carriedProblem(problem);
  })());
  return { sha256: written.sha256, count: written.rows };
}

/**
 * Writes a run directory as manifest v2: records, then the problems (when given as a list), then the manifest last,
 * so a folder with a manifest is a complete run. Each file goes through a temporary file and a rename.
 */
export function writeRunDirectory(runFolder: string, run: RunDirectoryToWrite): RunManifest {
  let problems: RunManifest['problems'] = run.manifest.problems ?? null;
  if (run.problems === null) problems = null;
  else if (run.problems !== undefined && 'path' in run.problems) {
    const path = resolve(runFolder, run.problems.path);
    problems = problemsFileReference(runFolder, path);
  } else if (run.problems !== undefined) {
    const written = writeProblemsJsonLines(join(runFolder, PROBLEMS_FILE), run.problems);
    problems = { path: PROBLEMS_FILE, ...written };
  }
  writeRecordsFile(join(runFolder, RECORDS_FILE), run.records);
  const source = run.manifest.source && isAbsolute(run.manifest.source.origin) ? { ...run.manifest.source, origin: runRelativePath(runFolder, run.manifest.source.origin) } : run.manifest.source;
  const { runId, description, dataset, config, plugins, git, packageVersions, priceTable, records } = run.manifest;
  // written in the schema's order, so a manifest reads top-down the same way for every run
  const manifest: RunManifest = {
    schemaVersion: RUN_MANIFEST_SCHEMA_VERSION,
    runId,
    description,
    dataset,
    problems,
    config,
    plugins,
    git,
    packageVersions,
    priceTable,
    ...(source ? { source } : {}),
    pipelineCheck: run.manifest.pipelineCheck ?? null,
    records,
  };
  writeFileAtomic(join(runFolder, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Writes a records file (gzipped JSON Lines, a record at a time); gives how many records it holds. */
function writeRecordsFile(path: string, records: readonly RunRecord[] | RecordsFileSource): number {
  return 'writeRecordsFile' in records ? records.writeRecordsFile(path) : writeJsonLines(path, records).rows;
}

/** A manifest's reference to a problems file that is already written (`path`), relative to `runFolder`: hashed and counted in one pass. */
export function problemsFileReference(runFolder: string, path: string): NonNullable<RunManifest['problems']> {
  return runSteps(problemsFileReferenceSteps(runFolder, path));
}

/** `problemsFileReference` as steps: yields how far into the file it got after each piece (ReadSteps). */
export function* problemsFileReferenceSteps(runFolder: string, path: string): ReadSteps<NonNullable<RunManifest['problems']>> {
  const hash = createHash('sha256');
  let count = 0;
  yield* lineSteps(path, (line) => {
    if (line.trim() !== '') count++;
  }, { onFileBytes: (bytes) => hash.update(bytes) });
  return { path: runRelativePath(runFolder, path), sha256: hash.digest('hex'), count };
}

/** Writes the problems a run is asked (problems.jsonl.gz in `folder`); returns its path. */
export function writeProblemsFile(folder: string, problems: readonly Problem[]): string {
  const path = join(folder, PROBLEMS_FILE);
  writeProblemsJsonLines(path, problems);
  return path;
}

/**
 * The problems a run carries, read from its folder a line at a time and checked against the manifest's hash (first,
 * so a changed file says so rather than failing on a line); null when the run does not carry them (a v1 manifest). A
 * file that is missing or changed fails naming it.
 */
export function readRunProblems(run: { manifest: RunManifest; folder?: string | undefined }): Problem[] | null {
  return runSteps(readRunProblemsSteps(run));
}

/**
 * Problems files parsed in this process, by the sha256 they were checked against (weakly held): the runs of one
 * experiment usually carry the same file, and one whose bytes hash the same as a file parsed already is not parsed
 * again (the same bytes give the same problems; each reader gets its own array of the shared, read-only problems).
 */
const parsedProblemsFiles = new Map<string, WeakRef<Problem[]>>();

/**
 * `readRunProblems` as steps. The file is read twice (hashed, then parsed, unless a file of that hash was parsed in
 * this process already), so each step's progress counts the bytes of both passes: `done` of `total`, twice the size.
 */
export function* readRunProblemsSteps(run: { manifest: RunManifest; folder?: string | undefined }): ReadSteps<Problem[] | null> {
  const reference = run.manifest.problems;
  if (reference === null) return null;
  if (run.folder === undefined) throw new NotFoundError(`run ${run.manifest.runId}: its problems file ${reference.path} is relative to a run folder, and this run was not read from one`);
  const path = resolve(run.folder, reference.path);
  if (!existsSync(path)) throw new NotFoundError(`${join(run.folder, MANIFEST_FILE)}: key "problems.path": ${reference.path} is not there (${path})`);
  const bothPasses = (progress: FileProgress, pass: 0 | 1): FileProgress => ({ path, done: pass * progress.total + progress.done, total: 2 * progress.total });
  const actual = yield* mapReadProgress(sha256OfFileSteps(path), (progress) => bothPasses(progress, 0));
  if (actual !== reference.sha256) {
    throw new InvalidInputError({ file: path, problem: `sha256 ${actual.slice(0, 12)}… is not the ${reference.sha256.slice(0, 12)}… the run's manifest pins: the problems changed after the run was written` });
  }
  const parsed = parsedProblemsFiles.get(actual)?.deref();
  if (parsed !== undefined) {
    const size = statSync(path).size;
    yield bothPasses({ path, done: size, total: size }, 1);
    return [...parsed];
  }
  const problems = yield* mapReadProgress(readJsonLinesSteps(path, Problem), (progress) => bothPasses(progress, 1));
  parsedProblemsFiles.set(actual, new WeakRef(problems));
  return [...problems];
}

/**
 * The prices a run was costed with: the table it carries (v2), or for a v1 manifest the bundled table of that id. A v1
 * run naming a table Confide does not bundle fails saying how to give it.
 */
export function runPriceTable(manifest: RunManifest, where = manifest.runId): PriceTable {
  if (holdsPriceTable(manifest.priceTable)) return manifest.priceTable;
  const bundled = PRICE_TABLES[manifest.priceTable.id];
  if (bundled) return bundled;
  throw new ConfideError(
    'PRICE_MISSING',
    `${where}: the run (manifest v1) names price table ${manifest.priceTable.id}@${manifest.priceTable.version}, which is not bundled; pass --price-table <id | file.json>`,
  );
}

/** Where a source file of a run is recorded: relative to the run folder (absolute when on another drive). */
export function runRelativePath(runFolder: string, path: string): string {
  const inside = relative(resolve(runFolder), resolve(path));
  return isAbsolute(inside) ? resolve(path) : inside.split('\\').join('/');
}
