import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, NotFoundError, RunManifest, RunRecord } from '@confide/core';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readJsonFile } from '../io/json-file.js';
import { readJsonLines, writeJsonLines } from '../io/json-lines.js';
import { recordedRunsFolder } from '../workspace-paths.js';

export const MANIFEST_FILE = 'manifest.json';
export const RECORDS_FILE = 'records.jsonl.gz';

/** A run directory: manifest.json + records.jsonl.gz. */
export interface RunDirectory {
  manifest: RunManifest;
  records: RunRecord[];
}

export function readRunManifest(runFolder: string): RunManifest {
  const path = join(runFolder, MANIFEST_FILE);
  if (!existsSync(path)) throw new NotFoundError(`no run at ${runFolder} (missing ${MANIFEST_FILE})`);
  return readJsonFile(path, RunManifest);
}

/** Reads and validates a run's records; a bad or duplicate line fails naming the file, the line and the field. */
export function readRunRecordsFile(path: string): RunRecord[] {
  const records = readJsonLines(path, RunRecord);
  const seen = new Set<string>();
  records.forEach((record, index) => {
    if (seen.has(record.problemId)) {
      throw new InvalidInputError({ file: path, row: index + 1, field: 'problemId', problem: `duplicate ${record.problemId}` });
    }
    seen.add(record.problemId);
  });
  return records;
}

export function readRunDirectory(runFolder: string): RunDirectory {
  const manifest = readRunManifest(runFolder);
  const records = readRunRecordsFile(join(runFolder, RECORDS_FILE));
  if (records.length !== manifest.records) {
    throw new InvalidInputError({
      file: join(runFolder, RECORDS_FILE),
      problem: `${records.length} records but the manifest says ${manifest.records}`,
    });
  }
  return { manifest, records };
}

/** Writes a run directory; each file goes through a temporary file and a rename. */
export function writeRunDirectory(runFolder: string, run: RunDirectory): void {
  writeJsonLines(join(runFolder, RECORDS_FILE), run.records);
  writeFileAtomic(join(runFolder, MANIFEST_FILE), JSON.stringify(run.manifest, null, 2) + '\n');
}

/** Ids of the recorded runs bundled with Confide, sorted. */
export function bundledRunIds(folder = recordedRunsFolder()): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, MANIFEST_FILE)))
    .map((entry) => entry.name)
    .sort();
}

const runCache = new Map<string, RunDirectory>();

/** A bundled recorded run by id, validated (cached per process). */
export function loadBundledRun(runId: string, folder = recordedRunsFolder()): RunDirectory {
  const key = join(folder, runId);
  const cached = runCache.get(key);
  if (cached) return cached;
  if (!existsSync(join(key, MANIFEST_FILE))) {
    throw new NotFoundError(`no recorded run "${runId}" (bundled: ${bundledRunIds(folder).join(', ')})`);
  }
  const run = readRunDirectory(key);
  runCache.set(key, run);
  return run;
}
