import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';
import { AblationSummary } from './ablation-summary.js';
import { markdownTables, tableNumbersMissingFromSummary } from './testing/report-numbers.js';

/** Texts of the report whose numbers name a metric, not a result. */
const DEFINITIONS = ['CPT(50%)', 'CPT(80%)'];

// The ablation reports committed under reports/: the pair (MATH-500, and a CSV/JSONL dataset) and the six models.
describe.each(['ablation-math500', 'ablation-math500-models', 'byo-arithmetic'])('the committed report reports/%s', (name) => {
  const folder = join(workspaceRoot(), 'reports', name);
  const markdown = readFileSync(join(folder, 'report.md'), 'utf8');

  it('has a summary.json its schema reads', () => {
    expect(AblationSummary.safeParse(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'))).error).toBeUndefined();
  });

  it('prints no number in a table that its summary.json lacks', () => {
    const summary = AblationSummary.parse(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')));
    expect(markdownTables(markdown).length).toBeGreaterThan(0);
    expect(tableNumbersMissingFromSummary(markdown, summary, DEFINITIONS)).toEqual([]);
  });
});
