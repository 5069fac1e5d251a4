import { join } from 'node:path';
import { writeFileAtomic } from '@confide/data';
import type { CalibrationBin, IntervalEstimate, ScoreCalibrator } from '@confide/metrics';
import { reliabilityChart, renderChart, tableToMarkdown, type ReportTable } from '@confide/reports';
import type { CalibrationSummary } from './calibrate-run.js';

const FIGURES = [
  ['eceEqualWidth', 'ECE, equal-width bins'],
  ['eceEqualMass', 'ECE, equal-mass bins'],
  ['brier', 'Brier'],
  ['auroc', 'AUROC'],
] as const;

function formatEstimate(value: IntervalEstimate | null): string {
  if (value === null) return '–';
  return `${value.estimate.toFixed(3)} [${value.lower.toFixed(3)}, ${value.upper.toFixed(3)}]`;
}

/** The before/after table: each figure with its interval, before, after and the paired change. */
export function calibrationTable(summary: CalibrationSummary): ReportTable {
  const { confidence } = summary.settings;
  const percent = `${Math.round(confidence * 100)}%`;
  return {
    columns: ['figure', `before (${percent})`, `after (${percent})`, `after − before (${percent})`],
    rows: FIGURES.map(([key, name]) => ({
      figure: name,
      [`before (${percent})`]: formatEstimate(summary.before[key]),
      [`after (${percent})`]: formatEstimate(summary.after[key]),
      [`after − before (${percent})`]: formatEstimate(summary.change[key]),
    })),
  };
}

/** One sentence of every setting the figures depend on. */
export function calibrationSettingsSentence(summary: CalibrationSummary): string {
  const { settings } = summary;
  const methodPart =
    settings.method === 'isotonic'
      ? `isotonic regression (pool-adjacent-violators; read ${settings.interpolation === 'step' ? 'stepwise: a score between fitted blocks gets the block below' : 'linearly between fitted blocks'})`
      : settings.method === 'platt'
        ? `Platt scaling (logistic fit, ${settings.targets === 'platt' ? "Platt's smoothed targets" : 'plain verdicts'})`
        : `temperature scaling (one T on ${settings.input === 'probability' ? 'the logit of the score' : 'the score as a logit'})`;
  return (
    `${methodPart}, cross-fitted: ${settings.folds} folds by problem id (seed ${settings.seed}), each answer scored by a calibrator fitted on the other folds; ` +
    `ECE over ${settings.bins} bins; ${Math.round(settings.confidence * 100)}% percentile intervals from ${settings.resamples.toLocaleString('en-US')} paired-bootstrap resamples ` +
    `(seed ${settings.bootstrapSeed}), ${settings.refit ? "every fold's calibrator fitted again on each resample" : 'the fitted probabilities held fixed'}`
  );
}

/** What the fold calibrators came out as, in one line. */
function calibratorsSentence(calibrators: ReadonlyArray<ScoreCalibrator | null>): string {
  const described = calibrators.map((calibrator, fold) => {
    if (calibrator === null) return `fold ${fold}: none`;
    switch (calibrator.method) {
      case 'isotonic':
        return `fold ${fold}: ${calibrator.fit.blocks.length} blocks`;
      case 'platt':
        return `fold ${fold}: σ(${calibrator.fit.slope.toPrecision(4)}·s ${calibrator.fit.intercept < 0 ? '−' : '+'} ${Math.abs(calibrator.fit.intercept).toPrecision(4)})`;
      case 'temperature':
        return `fold ${fold}: T = ${calibrator.fit.temperature.toPrecision(4)}`;
    }
  });
  return described.join('; ');
}

export function calibrationHeadline(summary: CalibrationSummary): string {
  const { run, score } = summary;
  return (
    `${run.reference}: score ${score.id} (${score.direction}${score.calibratedOn === 'the negated score' ? ', calibrated on its negation' : ''}), ` +
    `${score.scored} of ${run.records} answers scored, accuracy ${(summary.accuracy * 100).toFixed(1)}%`
  );
}

function notes(summary: CalibrationSummary): string[] {
  const lines: string[] = [];
  if (summary.run.pipelineCheck !== null) lines.push(`Pipeline check, not a result: ${summary.run.pipelineCheck}.`);
  if (summary.score.unscored !== null) lines.push(`${summary.score.unscored.count} answers have no score and are left out: ${summary.score.unscored.reason}.`);
  if (summary.before.eceEqualWidth === null) lines.push('The score as given is not a probability in [0, 1]: it has no ECE or Brier before calibration (AUROC only).');
  return lines;
}

/** The reliability diagram's points: equal-width bins of the score before (when a probability) and after. */
function reliabilityBins(summary: CalibrationSummary) {
  const label = (name: string, bins: readonly CalibrationBin[]) => bins.map((bin) => ({ score: name, meanScore: bin.meanScore, accuracy: bin.accuracy, count: bin.count }));
  return [
    ...(summary.before.reliability ? label('before', summary.before.reliability.equalWidth) : []),
    ...label(`after (${summary.settings.method})`, summary.after.reliability!.equalWidth),
  ];
}

/** Writes summary.json, report.md and the reliability diagram (reliability.svg, .png, .vl.json) into `folder`. */
export async function writeCalibrationReport(folder: string, summary: CalibrationSummary): Promise<string[]> {
  const spec = reliabilityChart(reliabilityBins(summary), `Reliability before and after ${summary.settings.method} (${summary.settings.bins} equal-width bins)`);
  const rendered = await renderChart(spec);
  const report = [
    `# Recalibration: ${summary.run.reference}, ${summary.score.id}`,
    '',
    `${calibrationHeadline(summary)}.`,
    '',
    `Method: ${calibrationSettingsSentence(summary)}.`,
    '',
    ...notes(summary).flatMap((line) => [line, '']),
    tableToMarkdown(calibrationTable(summary)),
    '',
    'ECE, Brier and AUROC read the binary verdict (`grade.correct`); a lower ECE or Brier is better, a higher AUROC. AUROC can ' +
      'change even under a monotone calibrator: each fold has its own, so equal scores in different folds get different probabilities.',
    '',
    '![Reliability diagram](reliability.png)',
    '',
    `Fold calibrators: ${calibratorsSentence(summary.calibrators)}.`,
    '',
  ].join('\n');
  const files: Array<[string, string | Uint8Array]> = [
    ['summary.json', `${JSON.stringify(summary, null, 2)}\n`],
    ['report.md', report],
    ['reliability.svg', rendered.svg],
    ['reliability.png', rendered.png],
    ['reliability.vl.json', `${JSON.stringify(spec, null, 2)}\n`],
  ];
  for (const [name, content] of files) writeFileAtomic(join(folder, name), content);
  return files.map(([name]) => name);
}
