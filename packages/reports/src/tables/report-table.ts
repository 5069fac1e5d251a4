import { from, op } from 'arquero';

/** A table of pre-formatted cells, rendered by Arquero to Markdown or HTML (both escape their cells). */
export interface ReportTable {
  columns: string[];
  rows: Array<Record<string, string>>;
  /** Why the table may have no rows, in one sentence: printed instead of an empty table. */
  empty?: string;
}

/** A table with no rows is never printed: its `empty` sentence says why, and a table without one is a bug. */
function emptySentence(table: ReportTable): string | null {
  if (table.rows.length > 0) return null;
  if (table.empty === undefined) throw new Error(`a report table (${table.columns.join(', ')}) has no rows and no sentence saying why`);
  return table.empty;
}

function arqueroTable(table: ReportTable) {
  return from(table.rows.map((row) => Object.fromEntries(table.columns.map((column) => [column, row[column] ?? '']))));
}

export function tableToMarkdown(table: ReportTable): string {
  return emptySentence(table) ?? arqueroTable(table).toMarkdown().trimEnd();
}

export function tableToHtml(table: ReportTable): string {
  const empty = emptySentence(table);
  if (empty !== null) return `<p class="empty">${empty.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`;
  return arqueroTable(table).toHTML();
}

/**
 * Pivots long rows (one per row key and column key) into a wide table with Arquero: one row per `rowKey`, one
 * column per distinct `columnKey` in first-seen order, cells from `value` ("–" where a combination is missing).
 */
export function pivotTable<Row extends Record<string, unknown>>(
  rows: readonly Row[],
  rowKey: keyof Row & string,
  columnKey: keyof Row & string,
  value: keyof Row & string,
  rowTitle: string,
  orderRows: (left: string, right: string) => number = (left, right) => left.localeCompare(right),
): ReportTable {
  const columns = [...new Set(rows.map((row) => String(row[columnKey])))];
  const wide = from(rows.map((row) => ({ row: String(row[rowKey]), column: String(row[columnKey]), value: String(row[value]) })))
    .groupby('row')
    .pivot('column', { value: (d: { value: string }) => op.any(d.value) })
    .objects() as Array<Record<string, string | undefined>>;
  wide.sort((left, right) => orderRows(left['row']!, right['row']!));
  return {
    columns: [rowTitle, ...columns],
    rows: wide.map((entry) => ({
      [rowTitle]: entry['row']!,
      ...Object.fromEntries(columns.map((column) => [column, entry[column] ?? '–'])),
    })),
  };
}
