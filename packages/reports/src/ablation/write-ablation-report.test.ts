import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AblationSummary } from './ablation-summary.js';
import { ablationResultsFixture } from './testing/ablation-results-fixture.js';
import { markdownTables, printedAs, sectionTextNumbersMissingFromSummary, tableNumbersMissingFromSummary } from './testing/report-numbers.js';
import { writeAblationReport } from './write-ablation-report.js';

/** Texts of the report whose numbers name a metric, not a result. */
const DEFINITIONS = ['CPT(50%)', 'CPT(80%)'];

describe('printedAs', () => {
  it.each([
    ['85.2', 0.8523, true],
    ['85.3', 0.8523, false],
    ['2.48', 2.4812, true],
    ['0.188951', 0.1889514, true],
    ['+6.4', 0.06398, true],
    ['-0.9', -0.00917, true],
    ['3.47e-7', 3.471e-7, true],
    ['3.48e-7', 3.471e-7, false],
    ['204', 204, true],
    ['205', 204, false],
  ])('%s printed for %d: %s', (printed, value, expected) => {
    expect(printedAs(printed, value)).toBe(expected);
  });
});

describe('tableNumbersMissingFromSummary', () => {
  const report = ['# t', '', '|router|accuracy %|', '|:-|:-|', '|qwen-1.5b|85.2|', '|flash|91.3|', ''].join('\n');

  it('reads every table row, header first, without the alignment row', () => {
    expect(markdownTables(report)).toEqual([[['router', 'accuracy %'], ['qwen-1.5b', '85.2'], ['flash', '91.3']]]);
  });

  it('names a printed number the summary lacks, and not the digits of a label it holds', () => {
    expect(tableNumbersMissingFromSummary(report, { routers: [{ label: 'qwen-1.5b', accuracy: 0.8523 }, { label: 'flash', accuracy: 0.9 }] })).toEqual(['table 1, "91.3": 91.3']);
  });
});

describe('sectionTextNumbersMissingFromSummary', () => {
  const report = ['# t', '', '## Targets', '', 'Threshold 0.55 on 20 problems; qwen-1.5b missed in 6.0%.', '', '|a|', '|:-|', '|91.3|', '', '## Other', '', 'Seen 17 times.', ''].join('\n');

  it("names a number of a named section's sentences that the summary lacks, and reads no table and no other section", () => {
    const summary = { threshold: 0.55, size: 20, label: 'qwen-1.5b', rate: 0.06 };
    expect(sectionTextNumbersMissingFromSummary(report, summary, ['Targets'])).toEqual([]);
    expect(sectionTextNumbersMissingFromSummary(report, { ...summary, rate: 0.07 }, ['Targets'])).toEqual(['Targets: 6.0']);
    expect(sectionTextNumbersMissingFromSummary(report, summary, ['Targets', 'Other'])).toEqual(['Other: 17']);
  });
});

