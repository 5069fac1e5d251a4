import { costInHundredMillionths, generationCostBasis, gradeScore, pConfident, type PriceTable, type Problem, type RunRecord } from '@confide/core';
import type { ByteWriter, ColumnSource, Writer } from 'hyparquet-writer';
import { openFileAtomic, type AtomicFile } from '../io/atomic-write.js';

/** One run to export: its label (the `run` column), its records, its problems (null: none at hand) and the prices its costs use. */
export interface RunToExport {
  label: string;
  records: readonly RunRecord[];
  problems: readonly Problem[] | null;
  prices: PriceTable;
}

/**
 * The columns of the flat table, one row per record (several runs: one after another, `run` telling them apart), in
 * the names pandas and polars users expect. Costs are dollars: every call the record holds (its answer, and a routed
 * record's router call) — token counts at the run's prices, else the cost its source recorded (`cost_basis`), null
 * where unknown; token counts are null where the source recorded none.
 */
export const RUN_PARQUET_COLUMNS: ReadonlyArray<Omit<ColumnSource, 'data'> & { description: string }> = [
  { name: 'run', type: 'STRING', nullable: false, description: 'the run label' },
  { name: 'problem_id', type: 'STRING', nullable: false, description: "the problem's id" },
  { name: 'question', type: 'STRING', description: 'the question (null: the run carries no problems and no dataset was given)' },
  { name: 'gold', type: 'STRING', description: 'the reference answer' },
  { name: 'subject', type: 'STRING', description: "the problem's subject" },
  { name: 'level', type: 'INT32', description: "the problem's level (1-5)" },
  { name: 'slice', type: 'STRING', description: "the problem's task or benchmark (a log's)" },
  { name: 'model', type: 'STRING', nullable: false, description: 'the model that answered' },
  { name: 'response', type: 'STRING', description: "the model's full response" },
  { name: 'answer', type: 'STRING', description: 'the answer read from the response' },
  { name: 'correct', type: 'BOOLEAN', nullable: false, description: "the grade's binary verdict" },
  { name: 'score', type: 'DOUBLE', nullable: false, description: 'the graded score in [0, 1] (1 or 0 for a binary grade)' },
  { name: 'input_tokens', type: 'INT32', description: 'input tokens (null: not recorded)' },
  { name: 'output_tokens', type: 'INT32', description: 'output tokens, thinking not counted (null: not recorded)' },
  { name: 'thinking_tokens', type: 'INT32', description: 'thinking tokens (null: not recorded)' },
  { name: 'cost_usd', type: 'DOUBLE', description: 'every call the record holds, in dollars (null: unknown)' },
  { name: 'cost_basis', type: 'STRING', nullable: false, description: 'tokens (priced by the run\'s price table), recorded (the source\'s own cost), unknown, or unpriced (no price for the model)' },
  { name: 'recorded_cost_usd', type: 'DOUBLE', description: 'the cost the source recorded, as given' },
  { name: 'latency_ms', type: 'DOUBLE', description: 'latency in milliseconds' },
  { name: 'confidence_token', type: 'STRING', description: 'the confidence token the response ends in' },
  { name: 'p_confident', type: 'DOUBLE', description: 'P(<|c_math|>) / (P(<|c_math|>) + P(<|u_math|>)) where recorded' },
  { name: 'route_target', type: 'STRING', description: 'a routed record: small or large' },
  { name: 'route_model', type: 'STRING', description: 'a routed record: the label of the model chosen' },
  { name: 'evaluator', type: 'STRING', nullable: false, description: 'the evaluator that graded it' },
];

/** A record's cost: its answer's (core's generation cost basis) plus a routed record's router call; null when unknown or unpriced. */
function recordCost(record: RunRecord, prices: PriceTable): { usd: number | null; basis: string } {
  const basis = generationCostBasis(prices, record.generation);
  if (basis !== 'tokens' && basis !== 'recorded') return { usd: null, basis: basis === 'no-tokens' ? 'unknown' : 'unpriced' };
  let units = basis === 'tokens' ? costInHundredMillionths(prices, record.generation.model, record.generation.usage) : record.generation.recordedCostUsd! * 1e8;
  const route = record.route;
  if (route?.routerModel !== undefined && route.routerUsage !== undefined) {
    if (prices.models[route.routerModel] === undefined) return { usd: null, basis: 'unpriced' };
    units += costInHundredMillionths(prices, route.routerModel, route.routerUsage);
  }
  return { usd: units / 1e8, basis };
}

