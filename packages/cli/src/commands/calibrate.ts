import { resolve } from 'node:path';
import { checkReportOutFolder, RunStore, writeReportFolder } from '@confide/data';
import { CALIBRATION_METHODS, DEFAULT_CROSS_FIT, DEFAULT_RECALIBRATION, type CalibrationMethod } from '@confide/metrics';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { topLevelCommand } from '../command-table.js';
import { parseCount } from '../options/parse-count.js';
import { formatTable } from '../output/format-table.js';
import { calibrationHeadline, calibrationSettingsSentence, calibrationTable, writeCalibrationReport } from './calibrate-report.js';
import { calibrateRun } from './calibrate-run.js';

interface CalibrateOptions {
  score: string;
  direction: 'keep-high' | 'keep-low';
  method: CalibrationMethod;
  folds: number;
  seed: number;
  bins: number;
  resamples: number;
  bootstrapSeed: number;
  out?: string;
  json?: boolean;
}

/**
 * `confide calibrate <run> --score <score>`: maps one run's score to a calibrated probability of the answer being
 * right (isotonic, Platt or temperature scaling, cross-fitted by problem id) and prints ECE (equal-width and
 * equal-mass), Brier and AUROC before and after, with paired-bootstrap intervals; `--out` writes summary.json,
 * report.md and a reliability diagram.
 */
export function registerCalibrateCommand(program: Command): void {
  topLevelCommand(program, 'calibrate')
    .argument('<run>', 'a run (bundled id or run directory)')
    .requiredOption('--score <score>', 'the score to calibrate: p-confident, confidence-token, or a numeric field of a record (e.g. generation.usage.output)')
    .addOption(new Option('--direction <direction>', 'which side of the score keeps the small answer: keep-high (confidences) or keep-low (lengths; calibrated on the negated score)').choices(['keep-high', 'keep-low']).default('keep-high'))
    .addOption(new Option('--method <method>', 'isotonic regression, Platt scaling, or temperature scaling (one T on logits; a probability is read through its logit)').choices([...CALIBRATION_METHODS]).default('isotonic'))
    .option('--folds <count>', 'cross-fitting folds, by problem id (at least 2)', parseCount, DEFAULT_CROSS_FIT.folds)
    .option('--seed <seed>', 'seed of the fold assignment', parseCount, DEFAULT_CROSS_FIT.seed)
    .option('--bins <count>', 'bins of both ECEs and the reliability diagram', parseCount, DEFAULT_RECALIBRATION.bins)
    .option('--resamples <count>', 'paired-bootstrap resamples (at least 10)', parseCount, DEFAULT_RECALIBRATION.resamples)
    .option('--bootstrap-seed <seed>', 'seed of the bootstrap resamples', parseCount, DEFAULT_RECALIBRATION.bootstrapSeed)
    .option('--out <folder>', 'also write summary.json, report.md and reliability.{svg,png,vl.json} to this folder')
    .option('--json', 'print the summary as JSON instead of the table')
    .action(async (reference: string, options: CalibrateOptions) => {
      if (options.folds < 2) throw new InvalidArgumentError(`--folds: at least 2, got ${options.folds}`);
      if (options.bins < 1) throw new InvalidArgumentError(`--bins: at least 1, got ${options.bins}`);
      if (options.resamples < 10) throw new InvalidArgumentError(`--resamples: at least 10, got ${options.resamples}`);
      const outFolder = options.out === undefined ? undefined : resolve(options.out);
      if (outFolder !== undefined) checkReportOutFolder(outFolder, 'calibration');
      const run = new RunStore().load(reference);
      for (const note of run.notes ?? []) console.error(`calibrate: ${reference}: ${note}`);
      const summary = calibrateRun(reference, run, options);
      if (options.json) {
        console.log(JSON.stringify(summary, null, 2));
      } else {
        if (summary.run.pipelineCheck !== null) console.log(`pipeline check, not a result: ${reference}: ${summary.run.pipelineCheck}`);
        console.log(calibrationHeadline(summary));
        console.log(calibrationSettingsSentence(summary));
        if (summary.score.unscored !== null) console.log(`${summary.score.unscored.count} answers have no score, left out: ${summary.score.unscored.reason}`);
        console.log(formatTable(calibrationTable(summary).rows, 80));
      }
      if (outFolder !== undefined) {
        const files = await writeReportFolder(outFolder, 'calibration', (staging) => writeCalibrationReport(staging, summary));
        console.error(`calibrate: wrote ${files.join(', ')} to ${outFolder}`);
      }
    });
}
