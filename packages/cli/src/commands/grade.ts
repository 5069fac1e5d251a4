import { resolve } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { readJsonLines, writeJsonLines } from '@confide/data';
import { AnswerPairLine, createMathGrader, extractAnswer, gradePairs } from '@confide/evaluator-math';
import type { Command } from 'commander';

interface GradeOptions {
  pairs: string;
  out?: string;
  extract?: boolean;
  timeoutMs: string;
  workers: string;
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1) throw new InvalidConfigError(`${flag}: "${value}" is not a positive whole number`);
  return number;
}

/** `confide grade --pairs FILE.jsonl`: grades {id, gold, pred} lines with core/math, in input order. */
export function registerGradeCommand(program: Command): void {
  program
    .command('grade')
    .description('grade answer pairs with core/math: lines {"id","gold","pred"} -> {"id","equivalent","reason","ms"}')
    .requiredOption('--pairs <file>', 'JSON Lines file (optionally .gz) of {"id", "gold", "pred"}')
    .option('--out <file>', 'write the verdicts here (JSON Lines) instead of stdout')
    .option('--extract', '"pred" is a full response: extract its final answer first (the verdict line then has "answer")')
    .option('--timeout-ms <ms>', 'time budget per comparison', '2000')
    .option('--workers <count>', 'worker threads for heavy comparisons', '1')
    .action(async (options: GradeOptions) => {
      const path = resolve(options.pairs);
      const lines = readJsonLines(path, AnswerPairLine);
      const grader = createMathGrader({ timeoutMs: positiveInteger('--timeout-ms', options.timeoutMs), workers: positiveInteger('--workers', options.workers) });
      const answers = lines.map((line) => (options.extract && line.pred !== null ? (extractAnswer(line.pred)?.answer ?? null) : line.pred));
      try {
        const verdicts = await gradePairs(
          lines.map((line, index) => ({ gold: line.gold, pred: answers[index] ?? null })),
          grader,
          (done, total) => {
            if (total >= 1000 && (done % 1000 === 0 || done === total)) process.stderr.write(`grade: ${done}/${total}\n`);
          },
        );
        const rows = lines.map((line, index) => ({
          id: line.id,
          equivalent: verdicts[index]!.equivalent,
          reason: verdicts[index]!.reason,
          ms: Math.round(verdicts[index]!.ms * 1000) / 1000,
          ...(options.extract ? { answer: answers[index] ?? null } : {}),
        }));
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
