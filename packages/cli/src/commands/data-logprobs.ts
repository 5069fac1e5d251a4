import { join } from 'node:path';
import { InvalidConfigError, NotFoundError, TokenConfidenceOptions, type TokenConfidence } from '@confide/core';
import { LOGPROBS_FOLDER, readLogprobsSidecar, resummariseLogprobsSidecar, RunStore, type LogprobsSidecar } from '@confide/data';
import { formatTable } from '../output/format-table.js';

export interface DataLogprobsOptions {
  groupWindow?: number;
  tailTokens?: number;
  format: 'table' | 'json';
}

const SIGNALS = [
  ['token-confidence.mean', 'mean'],
  ['token-confidence.tail', 'tail'],
  ['token-confidence.bottom-10', 'bottom10'],
  ['token-confidence.lowest-group', 'lowestGroup'],
  ['token-margin', 'margin'],
] as const satisfies ReadonlyArray<readonly [string, keyof TokenConfidence]>;

/** What `confide data logprobs` reports: the sidecar's answers, k and windows, and each score's spread over the answers. */
export interface LogprobsReport {
  run: string;
  sidecar: string;
  answers: number;
  tokens: number;
  k: number[];
  windows: Array<{ groupWindow: number; tailTokens: number; answers: number }>;
  rewritten: boolean;
  scores: Array<{ score: string; answers: number; min: number | null; median: number | null; mean: number | null; max: number | null }>;
}

function spread(values: number[]): { min: number | null; median: number | null; mean: number | null; max: number | null } {
  if (values.length === 0) return { min: null, median: null, mean: null, max: null };
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return {
    min: sorted[0]!,
    median: sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    max: sorted.at(-1)!,
  };
}

function report(run: string, sidecar: LogprobsSidecar, rewritten: boolean): LogprobsReport {
  const windows = new Map<string, { groupWindow: number; tailTokens: number; answers: number }>();
  for (const { summary } of sidecar.entries) {
    const key = `${summary.groupWindow}/${summary.tailTokens}`;
    const known = windows.get(key) ?? { groupWindow: summary.groupWindow, tailTokens: summary.tailTokens, answers: 0 };
    known.answers++;
    windows.set(key, known);
  }
  return {
    run,
    sidecar: sidecar.folder,
    answers: sidecar.entries.length,
    tokens: sidecar.entries.reduce((sum, entry) => sum + entry.positions, 0),
    k: [...new Set(sidecar.entries.map((entry) => entry.k))].sort((left, right) => left - right),
    windows: [...windows.values()],
    rewritten,
    scores: SIGNALS.map(([score, field]) => {
      const values = sidecar.entries.flatMap((entry) => (entry.summary[field] === null ? [] : [entry.summary[field]]));
      return { score, answers: values.length, ...spread(values) };
    }),
  };
}

/**
 * `confide data logprobs <run> [--group-window n] [--tail-tokens t]`: a run's logprobs sidecar in figures (answers, k,
 * the windows its summaries were computed with, each DeepConf score's spread); with a window given, the summaries are
 * computed again from the stored logprobs with it and the index rewritten (the other window stays as it was), so
 * ablations and views of the run score with the new windows.
 */
export function dataLogprobs(reference: string, options: DataLogprobsOptions): LogprobsReport {
  const folder = join(new RunStore().folderOf(reference), LOGPROBS_FOLDER);
  const current = readLogprobsSidecar(folder);
  if (current === null) throw new NotFoundError(`run "${reference}" has no logprobs sidecar (${join(folder, 'index.jsonl')}): record token logprobs with the model client option "logprobs": k`);
  if (options.groupWindow === undefined && options.tailTokens === undefined) return report(reference, current, false);
  const first = current.entries[0]?.summary;
  const parsed = TokenConfidenceOptions.safeParse({
    groupWindow: options.groupWindow ?? first?.groupWindow,
    tailTokens: options.tailTokens ?? first?.tailTokens,
  });
  if (!parsed.success) throw new InvalidConfigError(`--group-window / --tail-tokens: ${parsed.error.issues[0]!.message}`);
  return report(reference, resummariseLogprobsSidecar(folder, parsed.data), true);
}

export function formatLogprobsReport(result: LogprobsReport): string {
  const windows = result.windows.map((entry) => `groups of ${entry.groupWindow}, tail ${entry.tailTokens} (${entry.answers} answers)`).join('; ');
  const head =
    `${result.run}: ${result.answers} answers, ${result.tokens} tokens, top ${result.k.join('/')} logprobs a token; windows: ${windows}` +
    (result.rewritten ? `\nrewrote ${join(result.sidecar, 'index.jsonl')}: the run's scores now use these windows` : '');
  const format = (value: number | null) => (value === null ? '–' : value.toFixed(4));
  const rows = result.scores.map((entry) => ({ score: entry.score, answers: entry.answers, min: format(entry.min), median: format(entry.median), mean: format(entry.mean), max: format(entry.max) }));
  return `${head}\n${formatTable(rows)}`;
}
