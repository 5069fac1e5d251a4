import { resolve } from 'node:path';
import { InvalidConfigError, SEED_PRICES_2025_11, type FoundAnswerSide } from '@confide/core';
import { readJsonLines, writeJsonLines } from '@confide/data';
import { ANSWER_MODES, AnswerPairLine, explanationOf, type AnswerMode } from '@confide/evaluator-math';
import { runWorkerPool } from '@confide/experiments';
import type { Command } from 'commander';
import { topLevelCommand } from '../command-table.js';
import { addEvaluatorFlags, DEFAULT_EVALUATOR, evaluatorChoice, type EvaluatorFlags } from '../options/evaluator-choice.js';
import { registryWithPlugins } from '../options/plugin-modules.js';

interface GradeOptions extends EvaluatorFlags {
  pairs: string;
  out?: string;
  extract?: boolean;
  goldMode?: string;
  predMode?: string;
  timeoutMs?: string;
  workers?: string;
  explain?: boolean;
}

/** Pairs graded at once: enough to keep core/math's worker threads busy. */
const CONCURRENCY = 16;

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1) throw new InvalidConfigError(`${flag}: "${value}" is not a positive whole number`);
  return number;
}

function answerMode(flag: string, value: string): AnswerMode {
  if (!(ANSWER_MODES as readonly string[]).includes(value)) throw new InvalidConfigError(`${flag}: "${value}" is not one of ${ANSWER_MODES.join(', ')}`);
  return value as AnswerMode;
}

/** The core/math options the command's own flags set, as given (none: the evaluator's defaults). */
function mathFlags(options: GradeOptions): Array<{ flag: string; key: string; value: unknown }> {
  const flags: Array<{ flag: string; key: string; value: unknown }> = [];
  if (options.goldMode !== undefined) flags.push({ flag: '--gold-mode', key: 'goldMode', value: answerMode('--gold-mode', options.goldMode) });
  if (options.extract) flags.push({ flag: '--extract', key: 'predictionMode', value: 'response' });
  else if (options.predMode !== undefined) flags.push({ flag: '--pred-mode', key: 'predictionMode', value: answerMode('--pred-mode', options.predMode) });
  if (options.timeoutMs !== undefined) flags.push({ flag: '--timeout-ms', key: 'timeoutMs', value: positiveInteger('--timeout-ms', options.timeoutMs) });
  if (options.workers !== undefined) flags.push({ flag: '--workers', key: 'workers', value: positiveInteger('--workers', options.workers) });
  return flags;
}

function side(found: FoundAnswerSide | null | undefined): { answer: string | null; rule: string | null; fallback: boolean } {
  return { answer: found?.answer ?? null, rule: found?.rule ?? null, fallback: found?.fallback ?? false };
}

/**
 * `confide grade --pairs FILE.jsonl`: grades {id, gold, pred[, question]} lines with an evaluator (`--evaluator`,
 * default core/math), in input order. For core/math each side may be a bare answer, delimited LaTeX or a whole
 * response; the verdict names the rule that found the answer on each side and the rule that decided, and with
 * `--explain` both sides as found, normalised and parsed (`explain`).
 */
export function registerGradeCommand(program: Command): void {
  const command = topLevelCommand(program, 'grade')
    .requiredOption('--pairs <file>', 'JSON Lines file (optionally .gz) of {"id", "gold", "pred", "question"?}; each side a bare answer, delimited LaTeX or a whole response; the question, when given, orders labelled values (a = 4, b = 7)')
    .option('--out <file>', 'write the verdicts here (JSON Lines) instead of stdout');
  addEvaluatorFlags(command, 'grades each pair')
    .option('--gold-mode <mode>', `core/math: how "gold" is read: ${ANSWER_MODES.join(' | ')} (default auto)`)
    .option('--pred-mode <mode>', `core/math: how "pred" is read: ${ANSWER_MODES.join(' | ')} (default auto)`)
    .option('--extract', 'core/math: the same as --pred-mode response: "pred" is a model response, never taken whole')
    .option('--timeout-ms <ms>', "core/math: time budget per comparison (default the evaluator's, 2000)")
    .option('--workers <count>', 'core/math: worker threads for heavy comparisons (default 1)')
    .option('--explain', 'core/math: add "explain" to each verdict: both sides as found, normalised and parsed, and the rule that decided')
    .action(async (options: GradeOptions) => {
      const path = resolve(options.pairs);
      const { registry } = await registryWithPlugins(options);
      const choice = evaluatorChoice(options, registry, { math: { flags: mathFlags(options) } });
      if (options.explain && choice.id !== DEFAULT_EVALUATOR) throw new InvalidConfigError(`--explain: ${DEFAULT_EVALUATOR} explains its verdicts; ${choice.id} does not`);
      const lines = readJsonLines(path, AnswerPairLine);
      // a pairs file names no run: prices only matter to an evaluator that pays for calls, which grade lends none
      const evaluator = registry.create('evaluator', choice.id, choice.options, { priceTable: SEED_PRICES_2025_11 }).instance;
      try {
        let done = 0;
        // ms: from asking to the verdict (a comparison waiting for a worker thread waits inside it)
        const rows = await runWorkerPool(lines, CONCURRENCY, async (line) => {
          const started = performance.now();
          const verdict = await evaluator.grade({ gold: line.gold, response: line.pred ?? '', ...(line.question === undefined ? {} : { question: line.question }) });
          const ms = performance.now() - started;
          done += 1;
          if (lines.length >= 1000 && (done % 1000 === 0 || done === lines.length)) process.stderr.write(`grade: ${done}/${lines.length}\n`);
          return {
            id: line.id,
            equivalent: verdict.correct,
            reason: verdict.decision ?? verdict.reason ?? '',
            ms: Math.round(ms * 1000) / 1000,
            ...(verdict.found ? { found: { gold: side(verdict.found.gold), pred: side(verdict.found.prediction) } } : {}),
            ...(options.explain ? { explain: explanationOf(verdict) } : {}),
            evaluator: verdict.evaluator,
          };
        });
        if (options.out === undefined) {
          for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
        } else {
          writeJsonLines(resolve(options.out), rows);
          const equivalent = rows.filter((row) => row.equivalent).length;
          process.stderr.write(`grade: ${equivalent}/${rows.length} equivalent (${choice.id}); verdicts in ${options.out}\n`);
        }
      } finally {
        await evaluator.close();
      }
    });
}
