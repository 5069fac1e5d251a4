import { resolve } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { RunStore, writeJsonLines } from '@confide/data';
import { createMathGrader, regradeRecords } from '@confide/evaluator-math';
import type { Command } from 'commander';
import { topLevelCommand } from '../command-table.js';

interface RegradeOptions {
  run: string;
  out?: string;
  extract?: boolean;
  timeoutMs: string;
}

/** `confide regrade --run <run id | run path>`: grades a run again with core/math and writes the verdicts that flip. */
export function registerRegradeCommand(program: Command): void {
  topLevelCommand(program, 'regrade')
    .requiredOption('--run <run>', 'a bundled run id (see confide data list) or a path to a run directory')
    .option('--out <file>', 'write the flips here (JSON Lines) instead of stdout')
    .option('--extract', 'grade the full responses (core/math finds the answer in each) instead of the recorded extracted answers')
    .option('--timeout-ms <ms>', 'time budget per comparison', '10000')
    .action(async (options: RegradeOptions) => {
      const timeoutMs = Number(options.timeoutMs);
      if (!/^\d+$/.test(options.timeoutMs) || timeoutMs < 1) throw new InvalidConfigError(`--timeout-ms: "${options.timeoutMs}" is not a positive whole number`);
      const run = new RunStore().load(options.run);
      const grader = createMathGrader({ timeoutMs });
      try {
        const regraded = await regradeRecords(run.records, grader, { extract: options.extract === true });
        const flips = regraded
          .filter((record) => record.recorded !== record.regraded)
          .map(({ problemId, sourceId, gold, answer, recorded, regraded: now, reason }) => ({ problemId, sourceId, gold, answer, recorded, regraded: now, reason }));
        const recordedCorrect = regraded.filter((record) => record.recorded).length;
        const regradedCorrect = regraded.filter((record) => record.regraded).length;
        const toCorrect = flips.filter((flip) => flip.regraded).length;
        if (options.out === undefined) {
          for (const flip of flips) process.stdout.write(`${JSON.stringify(flip)}\n`);
        } else {
          writeJsonLines(resolve(options.out), flips);
        }
        process.stderr.write(
          `regrade ${options.run}: recorded ${recordedCorrect}/${regraded.length}, regraded ${regradedCorrect}/${regraded.length}; ` +
            `${flips.length} flips (${toCorrect} to correct, ${flips.length - toCorrect} to wrong)${options.out ? ` in ${options.out}` : ''}\n`,
        );
      } finally {
        await grader.close();
      }
    });
}
