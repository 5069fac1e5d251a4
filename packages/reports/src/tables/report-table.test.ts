import { describe, expect, it } from 'vitest';
import { pivotTable, tableToHtml, tableToMarkdown } from './report-table.js';

describe('report tables', () => {
  it('pivots long rows into one column per key, in first-seen order, with a dash for gaps', () => {
    const rows = [
      { subject: 'Geometry', run: 'SLM', cell: '46.3' },
      { subject: 'Algebra', run: 'SLM', cell: '86.3' },
      { subject: 'Algebra', run: 'LLM', cell: '96.0' },
    ];
    expect(pivotTable(rows, 'subject', 'run', 'cell', 'subject')).toEqual({
      columns: ['subject', 'SLM', 'LLM'],
      rows: [
        { subject: 'Algebra', SLM: '86.3', LLM: '96.0' },
        { subject: 'Geometry', SLM: '46.3', LLM: '–' },
      ],
    });
  });

  it('escapes confidence tokens in Markdown and HTML', () => {
    const table = { columns: ['token', 'n'], rows: [{ token: '<|c_math|>', n: '345' }] };
    expect(tableToMarkdown(table)).toContain('<\\|c_math\\|>');
    expect(tableToHtml(table)).toContain('&lt;|c_math|&gt;');
  });
});

describe('a table with nothing to show', () => {
  it('prints the sentence saying why instead of an empty table, in markdown and HTML', () => {
    const table = { columns: ['compared', 'p-value'], rows: [], empty: 'No paired comparison: the experiment names none.' };
    expect(tableToMarkdown(table)).toBe('No paired comparison: the experiment names none.');
    expect(tableToHtml(table)).toBe('<p class="empty">No paired comparison: the experiment names none.</p>');
  });

  it('is refused when it does not say why', () => {
    expect(() => tableToMarkdown({ columns: ['compared'], rows: [] })).toThrow(/has no rows and no sentence saying why/);
  });
});
