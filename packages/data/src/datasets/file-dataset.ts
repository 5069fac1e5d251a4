import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { InvalidConfigError, InvalidInputError, NotFoundError, type Problem } from '@confide/core';
import { z } from 'zod';
import { sha256OfFile } from '../io/file-chunks.js';
import { forEachTableRow, TABLE_FILE, tableColumnNames, tableFileStem } from '../io/table-rows.js';

/** Which column holds each field of a problem; a field left out is found under its common names (`DEFAULT_COLUMNS`). */
export const DatasetColumns = z
  .strictObject({
    id: z.string().min(1),
    question: z.string().min(1),
    answer: z.string().min(1),
    solution: z.string().min(1),
    subject: z.string().min(1),
    level: z.string().min(1),
  })
  .partial();
export type DatasetColumns = z.infer<typeof DatasetColumns>;

/** A dataset in a file of one's own: `.jsonl`, `.json` (an array of rows), `.csv` or `.parquet` (optionally `.gz`). */
export const FileDatasetReference = z.strictObject({
  /** The file, relative to the experiment's folder (or the current directory on the command line). */
  file: z.string().min(1),
  columns: DatasetColumns.default({}),
});
export type FileDatasetReference = z.infer<typeof FileDatasetReference>;

/**
 * How an experiment or a command names its problems: a bundled dataset (`math500`), a hub dataset
 * (`hf://datasets/<owner>/<name>[@rev][:split]`), a file path (`./problems.csv`, common column names recognised), or a
 * file with a column mapping (`{ "file": "./gsm8k.jsonl", "columns": { "question": "q" } }`).
 */
export const DatasetReference = z.union([z.string().min(1), FileDatasetReference]);
export type DatasetReference = z.infer<typeof DatasetReference>;

/** Common column names, tried in order, for each field. */
export const DEFAULT_COLUMNS: Readonly<Record<keyof DatasetColumns, readonly string[]>> = {
  id: ['id', 'unique_id', 'problem_id', 'qid', 'uid'],
  question: ['question', 'problem', 'prompt', 'input', 'query'],
  answer: ['answer', 'ground_truth', 'gold', 'target', 'final_answer', 'answer_last_boxed'],
  solution: ['solution', 'rationale', 'explanation'],
  subject: ['subject', 'type', 'category', 'topic'],
  level: ['level', 'difficulty'],
};


/** Whether a string reference names a file (by its extension) rather than a bundled or hub dataset. */
export function isFileDatasetReference(reference: string): boolean {
  return TABLE_FILE.test(reference);
}

/** A short name for a dataset reference, for titles and manifests. */
export function datasetLabel(reference: string | { file: string }): string {
  return typeof reference === 'string' ? reference : reference.file;
}

/** The text inside the last `\boxed{…}` of a solution (braces balanced), or null. */
export function lastBoxed(text: string): string | null {
  const start = text.lastIndexOf('\\boxed{');
  if (start < 0) return null;
  let depth = 0;
  for (let index = start + '\\boxed{'.length - 1; index < text.length; index++) {
    if (text[index] === '{') depth++;
    else if (text[index] === '}' && --depth === 0) return text.slice(start + '\\boxed{'.length, index);
  }
  return null;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function levelOf(value: unknown): number | undefined {
  const found = /^(?:level\s*)?([1-5])$/i.exec(String(value ?? '').trim());
  return found ? Number(found[1]) : undefined;
}

export interface LoadedFileDataset {
  problems: Problem[];
  /** `file:<path>@sha256:<hex>`: the manifest pins the file by its content. */
  reference: string;
  /** Which column each field was read from (null where the file has none). */
  columns: Record<keyof DatasetColumns, string | null>;
}

/**
 * Reads a dataset file into Problems, a row at a time (the file's text is never held whole). Each field comes from its mapped column, else from the first common name the
 * file has; the answer may instead be the last `\boxed{}` of a solution column. Ids come from the id column, else from
 * the row position (`<file stem>/<row index>`), which is also how importers resolve upstream `prob_<i>` ids.
 */
export async function loadFileDataset(reference: FileDatasetReference, baseFolder = process.cwd(), options: { signal?: AbortSignal } = {}): Promise<LoadedFileDataset> {
  const path = isAbsolute(reference.file) ? reference.file : resolve(baseFolder, reference.file);
  if (!existsSync(path)) throw new NotFoundError(`no dataset file at ${path}`);
  const present = new Set((await tableColumnNames(path, options)).names);
  if (present.size === 0) throw new InvalidInputError({ file: path, problem: 'no rows' });
  const columns = {} as Record<keyof DatasetColumns, string | null>;
  for (const field of Object.keys(DEFAULT_COLUMNS) as Array<keyof DatasetColumns>) {
    const mapped = reference.columns[field];
    if (mapped !== undefined && !present.has(mapped)) {
      throw new InvalidConfigError(`${path}: key "columns.${field}": no column "${mapped}" (columns: ${[...present].join(', ')})`);
    }
    columns[field] = mapped ?? DEFAULT_COLUMNS[field].find((name) => present.has(name)) ?? null;
  }
  if (columns.question === null) {
    throw new InvalidInputError({ file: path, field: 'question', problem: `no question column (tried ${DEFAULT_COLUMNS.question.join(', ')}; map one with columns.question)` });
  }
  if (columns.answer === null && columns.solution === null) {
    throw new InvalidInputError({ file: path, field: 'answer', problem: `no answer column (tried ${DEFAULT_COLUMNS.answer.join(', ')}, or a solution with a \\boxed answer; map one with columns.answer)` });
  }
  const stem = tableFileStem(basename(path));
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  const { rows } = await forEachTableRow(path, (row, rowNumber) => {
    const index = rowNumber - 1;
    const at = (field: keyof DatasetColumns) => (columns[field] === null ? undefined : row[columns[field]!]);
    const id = text(at('id')) ?? `${stem}/${index}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new InvalidInputError({ file: path, row: index + 1, field: columns.id ?? 'id', problem: `duplicate problem id ${id} (also row ${earlier})` });
    seen.set(id, index + 1);
    const question = text(at('question'));
    if (question === undefined) throw new InvalidInputError({ file: path, row: index + 1, field: columns.question!, problem: 'empty question' });
    const solution = text(at('solution'));
    const answer = text(at('answer')) ?? (solution !== undefined ? lastBoxed(solution) : null) ?? null;
    const subject = text(at('subject'));
    const level = levelOf(at('level'));
    problems.push({
      id,
      problem: question,
      answer,
      ...(solution !== undefined ? { solution } : {}),
      ...(subject !== undefined ? { subject } : {}),
      ...(level !== undefined ? { level } : {}),
    });
  }, options);
  if (rows === 0) throw new InvalidInputError({ file: path, problem: 'no rows' });
  return { problems, reference: `file:${reference.file}@sha256:${sha256OfFile(path)}`, columns };
}
