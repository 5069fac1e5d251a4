import { resolve } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { readJsonLines, writeJsonLines } from '@confide/data';
import { ANSWER_MODES, AnswerPairLine, createMathGrader, gradePairs, type AnswerMode, type FoundAnswer } from '@confide/evaluator-math';
import type { Command } from 'commander';
import { topLevelCommand } from '../command-table.js';

interface GradeOptions {
  pairs: string;
  out?: string;
  extract?: boolean;
  goldMode: string;
  predMode: string;
  timeoutMs: string;
  workers: string;
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1) throw new InvalidConfigError(`${flag}: "${value}" is not a positive whole number`);
  return number;
}

function answerMode(flag: string, value: string): AnswerMode {
  if (!(ANSWER_MODES as readonly string[]).includes(value)) throw new InvalidConfigError(`${flag}: "${value}" is not one of ${ANSWER_MODES.join(', ')}`);
  return value as AnswerMode;
}

function side(found: FoundAnswer | null): { answer: string | null; rule: string | null; fallback: boolean } {
  return { answer: found?.answer ?? null, rule: found?.rule ?? null, fallback: found?.fallback ?? false };
}

/**
 * `confide grade --pairs FILE.jsonl`: grades {id, gold, pred} lines with core/math, in input order. Each side may be
 * a bare answer, delimited LaTeX or a whole response; the verdict names the rule that found the answer on each side.
 */
export function registerGradeCommand(program: Command): void {
  topLevelCommand(program, 'grade')
    .requiredOption('--pairs <file>', 'JSON Lines file (optionally .gz) of {"id", "gold", "pred"}; each side a bare answer, delimited LaTeX or a whole response')
    .option('--out <file>', 'write the verdicts here (JSON Lines) instead of stdout')
    .option('--gold-mode <mode>', `how "gold" is read: ${ANSWER_MODES.join(' | ')}`, 'auto')
    .option('--pred-mode <mode>', `how "pred" is read: ${ANSWER_MODES.join(' | ')}`, 'auto')
    .option('--extract', 'the same as --pred-mode response: "pred" is a model response, never taken whole')
    .option('--timeout-ms <ms>', 'time budget per comparison', '2000')
    .option('--workers <count>', 'worker threads for heavy comparisons', '1')
    .action(async (options: GradeOptions) => {
      const path = resolve(options.pairs);
      const goldMode = answerMode('--gold-mode', options.goldMode);
      const predictionMode = options.extract ? 'response' : answerMode('--pred-mode', options.predMode);
      const lines = readJsonLines(path, AnswerPairLine);
      const grader = createMathGrader({
        timeoutMs: positiveInteger('--timeout-ms', options.timeoutMs),
        workers: positiveInteger('--workers', options.workers),
        goldMode,
        predictionMode,
      });
      try {
        const verdicts = await gradePairs(lines, grader, (done, total) => {
          if (total >= 1000 && (done % 1000 === 0 || done === total)) process.stderr.write(`grade: ${done}/${total}\n`);
        });
        const rows = lines.map((line, index) => {
          const verdict = verdicts[index]!;
          return {
            id: line.id,
            equivalent: verdict.equivalent,
            reason: verdict.reason,
            ms: Math.round(verdict.ms * 1000) / 1000,
            found: { gold: side(verdict.found.gold), pred: side(verdict.found.prediction) },
          };
        });
        if (options.out === undefined) {
          for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
        } else {
          writeJsonLines(resolve(options.out), rows);
          const equivalent = rows.filter((row) => row.equivalent).length;
          process.stderr.write(`grade: ${equivalent}/${rows.length} equivalent; verdicts in ${options.out}\n`);
        }
      } finally {
        await grader.close();
      }
    });
}
