import { join, relative, resolve } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { createMathGrader, withMathGrades } from '@confide/evaluator-math';
import { checkReportOutFolder, writeReportFolder } from '@confide/data';
import { resolveViewSource, type ViewOptions } from '@confide/experiments';
import { buildViewData, serveView, writeViewBundle } from '@confide/viewer';
import { Option, type Command } from 'commander';
import { createPluginRegistry } from '../plugin-registry.js';
import { topLevelCommand } from '../command-table.js';

/** The command's flags: what `resolveViewSource` reads, and where the bundle goes. */
interface ViewCommandOptions extends Omit<ViewOptions, 'command' | 'models'> {
  /** `--model`, repeated: the runs viewed beside the target as K models. */
  model?: string[];
  out?: string;
  serve?: boolean;
  port: string;
}

/** The folder a bundle goes to by default: `confide-view/<name>` in the current folder. */
function defaultFolder(target: string): string {
  const name = target.replace(/[\\/]+$/, '').split(/[\\/]/).filter((part) => part !== '' && part !== '.' && part !== '..').join('-') || 'run';
  return resolve('confide-view', name);
}

/** Size in kB or MB. */
function size(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1000)} kB`;
}

/**
 * `confide view <run | experiment>`: a self-contained page (works from file://, offline) to explore a run problem by
 * problem, move a threshold, and compare with another run or grader; `--serve` serves it on 127.0.0.1.
 */
export function registerViewCommand(program: Command): void {
  topLevelCommand(program, 'view')
    .argument('<target>', 'a run (bundled id or run directory), or an ablation experiment folder (its small/large pair, or its "models")')
    .option('--model <[label=]run>', 'another run to view beside the target as one of K models (repeat it; the target may be written label=run too): every answer per problem, each model\'s mean score and cost, the threshold for any (keep, escalate-to) pair, the compare view for any two', (value: string, previous: string[] = []) => [...previous, value])
    .option('--large <run>', 'a large run to delegate to: adds the threshold view (an ablation experiment brings its own)')
    .option('--router <entry>', "an ablation's router entry whose score the threshold moves (default: its first sweepable one; a learned router's cross-fitted probability too)")
    .option('--score <score>', 'the score the threshold reads: p-confident, confidence-token, or a record field such as generation.usage.output')
    .addOption(new Option('--direction <direction>', 'keep-high (confidences) or keep-low (lengths)').choices(['keep-high', 'keep-low']))
    .option('--compare <run>', 'a run of the same problems to compare with')
    .addOption(new Option('--compare-grades <grades>', 'verdicts of the compared side; math = core/math on the full responses (the run itself when --compare is absent)').choices(['recorded', 'math']))
    .option('--compare-regrade <folder>', 'a confide regrade --evaluator report folder: compare the run with that evaluator\'s verdicts (search core/model-verifier to keep the verifier\'s flips)')
    .option('--dataset <dataset>', "where the questions come from (default: the run's dataset)")
    .option('--price-table <id|file>', "prices for costs (default: the run's or experiment's)")
    .option('--out <folder>', 'bundle folder (default: confide-view/<target>)')
    .option('--serve', 'serve the bundle on 127.0.0.1 and print its URL (Ctrl-C stops)')
    .option('--port <port>', 'port for --serve (0: any free port)', '0')
    .action(async (target: string, options: ViewCommandOptions) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65_535) throw new InvalidConfigError(`--port: "${options.port}" is not a port number`);
      const started = performance.now();
      const folder = resolve(options.out ?? defaultFolder(target));
      checkReportOutFolder(folder, 'view');
      const grader = createMathGrader({ timeoutMs: 10_000 });
      try {
        const source = await resolveViewSource(
          target,
          {
            ...options,
            ...(options.model ? { models: options.model } : {}),
            command: ['confide', 'view', ...process.argv.slice(process.argv.indexOf('view') + 1)].join(' '),
          },
          createPluginRegistry(),
          (records) => withMathGrades(records, grader),
          (message) => console.error(message),
        );
        const gradeResponse = async (gold: string, response: string) => {
          const verdict = await grader.grade(gold, response);
          const found = verdict.found;
          return {
            correct: verdict.equivalent,
            reason: verdict.reason,
            gold: found.gold && { answer: found.gold.answer, rule: found.gold.rule },
            prediction: found.prediction && { answer: found.prediction.answer, rule: `${found.prediction.rule}${found.prediction.fallback ? ' (fallback)' : ''}` },
          };
        };
        const data = await buildViewData(source, gradeResponse, (done, total) => {
          if (done === total || done % 2000 === 0) process.stderr.write(`view: core/math read ${done}/${total} responses\n`);
        });
        const bundle = await writeReportFolder(folder, 'view', async (staging) => {
          const written = await writeViewBundle(data, staging, (where) => console.error(`view: the built page is missing or older than its sources; building it into ${where} (once for these sources; \`npm run build\` builds it into the checkout)…`));
          return { ...written, file: join(folder, relative(staging, written.file)) };
        });
        console.error(`view: ${data.problems.length} problems; bundle ${size(bundle.bytes)} (page ${size(bundle.pageBytes)}, data ${size(bundle.dataBytes)}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        console.log(bundle.file);
      } finally {
        await grader.close();
      }
      if (options.serve) {
        const served = await serveView(folder, port);
        console.log(`view: serving ${folder} at ${served.url} (Ctrl-C stops)`);
        await new Promise<void>((done) => {
          const stop = () => void served.close().then(done);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }
    });
}
