import { join } from 'node:path';
import { NotFoundError, type Problem } from '@confide/core';
import { z } from 'zod';
import { readJsonLines } from '../io/json-lines.js';
import { tableFileStem } from '../io/table-rows.js';
import { seededTrainTestSplit } from '../splits/seeded-train-test-split.js';
import { bundledDatasetsFolder } from '../workspace-paths.js';

/** A row of MATH-500 as published (prm800k `math_splits/test.jsonl`). */
const Math500Row = z.strictObject({
  problem: z.string(),
  solution: z.string(),
  answer: z.string(),
  subject: z.string(),
  level: z.number().int().min(1).max(5),
  unique_id: z.string(),
});

/** A row of the full MATH train or test split (Hendrycks et al.), with the id and the last boxed answer added. */
const MathSplitRow = z.strictObject({
  problem: z.string(),
  level: z.string().regex(/^Level [1-5?]$/),
  type: z.string(),
  solution: z.string(),
  unique_id: z.string(),
  answer_last_boxed: z.string().nullable(),
});

export interface DatasetInfo {
  name: string;
  /** How reports name it. */
  title: string;
  file: string;
  rows: number;
  description: string;
  /** For a split derived from another dataset: which one, and which part of the seed's 90/10 split. */
  derived?: { from: string; part: 'train' | 'test' };
}

/**
 * The seed's 90/10 split of MATH train: Hugging Face `datasets` `train_test_split(test_size=0.1, seed=42)`, reproduced
 * bit for bit (numpy PCG64 permutation) over the bundled row order. It equals the authors' split when their rows came
 * in the same order; the published `Akirayasha/math-20` has 6,750 rows, as this does.
 */
export const SEED_SPLIT = { testSize: 0.1, seed: 42 } as const;

export const DATASETS: readonly DatasetInfo[] = [
  { name: 'math500', title: 'MATH-500', file: 'math500_test.jsonl.gz', rows: 500, description: 'MATH-500 test subset (prm800k split)' },
  { name: 'math-train', title: 'MATH train', file: 'math_train_7500.jsonl.gz', rows: 7500, description: 'MATH train split, all 7,500' },
  { name: 'math-test', title: 'MATH test', file: 'math_test_5000.jsonl.gz', rows: 5000, description: 'MATH test split, all 5,000' },
  {
    name: 'math-train-sft',
    title: "MATH train (the seed's 90%)",
    file: 'math_train_7500.jsonl.gz',
    rows: 6750,
    description: "the seed's 90% of MATH train (train_test_split test_size=0.1 seed=42)",
    derived: { from: 'math-train', part: 'train' },
  },
  {
    name: 'math-train-heldout',
    title: "MATH train (the seed's held-out 10%)",
    file: 'math_train_7500.jsonl.gz',
    rows: 750,
    description: "the seed's held-out 10% of MATH train",
    derived: { from: 'math-train', part: 'test' },
  },
];

export function datasetInfo(name: string): DatasetInfo {
  const info = DATASETS.find((dataset) => dataset.name === name);
  if (info === undefined) {
    throw new NotFoundError(`no dataset "${name}" (bundled: ${DATASETS.map((dataset) => dataset.name).join(', ')})`);
  }
  return info;
}

function levelNumber(level: string): number | undefined {
  const digit = Number(level.replace('Level ', ''));
  return Number.isInteger(digit) ? digit : undefined;
}

const cache = new Map<string, Problem[]>();

/** Loads a bundled dataset as Problems, in file order. `answer` is MATH's reference answer (null for 2 train rows). */
export function loadDataset(name: string): Problem[] {
  const cached = cache.get(name);
  if (cached) return cached;
  const info = datasetInfo(name);
  if (info.derived) {
    const split = seededTrainTestSplit(loadDataset(info.derived.from), SEED_SPLIT);
    const part = info.derived.part === 'train' ? split.train : split.test;
    cache.set(name, part);
    return part;
  }
  const path = join(bundledDatasetsFolder(), info.file);
  const problems: Problem[] =
    name === 'math500'
      ? readJsonLines(path, Math500Row).map((row) => ({
          id: row.unique_id,
          problem: row.problem,
          answer: row.answer,
          solution: row.solution,
          subject: row.subject,
          level: row.level,
        }))
      : readJsonLines(path, MathSplitRow).map((row) => {
          const level = levelNumber(row.level);
          return {
            id: row.unique_id,
            problem: row.problem,
            answer: row.answer_last_boxed,
            solution: row.solution,
            subject: row.type,
            ...(level === undefined ? {} : { level }),
          };
        });
  cache.set(name, problems);
  return problems;
}

/** How a report names a dataset: a bundled dataset's title, a file's name without extension, a hub repo's name. */
export function datasetTitle(reference: string | { file: string }): string {
  const name = typeof reference === 'string' ? reference : reference.file;
  const bundled = DATASETS.find((dataset) => dataset.name === name);
  if (bundled) return bundled.title;
  const hub = /^hf:\/\/datasets\/[^/]+\/([^@:]+)/.exec(name);
  if (hub) return hub[1]!;
  return tableFileStem(name.split(/[\\/]/).at(-1)!);
}
