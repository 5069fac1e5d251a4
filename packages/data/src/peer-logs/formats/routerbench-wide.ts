import { forEachLine } from '../../io/line-reader.js';
import { forEachTableRow, tableColumnNames, type TableRow } from '../../io/table-rows.js';
import {
  leaveOut,
  newReadSummary,
  parseJsonAt,
  peerLogError,
  sampleId,
  scoreValue,
  type PeerLogFormat,
  type PeerLogReadSummary,
  type PeerSample,
} from '../peer-log-format.js';
import { parsePythonLiteral } from '../python-literal.js';

/**
 * RouterBench's wide table (withmartian/routerbench, `routerbench_0shot.pkl` / `routerbench_5shot.pkl`: a pandas
 * DataFrame, one row per prompt): sample_id, prompt, eval_name, oracle_model_to_route_to, and per model three columns,
 * `<model>` (the score in [0, 1]), `<model>|model_response` and `<model>|total_cost` (USD). The pickle is Python's own;
 * this reads its CSV, JSON Lines or Parquet export (`df.to_csv(…, index=False)`, `df.to_json(…, orient="records",
 * lines=True)`, `df.to_parquet(…)`), a row at a time. One file yields one run per model, in column order.
 */

const RESPONSE = '|model_response';
const COST = '|total_cost';
const TABLE = /\.(csv|jsonl|parquet)(\.gz)?$/i;

/** The models of a header: every `<model>` with a `<model>|model_response` or `<model>|total_cost` column. */
function modelsOf(columns: string[]): string[] {
  const models: string[] = [];
  for (const column of columns) {
    const suffix = column.endsWith(RESPONSE) ? RESPONSE : column.endsWith(COST) ? COST : undefined;
    if (suffix === undefined) continue;
    const model = column.slice(0, -suffix.length);
    if (model !== '' && !models.includes(model)) models.push(model);
  }
  return models;
}

/** A cell that holds nothing: absent, null, an empty CSV cell, or a NaN as pandas writes it. */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && (value.trim() === '' || value === 'NaN' || value === 'nan')) || (typeof value === 'number' && Number.isNaN(value));
}

/** The prompt: a string, or a list of strings (the pickle's [instruction, content]; in CSV its Python repr), joined. */
function promptText(value: unknown): string | null {
  if (isEmpty(value)) return null;
  if (Array.isArray(value)) return value.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('\n\n');
  if (typeof value !== 'string') return JSON.stringify(value);
  if (/^\s*\[\s*['"]/.test(value)) {
    try {
      const parts = parsePythonLiteral(value);
      if (Array.isArray(parts) && parts.every((part) => typeof part === 'string')) return parts.join('\n\n');
    } catch {
      // a prompt that merely starts like a list: kept as written
    }
  }
  return value;
}

function costOf(value: unknown, file: string, place: string, field: string): number | null {
  if (isEmpty(value)) return null;
  const cost = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(cost) || cost < 0) throw peerLogError(file, place, field, `expected a cost in dollars, got ${JSON.stringify(value)}`);
  return cost;
}

function readRow(row: TableRow, place: string, file: string, models: string[], onSample: (sample: PeerSample) => void, summary: PeerLogReadSummary): void {
  const id = sampleId(isEmpty(row['sample_id']) ? undefined : row['sample_id'], file, place, 'sample_id');
  const question = promptText(row['prompt']);
  const slice = isEmpty(row['eval_name']) ? undefined : String(row['eval_name']);
  for (const model of models) {
    if (!(model in row)) throw peerLogError(file, place, model, `no score column "${model}" beside "${model}${RESPONSE}"`);
    if (isEmpty(row[model])) {
      leaveOut(summary, 'model cells without a score');
      continue;
    }
    const response = row[`${model}${RESPONSE}`];
    onSample({
      model,
      id,
      question,
      gold: null,
      ...(slice !== undefined ? { slice } : {}),
      text: isEmpty(response) ? '' : typeof response === 'string' ? response : JSON.stringify(response),
      answer: null,
      score: scoreValue(row[model], file, place, model),
      usage: null,
      costUsd: costOf(row[`${model}${COST}`], file, place, `${model}${COST}`),
      latencyMs: null,
      finishReason: null,
      place,
    });
  }
}

export const routerBenchWideFormat: PeerLogFormat = {
  name: 'routerbench-wide',
  reads: "RouterBench's wide table exported from its pickle as CSV, JSON Lines or Parquet: one run per model (each `<model>` column with its `<model>|model_response` and `<model>|total_cost`); per row sample_id (id), prompt (question; a list joined), eval_name (slice), the model's score, response and recorded cost; no gold, no token counts (cost unknown, the recorded cost kept); empty score cells left out and counted",
  async detect(path) {
    if (!TABLE.test(path)) return false;
    try {
      const { names } = await tableColumnNames(path, { firstRowOnly: true });
      return names.includes('sample_id') && names.includes('prompt') && modelsOf(names).length > 0;
    } catch {
      return false;
    }
  },
  async read(path, _options, onSample) {
    const summary = newReadSummary([path]);
    let models: string[] | undefined;
    const onRow = (row: TableRow, place: string): void => {
      if (models === undefined) {
        models = modelsOf(Object.keys(row));
        if (models.length === 0) throw peerLogError(path, place, undefined, `no model columns (expected "<model>${RESPONSE}" and "<model>${COST}" beside each "<model>" score)`);
        if (!('sample_id' in row)) throw peerLogError(path, place, 'sample_id', 'the table has no sample_id column');
        for (const key of Object.keys(row)) summary.fields.add(key);
      }
      readRow(row, place, path, models, onSample, summary);
    };
    if (/\.jsonl(\.gz)?$/i.test(path)) {
      forEachLine(path, (text, lineNumber) => {
        if (text.trim() === '') return;
        const place = `line ${lineNumber}`;
        const value = parseJsonAt(text, path, place);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw peerLogError(path, place, undefined, 'expected a JSON object per line (a row of the table)');
        onRow(value as TableRow, place);
      });
    } else {
      // CSV (a header row) or Parquet: a record at a time
      await forEachTableRow(path, (row, rowNumber) => onRow(row, `row ${rowNumber}`));
    }
    return summary;
  },
};
