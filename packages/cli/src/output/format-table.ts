/** Renders rows as an aligned plain-text table; cells are single-line and cut to `maxWidth` characters. */
export function formatTable(rows: readonly Record<string, unknown>[], maxWidth = 60): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]!);
  const cell = (value: unknown): string => {
    const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    const oneLine = text.replace(/\s+/g, ' ');
    return oneLine.length > maxWidth ? `${oneLine.slice(0, maxWidth - 1)}…` : oneLine;
  };
  const body = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...body.map((line) => line[index]!.length)));
  const render = (line: string[]) => line.map((text, index) => text.padEnd(widths[index]!)).join('  ').trimEnd();
  return [render(columns), render(widths.map((width) => '-'.repeat(width))), ...body.map(render)].join('\n');
}
