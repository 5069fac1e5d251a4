import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';
import { AblationSummary } from './ablation-summary.js';
import { markdownTables, sectionTextNumbersMissingFromSummary, tableNumbersMissingFromSummary } from './testing/report-numbers.js';
import { ablationReliabilityChart } from './write-ablation-report.js';

/** Texts of the report whose numbers name a metric, not a result. */
const DEFINITIONS = ['CPT(50%)', 'CPT(80%)', '(1 − p)·s_small + p·s_large'];

/** Issue 28 item 6's sections, each with the summary.json key it is rendered from. */
const ITEM_SIX_SECTIONS = [
  { key: 'recalibration', heading: 'Recalibration: each swept score as a probability of the small answer being right' },
  { key: 'thresholdTargets', heading: 'Thresholds for a target: the routed system\'s accuracy or its mean cost (held-out half)' },
  { key: 'fairBaselines', heading: 'Fair baselines: each router against its cost-matched random mix and the best single model at equal cost' },
  { key: 'offPolicy', heading: 'Off-policy estimates from an exploration log, beside the actual figures' },
] as const;

// The ablation reports committed under reports/: the pair (MATH-500, and a CSV/JSONL dataset) and the six models.
describe.each(['ablation-math500', 'ablation-math500-models', 'byo-arithmetic'])('the committed report reports/%s', (name) => {
  const folder = join(workspaceRoot(), 'reports', name);
  const markdown = readFileSync(join(folder, 'report.md'), 'utf8');

  it('has a summary.json its schema reads', () => {
    expect(AblationSummary.safeParse(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'))).error).toBeUndefined();
  });

  it('has the reliability chart an ablation starts as soon as its calibration is known (ablationReliabilityChart), where a score is a probability', () => {
    const summary = AblationSummary.parse(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')));
    const spec = ablationReliabilityChart(summary.calibration);
    const committed = join(folder, 'reliability.vl.json');
    if (spec === null) expect(summary.calibration.some((entry) => entry.probability !== null)).toBe(false);
    else expect(JSON.parse(JSON.stringify(spec))).toEqual(JSON.parse(readFileSync(committed, 'utf8')));
  });

  it('prints no number in a table that its summary.json lacks', () => {
    const summary = AblationSummary.parse(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')));
    expect(markdownTables(markdown).length).toBeGreaterThan(0);
    expect(tableNumbersMissingFromSummary(markdown, summary, DEFINITIONS)).toEqual([]);
  });

  it('shows each of item 6\'s sections its summary.json carries (recalibration, targets, the cost-matched mix, off-policy), every number of their sentences from it', () => {
    const summary = AblationSummary.parse(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')));
    for (const { key, heading } of ITEM_SIX_SECTIONS) {
      const value = summary[key];
      const carried = Array.isArray(value) ? value.length > 0 : value !== null;
      expect(markdown.includes(`## ${heading}\n`), `${key}: ${carried ? 'in summary.json, not in report.md' : 'in report.md, not in summary.json'}`).toBe(carried);
    }
    expect(sectionTextNumbersMissingFromSummary(markdown, summary, ITEM_SIX_SECTIONS.map((section) => section.heading), DEFINITIONS)).toEqual([]);
  });
});