function* exportRows(runs: readonly RunToExport[]): Generator<Record<string, unknown>> {
  for (const run of runs) {
    const problems = new Map((run.problems ?? []).map((problem) => [problem.id, problem]));
    for (const record of run.records) {
      const problem = problems.get(record.problemId);
      const { generation, grade } = record;
      const tokens = generation.usageUnknown === true ? null : generation.usage;
      const cost = recordCost(record, run.prices);
      const probability = generation.confidenceProbabilities === undefined ? null : pConfident(generation.confidenceProbabilities).value;
      yield {
        run: run.label,
        problem_id: record.problemId,
        question: problem?.problem ?? null,
        gold: record.gold ?? problem?.answer ?? null,
        subject: record.subject ?? problem?.subject ?? null,
        level: record.level ?? problem?.level ?? null,
        slice: record.slice ?? problem?.slice ?? null,
        model: generation.model,
        response: generation.text,
        answer: generation.answer,
        correct: grade.correct,
        score: gradeScore(grade),
        input_tokens: tokens?.input ?? null,
        output_tokens: tokens?.output ?? null,
        thinking_tokens: tokens?.thinking ?? null,
        cost_usd: cost.usd,
        cost_basis: cost.basis,
        recorded_cost_usd: generation.recordedCostUsd ?? null,
        latency_ms: generation.latencyMs,
        confidence_token: generation.confidenceToken,
        p_confident: probability,
        route_target: record.route?.target ?? null,
        route_model: record.route?.model ?? null,
        evaluator: grade.evaluator,
      };
    }
  }
}

/** hyparquet-writer's file writer (its `ByteWriter` class), appending through Confide's atomic file (a temporary file renamed into place on commit). */
function atomicParquetWriter(file: AtomicFile, ParquetByteWriter: typeof ByteWriter): Writer {
  const writer = new ParquetByteWriter() as Writer & { index: number };
  const flush = () => {
    file.append(new Uint8Array(writer.buffer, 0, writer.index).slice());
    writer.index = 0;
  };
  writer.ensure = (size: number) => {
    if (writer.index > 1_000_000) flush();
    if (writer.index + size > writer.buffer.byteLength) {
      const buffer = new ArrayBuffer(Math.max(writer.buffer.byteLength * 2, writer.index + size));
      new Uint8Array(buffer).set(new Uint8Array(writer.buffer));
      writer.buffer = buffer;
      writer.view = new DataView(buffer);
    }
  };
  writer.finish = flush;
  return writer;
}

/**
 * Writes runs' records as one flat Parquet table (RUN_PARQUET_COLUMNS; SNAPPY, row groups of up to 100,000 rows) for
 * pandas and polars users, through hyparquet-writer, a row group at a time, to `path` through a temporary file renamed
 * into place: a failure leaves `path` as it was. Returns the rows written.
 */
export async function writeRunsParquet(path: string, runs: readonly RunToExport[]): Promise<number> {
  const rows = runs.reduce((sum, run) => sum + run.records.length, 0);
  // imported here, not at the top: every command importing @confide/data would load it, only `data export` writes
  const { ByteWriter, parquetWriteRows } = await import('hyparquet-writer');
  const file = openFileAtomic(path);
  try {
    await parquetWriteRows({
      writer: atomicParquetWriter(file, ByteWriter),
      rows: exportRows(runs),
      columns: RUN_PARQUET_COLUMNS.map(({ description: _description, ...column }) => column),
      kvMetadata: [{ key: 'confide.columns', value: JSON.stringify(Object.fromEntries(RUN_PARQUET_COLUMNS.map((column) => [column.name, column.description]))) }],
      createdBy: 'confide data export',
    });
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
  return rows;
}