describe('the ablation report of a fixture ablation without guarantees', () => {
  it('leaves out the note on choosing a threshold with a guarantee, and says the experiment asks for none', { timeout: 60_000 }, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-ablation-report-'));
    try {
      await writeAblationReport({ ...ablationResultsFixture(), riskControl: [], thresholdTargets: [], offPolicy: null }, folder);
      const markdown = readFileSync(join(folder, 'report.md'), 'utf8');
      expect(markdown).not.toContain('Threshold choice with a guarantee');
      expect(markdown).not.toContain('Method (');
      expect(markdown).toContain('No threshold chosen with a guarantee: the experiment asks for none (key `riskControl`).');
      expect(markdown).not.toContain('## Off-policy estimates');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the ablation report of a fixture ablation certified on a calibrated score', () => {
  it('says the threshold is a calibrated probability and how many problems its calibrator was fitted on, every number from summary.json', { timeout: 60_000 }, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-ablation-report-'));
    try {
      const fixture = ablationResultsFixture();
      const scoreCalibrator = { method: 'isotonic' as const, fittedOn: { size: 17, dataHash: 'a'.repeat(64) } };
      await writeAblationReport(
        {
          ...fixture,
          riskControl: fixture.riskControl.map((entry) => ({ ...entry, scoreCalibrator })),
          thresholdTargets: fixture.thresholdTargets.map((entry) => ({ ...entry, scoreCalibrator })),
        },
        folder,
      );
      const markdown = readFileSync(join(folder, 'report.md'), 'utf8');
      const summary = AblationSummary.parse(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')));
      expect(summary.riskControl[0]!.scoreCalibrator).toEqual(scoreCalibrator);
      expect(markdown).toContain('|0.63 (a calibrated probability: isotonic, its calibrator fitted on 17 other problems)|');
      expect(markdown).toContain('the cheapest threshold for ≥ 80.0% accuracy: threshold 0.55 (a calibrated probability: isotonic, its calibrator fitted on 17 other problems) (certified on 20');
      expect(tableNumbersMissingFromSummary(markdown, summary, DEFINITIONS)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the ablation report of a fixture ablation', () => {
  let folder: string;
  let markdown: string;
  let summary: AblationSummary;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'confide-ablation-report-'));
    await writeAblationReport(ablationResultsFixture(), folder);
    markdown = readFileSync(join(folder, 'report.md'), 'utf8');
    summary = AblationSummary.parse(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')));
  }, 60_000);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('writes summary.json that its schema reads back, at version 2, an undefined figure as null', () => {
    expect(summary.schemaVersion).toBe(2);
    expect(summary.calibration[1]!.auroc).toBeNull();
    expect(summary.leaderboard!.zones).toEqual({ bothRight: 23, onlySmallRight: 2, onlyLargeRight: 13, bothWrong: 3 });
    expect(summary.runs.small).toEqual({ run: 'qwen-1.5b-lora', label: 'qwen 1.5B LoRA' });
  });

  it('prints every table of the pair', () => {
    // routers, comparisons, calibration, fair baselines, κ, guarantee, off-policy, leaderboard, subject, level
    expect(markdownTables(markdown)).toHaveLength(10);
    expect(markdown).toContain('|P(c) threshold|82.0|0.109232|31.0%|71.4|+10.5|+2.1 to +18.9|credited|small (61.0%)|');
    expect(markdown).toContain('Credited: P(c) threshold. Not credited: 0 of 1.');
    expect(markdown).toContain('|P(c) threshold|81.9|0.109232|79.14|91.1%|71.7%|65.8%|8|0|1|1|');
  });

  it('says what each system-level target achieves, every figure from summary.json, and why none is certified where none is', () => {
    expect(summary.thresholdTargets).toHaveLength(2);
    expect(markdown).toContain(
      'For P(c) threshold, the cheapest threshold for ≥ 80.0% accuracy: threshold 0.55 (certified on 20 calibration problems, p = 0.0040); on the 21 held-out problems 85.7% accuracy (90% CI 70.0–100.0%; the large model alone 81.0%) at 60.0% lower cost than the large model alone (90% CI 50.0–70.0%), delegating 33.3%. Over 100 random calibration halves the rule missed its target on the whole set in 2.0% of them (δ = 0.1) and on the held-out half in 6.0%.',
    );
    expect(markdown).toContain('none is certified — out of reach on the calibration half (the small model alone costs $0.000100 per problem); the rule falls back on: delegate none.');
  });

  it('says how each guarantee ran from summary.json (its sequences, thresholds and p-values), not a count fixed in the text', () => {
    expect(markdown).toContain('## Threshold chosen with a guarantee (held-out half)\n\nMethod (P(c) threshold): Learn then Test: 3 fixed sequences (each at δ/3) over 3 thresholds of a fixed grid, exact binomial p-values.\n');
    expect(markdown).toContain("- Threshold choice with a guarantee: Learn then Test (Angelopoulos, Bates, Candès, Jordan, Lei 2021) with fixed-sequence testing over a threshold grid fixed in the config, on a seeded calibration half (each section's method says how many sequences, over how many thresholds, with which p-values)");
    expect(markdown).not.toMatch(/10 starts|δ\/10/);
  });

  it('shows the off-policy estimates, the count of intervals holding the actual figures computed from summary.json', () => {
    expect(summary.offPolicy!.routers).toHaveLength(1);
    expect(markdown).toContain('## Off-policy estimates from an exploration log, beside the actual figures');
    // the SNIPS cost interval (0.002711 to 0.003172) misses the actual $0.002664: 5 of the 6 hold it
    expect(markdown).toContain('The log holds no decision for 3 of the ablation\'s problems; the estimates and the actual figures are on the 41 it holds. Both answers exist for every problem, so each router\'s actual figures are known: 5 of 6 intervals (accuracy and cost, three estimators, 1 router) hold them.');
    expect(markdown).toContain('|P(c) threshold|SNIPS|82.3|73.1 to 90.6|81.9|0.002882|0.002711 to 0.003172|0.002664|27.4|');
  });

  it('names RouterArena\'s constants as the metric computes with them', () => {
    expect(markdown).toContain('C the log-normalised cost per 1,000 problems between $0.0044 and $200, β = 0.1;');
  });

  it('finds every number of every table of report.md in summary.json', () => {
    expect(tableNumbersMissingFromSummary(markdown, summary, DEFINITIONS)).toEqual([]);
  });

  it('finds every number of the sentences of the fair-baseline, target and off-policy sections in summary.json', () => {
    const headings = [
      'Fair baselines: each router against its cost-matched random mix and the best single model at equal cost',
      'Threshold chosen with a guarantee (held-out half)',
      'Thresholds for a target: the routed system\'s accuracy or its mean cost (held-out half)',
      'Off-policy estimates from an exploration log, beside the actual figures',
    ];
    expect(sectionTextNumbersMissingFromSummary(markdown, summary, headings, ['(1 − p)·s_small + p·s_large'])).toEqual([]);
  });

  it('finds the leaderboard\'s numbers missing from a summary without the leaderboard (summary.json before version 2)', () => {
    const { leaderboard: _leaderboard, ...withoutLeaderboard } = summary;
    const missing = tableNumbersMissingFromSummary(markdown, withoutLeaderboard, DEFINITIONS);
    // the arena scores (79.14, 78.31, 80.73) are only in the leaderboard
    expect(missing).toEqual(expect.arrayContaining([expect.stringContaining(': 79.14'), expect.stringContaining(': 78.31'), expect.stringContaining(': 80.73')]));
  });
});
