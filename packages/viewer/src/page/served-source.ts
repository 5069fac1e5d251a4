import { decodeIndices, decodeProblems, decodeRun } from '../served-columns.js';
import { SERVED_DATA_PATHS, ServedProblem, ViewMeta } from '../served-data.js';
import type { ViewProblem } from '../view-data.js';
import type { PageSource } from './page-source.js';
import type { z } from 'zod';

async function fetched(origin: string, path: string): Promise<Response> {
  const response = await fetch(`${origin}${path}`);
  if (!response.ok) throw new Error(`${path}: the server answered ${response.status} ${(await response.text()).slice(0, 200)}`);
  return response;
}

async function bytes(origin: string, path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetched(origin, path)).arrayBuffer());
}

/** Parses with a schema, naming the path and the first wrong key. */
function parsed<T>(schema: z.ZodType<T, unknown>, value: unknown, path: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new Error(`${path}: ${issue.path.map(String).join('.') || '(top)'}: ${issue.message}`);
}

/**
 * The page's source from a server (`confide view --serve` beyond the one-page limit): the meta and every run's columns
 * at once (Arrow IPC), a problem's answers and a search's matches when asked. Everything is checked as it arrives.
 */
export async function loadServedSource(origin: string): Promise<PageSource> {
  const meta = parsed(ViewMeta, await (await fetched(origin, SERVED_DATA_PATHS.meta)).json(), SERVED_DATA_PATHS.meta);
  const count = meta.problemCount;
  const [problems, runs] = await Promise.all([
    bytes(origin, SERVED_DATA_PATHS.problems).then((data) => decodeProblems(data, count)),
    Promise.all(meta.runs.map((_, run) => bytes(origin, SERVED_DATA_PATHS.run(run)).then((data) => decodeRun(data, run, count, run === 0 && meta.score !== null)))),
  ]);
  const pairScore = meta.score !== null && runs[0]!.thresholdScore !== null ? { ...meta.score, values: runs[0]!.thresholdScore } : null;
  return {
    meta,
    problems,
    columns: runs.map((run) => run.columns),
    sortOrder: (run, key) => runs[run]!.orders[key],
    pairScore,
    problem: async (index): Promise<ViewProblem> => {
      const path = SERVED_DATA_PATHS.problem(index);
      return parsed(ServedProblem, await (await fetched(origin, path)).json(), path);
    },
    search: async (query) => {
      const mask = new Uint8Array(count);
      for (const index of decodeIndices(await bytes(origin, SERVED_DATA_PATHS.search(query)), count)) mask[index] = 1;
      return mask;
    },
    comparison: null,
  };
}
