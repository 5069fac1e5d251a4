import { InvalidConfigError, InvalidInputError, type Problem } from '@confide/core';
import { z } from 'zod';
import { isFileDatasetReference, loadFileDataset, type DatasetReference } from '../datasets/file-dataset.js';
import { loadDataset } from '../datasets/math-datasets.js';
import { describeZodIssue } from '../io/json-lines.js';
import type { HubConnection } from './hub-connection.js';
import { pullHubDataset } from './pull-hub-dataset.js';

/** `hf://datasets/<owner>/<name>[@<revision>][:<split>]`: a dataset on the hub, as an experiment's `dataset`. */
const HUB_DATASET = /^hf:\/\/datasets\/([^/@:\s]+\/[^/@:\s]+)(?:@([^:\s]+))?(?::([\w.-]+))?$/;

/** A MATH-style row as HuggingFaceH4/MATH-500 publishes it (`type` and "Level N" as the full MATH splits have them). */
const MathRow = z.object({
  problem: z.string(),
  answer: z.string(),
  unique_id: z.string().optional(),
  subject: z.string().optional(),
  type: z.string().optional(),
  level: z.union([z.number().int(), z.string()]).optional(),
  solution: z.string().optional(),
});

export interface LoadedProblems {
  problems: Problem[];
  /** What a run manifest records: the bundled dataset's name, or `hf://datasets/<repo>@<commit>:<split>`. */
  reference: string;
}

function levelOf(level: number | string | undefined): number | undefined {
  const value = typeof level === 'string' ? Number(level.replace(/^Level /, '')) : level;
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= 5 ? value : undefined;
}

/**
 * The problems an experiment names: a bundled dataset (`math500`, `math-train`, …), a dataset file (pinned by its
 * content hash; relative paths against `baseFolder`), or a hub dataset `hf://datasets/<owner>/<name>[@<revision>][:<split>]`,
 * pulled (or read from the cache) and pinned to the commit the revision resolved to, so the manifest names exactly
 * the rows the run used.
 */
export async function loadProblems(
  reference: DatasetReference,
  options: { connection?: HubConnection; cacheFolder?: string; offline?: boolean; baseFolder?: string; signal?: AbortSignal } = {},
): Promise<LoadedProblems> {
  if (typeof reference !== 'string' || isFileDatasetReference(reference)) {
    const file = typeof reference === 'string' ? { file: reference, columns: {} } : reference;
    const loaded = await loadFileDataset(file, options.baseFolder, options.signal ? { signal: options.signal } : {});
    return { problems: loaded.problems, reference: loaded.reference };
  }
  const dataset = reference;
  if (!dataset.startsWith('hf://')) return { problems: loadDataset(dataset), reference: dataset };
  const match = HUB_DATASET.exec(dataset);
  if (match === null) {
    throw new InvalidConfigError(`dataset "${dataset}" is not hf://datasets/<owner>/<name>[@<revision>][:<split>]`);
  }
  const [, repo, revision, split] = match as unknown as [string, string, string | undefined, string | undefined];
  const pulled = await pullHubDataset({
    repo,
    ...(revision ? { revision } : {}),
    ...(split ? { split } : {}),
    ...(options.connection ? { connection: options.connection } : {}),
    ...(options.cacheFolder ? { cacheFolder: options.cacheFolder } : {}),
    ...(options.offline ? { offline: true } : {}),
  });
  if (pulled.splits.length !== 1) {
    throw new InvalidConfigError(
      `dataset "${dataset}" has splits ${pulled.splits.map((entry) => entry.name).join(', ')}: name one, e.g. ${dataset}:${pulled.splits[0]?.name ?? 'test'}`,
    );
  }
  const chosen = pulled.splits[0]!;
  const problems = chosen.rows.map((value, index): Problem => {
    const parsed = MathRow.safeParse(value);
    if (!parsed.success) throw new InvalidInputError({ file: `${pulled.reference}:${chosen.name}`, row: index + 1, ...describeZodIssue(parsed.error) });
    const row = parsed.data;
    const level = levelOf(row.level);
    const subject = row.subject ?? row.type;
    return {
      id: row.unique_id ?? `${repo}/${chosen.name}/${index}`,
      problem: row.problem,
      answer: row.answer,
      ...(row.solution === undefined ? {} : { solution: row.solution }),
      ...(subject === undefined ? {} : { subject }),
      ...(level === undefined ? {} : { level }),
    };
  });
  return { problems, reference: `${pulled.reference}:${chosen.name}` };
}
