import { join, relative, resolve } from 'node:path';
import { InvalidConfigError, SEED_PRICES_2025_11, type FoundAnswerSide } from '@confide/core';
import { checkReportOutFolder, writeReportFolder } from '@confide/data';
import { resolveViewSource, withEvaluatorGrades, type ViewOptions } from '@confide/experiments';
import { buildViewData, SELF_CONTAINED_PROBLEM_LIMIT, serveView, serveViewAsColumns, viewProblemCount, writeViewBundle, type ServedView, type ViewExplanation } from '@confide/viewer';
import { Option, type Command } from 'commander';
import { registryForTarget } from '../options/plugin-modules.js';
import { topLevelCommand } from '../command-table.js';
import { addEvaluatorFlags, DEFAULT_EVALUATOR, evaluatorChoice, type EvaluatorFlags } from '../options/evaluator-choice.js';

/** core/math's time budget per comparison for a whole run. */
const RUN_TIMEOUT_MS = 10_000;

/** The command's flags: what `resolveViewSource` reads, and where the bundle goes. */
interface ViewCommandOptions extends Omit<ViewOptions, 'command' | 'models'>, EvaluatorFlags {
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

/** `--compare-grades` as given, `evaluator` when only `--evaluator` (or its options) is; `recorded` with `--evaluator` is refused. */
function compareGradesOf(options: ViewCommandOptions): ViewOptions['compareGrades'] {
  const evaluatorNamed = options.evaluator !== undefined || options.evaluatorOptions !== undefined;
  if (!evaluatorNamed) return options.compareGrades;
  if (options.compareGrades === 'recorded') throw new InvalidConfigError('--compare-grades recorded keeps the recorded verdicts: --evaluator and --evaluator-options apply to --compare-grades evaluator');
  if (options.compareGrades === 'math' && options.evaluator !== undefined && options.evaluator !== DEFAULT_EVALUATOR) {
    throw new InvalidConfigError(`--compare-grades math is ${DEFAULT_EVALUATOR}'s verdicts, and --evaluator names ${options.evaluator}: give --compare-grades evaluator`);
  }
  return options.compareGrades ?? 'evaluator';
}

/**
 * `confide view <run | experiment>`: a self-contained page (works from file://, offline) to explore a run problem by
 * problem, move a threshold, and compare with another run or grader; `--serve` serves it on 127.0.0.1. Beyond
 * `SELF_CONTAINED_PROBLEM_LIMIT` problems there is no page file: the command refuses without `--serve`, and with it
 * serves the problems as columns (`serveViewAsColumns`).
 */
export function registerViewCommand(program: Command): void {
  const command = topLevelCommand(program, 'view')
    .argument('<target>', 'a run (bundled id or run directory), or an ablation experiment folder (its small/large pair, or its "models")')
    .option('--model <[label=]run>', 'another run to view beside the target as one of K models (repeat it; the target may be written label=run too): every answer per problem, each model\'s mean score and cost, the threshold for any (keep, escalate-to) pair, the compare view for any two', (value: string, previous: string[] = []) => [...previous, value])
    .option('--large <run>', 'a large run to delegate to: adds the threshold view (an ablation experiment brings its own)')
    .option('--router <entry>', "an ablation's router entry whose score the threshold moves (default: its first sweepable one; a learned router's cross-fitted probability too)")
    .option('--score <score>', 'the score the threshold reads: p-confident, confidence-token, or a record field such as generation.usage.output')
    .addOption(new Option('--direction <direction>', 'keep-high (confidences) or keep-low (lengths)').choices(['keep-high', 'keep-low']))
    .option('--compare <run>', 'a run of the same problems to compare with')
    .addOption(
      new Option('--compare-grades <grades>', "verdicts of the compared side: recorded, or the evaluator's on the full responses (evaluator; math: core/math's), the run itself when --compare is absent").choices(['recorded', 'evaluator', 'math']),
    )
    .option('--compare-regrade <folder>', 'a confide regrade --evaluator report folder: compare the run with that evaluator\'s verdicts (search core/model-verifier to keep the verifier\'s flips)');
  addEvaluatorFlags(command, "grades the compared side's full responses (implies --compare-grades evaluator; the page's own reading of each response is core/math's)")
    .option('--dataset <dataset>', "where the questions come from (default: the run's dataset)")
    .option('--price-table <id|file>', "prices for costs (default: the run's or experiment's)")
    .option('--out <folder>', 'bundle folder (default: confide-view/<target>)')
    .option('--serve', 'serve the bundle on 127.0.0.1 and print its URL (Ctrl-C stops); beyond 50,000 problems, which one page does not hold, the problems are served as columns the page reads')
    .option('--port <port>', 'port for --serve (0: any free port)', '0')
    .action(async (target: string, options: ViewCommandOptions) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65_535) throw new InvalidConfigError(`--port: "${options.port}" is not a port number`);
      const started = performance.now();
      const folder = resolve(options.out ?? defaultFolder(target));
      checkReportOutFolder(folder, 'view');
      const { registry } = await registryForTarget(target, options);
      // the server of a run too large for one page (`--serve` beyond the limit)
      let columnsServer: ServedView | null = null;
      const compareGrades = compareGradesOf(options);
      const choice = evaluatorChoice(options, registry, { math: { defaults: { timeoutMs: RUN_TIMEOUT_MS } } });
      // prices matter only to an evaluator that pays for calls, which view lends no clients
      const context = { priceTable: SEED_PRICES_2025_11 };
      const evaluator = registry.create('evaluator', choice.id, choice.options, context).instance;
      // the page's reading of each response (the answer found on each side) is core/math's, as its column says
      const reader = choice.id === DEFAULT_EVALUATOR ? evaluator : registry.create('evaluator', DEFAULT_EVALUATOR, { timeoutMs: RUN_TIMEOUT_MS }, context).instance;
      try {
        const source = await resolveViewSource(
          target,
          {
            ...options,
            ...(compareGrades ? { compareGrades } : {}),
            ...(options.model ? { models: options.model } : {}),
            command: ['confide', 'view', ...process.argv.slice(process.argv.indexOf('view') + 1)].join(' '),
          },
          registry,
          { id: choice.id, grade: (records) => withEvaluatorGrades(records, evaluator, { reads: 'response', concurrency: 16 }) },
          (message) => console.error(message),
        );
        const gradeResponse = async (gold: string, response: string) => {
          const verdict = await reader.grade({ gold, response });
          const side = (found: FoundAnswerSide | null | undefined) => found && { answer: found.answer, rule: found.rule };
          const prediction = verdict.found?.prediction;
          return {
            correct: verdict.correct,
            reason: verdict.decision ?? verdict.reason ?? '',
            gold: side(verdict.found?.gold) ?? null,
            prediction: prediction ? { answer: prediction.answer, rule: `${prediction.rule}${prediction.fallback ? ' (fallback)' : ''}` } : null,
            explanation: explanationOf(verdict),
          };
        };
        // beyond one page's limit the data is served as columns: refused without --serve, before any grading
        const problemCount = viewProblemCount(source);
        const asColumns = problemCount > SELF_CONTAINED_PROBLEM_LIMIT;
        if (asColumns && !options.serve) {
          throw new InvalidConfigError(`view: ${problemCount} problems are more than one self-contained page holds (${SELF_CONTAINED_PROBLEM_LIMIT}): give --serve to serve them as columns on 127.0.0.1`);
        }
        const data = await buildViewData(source, gradeResponse, (done, total) => {
          if (done === total || done % Math.max(2000, Math.ceil(total / 10)) === 0) process.stderr.write(`view: core/math read ${done}/${total} responses\n`);
        });
        const onBuild = (where: string) => console.error(`view: the built page is missing or older than its sources; building it into ${where} (once for these sources; \`npm run build\` builds it into the checkout)…`);
        if (asColumns) {
          columnsServer = await serveViewAsColumns(data, port, (step) => console.error(`view: ${step}`), onBuild);
          console.error(`view: ${problemCount} problems served as columns (more than ${SELF_CONTAINED_PROBLEM_LIMIT}; nothing written), ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        } else {
          const bundle = await writeReportFolder(folder, 'view', async (staging) => {
            const written = await writeViewBundle(data, staging, onBuild);
            return { ...written, file: join(folder, relative(staging, written.file)) };
          });
          console.error(`view: ${data.problems.length} problems; bundle ${size(bundle.bytes)} (page ${size(bundle.pageBytes)}, data ${size(bundle.dataBytes)}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
          console.log(bundle.file);
        }
      } finally {
        await evaluator.close();
        if (reader !== evaluator) await reader.close();
      }
      if (options.serve) {
        const served = columnsServer ?? (await serveView(folder, port));
        console.log(`view: serving ${columnsServer ? 'the problems as columns' : folder} at ${served.url} (Ctrl-C stops)`);
        await new Promise<void>((done) => {
          const stop = () => void served.close().then(done);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }
    });
}

/**
 * core/math's `explain` on a verdict (read by shape: the evaluator interface does not declare it), as the viewer shows
 * it: each side parsed with its kind where it parsed, else normalised, else as found; null for an evaluator that does
 * not explain itself.
 */
function explanationOf(verdict: object): ViewExplanation | null {
  const explain = (verdict as { explain?: unknown }).explain;
  if (typeof explain !== 'object' || explain === null) return null;
  const { gold, prediction, reading, decision } = explain as {
    gold?: { found: string | null; normalized: string | null; parsed: string | null };
    prediction?: { found: string | null; normalized: string | null; parsed: string | null };
    reading?: { reason: string; gold: string; prediction: string } | null;
    decision?: string;
  };
  if (typeof decision !== 'string') return null;
  const side = (value: typeof gold) => (value === undefined ? null : (value.parsed ?? value.normalized ?? value.found));
  return {
    gold: side(gold),
    prediction: side(prediction),
    reading: reading ? `${reading.reason}: ${reading.gold} and ${reading.prediction}` : null,
    decision,
  };
}
