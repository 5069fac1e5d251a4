import { dictionary, float64, int8, tableFromArrays, tableFromIPC, tableToIPC, uint32, uint8, utf8, type DataType, type Table } from '@uwdata/flechette';
import { SORT_KEYS, type SortKey } from './page/filters.js';
import { NUMERIC_COLUMNS, STRING_COLUMNS, type ProblemColumns, type RowColumns } from './page/row-columns.js';

/**
 * The served columns in Arrow IPC (stream format), written with flechette on the server and read with it in the page:
 * a problems table (id, label), a table per run (its `RowColumns`, the ascending order of every sort key, and for the
 * viewed run of a run bundle its threshold score), and a search's matches (index). Reading checks every column's
 * presence, type and length, and names what is wrong.
 */

/** The sort keys with a served order (dataset order needs none). */
export const ORDERED_SORT_KEYS = SORT_KEYS.filter((key): key is Exclude<SortKey, 'index'> => key !== 'index');

const orderColumn = (key: Exclude<SortKey, 'index'>) => `order_${key}`;
const THRESHOLD_SCORE = 'threshold_score';

/** A run's served table, decoded. */
export interface ServedRun {
  columns: RowColumns;
  orders: Record<Exclude<SortKey, 'index'>, Uint32Array>;
  /** The viewed run's threshold score (a run bundle with a large run and a score); null elsewhere. */
  thresholdScore: Float64Array | null;
}

/** The Arrow type of each typed array the columns use (given, not inferred: an empty column has nothing to infer from). */
function arrowType(values: ArrayLike<number>): DataType {
  if (values instanceof Float64Array) return float64();
  if (values instanceof Uint32Array) return uint32();
  if (values instanceof Uint8Array) return uint8();
  if (values instanceof Int8Array) return int8();
  throw new Error(`no Arrow type for ${values.constructor.name}`);
}

function bytesOf(table: Table): Uint8Array {
  const bytes = tableToIPC(table, { format: 'stream' });
  if (bytes === null) throw new Error('flechette wrote no Arrow IPC bytes');
  return bytes;
}

export function encodeProblems(ids: readonly string[], labels: readonly string[]): Uint8Array {
  return bytesOf(tableFromArrays({ id: [...ids], label: [...labels] }, { types: { id: utf8(), label: utf8() } }));
}

export function encodeRun(run: ServedRun): Uint8Array {
  const columns: Record<string, unknown[] | Float64Array | Uint32Array | Uint8Array | Int8Array> = {};
  for (const name of Object.keys(NUMERIC_COLUMNS) as (keyof typeof NUMERIC_COLUMNS)[]) columns[name] = run.columns[name];
  for (const name of STRING_COLUMNS) columns[name] = [...run.columns[name]];
  for (const key of ORDERED_SORT_KEYS) columns[orderColumn(key)] = run.orders[key];
  if (run.thresholdScore !== null) columns[THRESHOLD_SCORE] = run.thresholdScore;
  const types = Object.fromEntries(Object.entries(columns).map(([name, values]) => [name, Array.isArray(values) ? dictionary(utf8()) : arrowType(values as ArrayLike<number>)]));
  return bytesOf(tableFromArrays(columns, { types }));
}

export function encodeIndices(indices: Uint32Array): Uint8Array {
  return bytesOf(tableFromArrays({ index: indices }, { types: { index: uint32() } }));
}

function tableOf(bytes: Uint8Array, what: string, rows: number | null): Table {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new Error(`${what}: not Arrow IPC (${(error as Error).message})`);
  }
  if (rows !== null && table.numRows !== rows) throw new Error(`${what}: ${table.numRows} rows, expected ${rows}`);
  return table;
}

function typedColumn<T>(table: Table, what: string, name: string, type: new (length: number) => T): T {
  const column = table.getChild(name);
  if (column === null || column === undefined) throw new Error(`${what}: no column "${name}"`);
  // an empty column has no batch to be a typed array of
  const values = column.length === 0 ? new type(0) : column.toArray();
  if (!(values instanceof type)) throw new Error(`${what}: column "${name}" is not ${type.name}`);
  return values;
}

function stringColumn(table: Table, what: string, name: string): string[] {
  const column = table.getChild(name);
  if (column === null || column === undefined) throw new Error(`${what}: no column "${name}"`);
  const values = column.toArray() as unknown[];
  if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) throw new Error(`${what}: column "${name}" is not text`);
  return values as string[];
}

/** The problems table; ids and labels are read when asked for (a million strings are not made at load). */
export function decodeProblems(bytes: Uint8Array, count: number): ProblemColumns {
  const what = 'the served problems';
  const table = tableOf(bytes, what, count);
  const [id, label] = ['id', 'label'].map((name) => {
    const column = table.getChild(name);
    if (column === null || column === undefined) throw new Error(`${what}: no column "${name}"`);
    if (count > 0 && typeof column.at(0) !== 'string') throw new Error(`${what}: column "${name}" is not text`);
    return column;
  }) as [NonNullable<ReturnType<Table['getChild']>>, NonNullable<ReturnType<Table['getChild']>>];
  return { count, id: (index) => id.at(index) as string, label: (index) => label.at(index) as string };
}

export function decodeRun(bytes: Uint8Array, run: number, count: number, withThresholdScore: boolean): ServedRun {
  const what = `the served run ${run}`;
  const table = tableOf(bytes, what, count);
  const numeric = Object.fromEntries(
    (Object.entries(NUMERIC_COLUMNS) as [keyof typeof NUMERIC_COLUMNS, new (length: number) => ArrayLike<number>][]).map(([name, type]) => [name, typedColumn(table, what, name, type)]),
  );
  const strings = Object.fromEntries(STRING_COLUMNS.map((name) => [name, stringColumn(table, what, name)]));
  const orders = Object.fromEntries(ORDERED_SORT_KEYS.map((key) => [key, typedColumn(table, what, orderColumn(key), Uint32Array)])) as ServedRun['orders'];
  for (const [key, order] of Object.entries(orders)) {
    if (order.some((index) => index >= count)) throw new Error(`${what}: column "${orderColumn(key as Exclude<SortKey, 'index'>)}" holds an index past ${count - 1}`);
  }
  return {
    columns: { ...numeric, ...strings } as unknown as RowColumns,
    orders,
    thresholdScore: withThresholdScore ? typedColumn(table, what, THRESHOLD_SCORE, Float64Array) : null,
  };
}

export function decodeIndices(bytes: Uint8Array, count: number): Uint32Array {
  const what = 'the served search matches';
  const indices = typedColumn(tableOf(bytes, what, null), what, 'index', Uint32Array);
  if (indices.some((index) => index >= count)) throw new Error(`${what}: an index past ${count - 1}`);
  return indices;
}
