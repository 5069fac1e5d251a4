import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  ConfideError,
  definePlugin,
  InvalidInputError,
  NotFoundError,
  PLUGIN_SPECIFICATION_VERSION,
  RunRecord,
  type Evaluator,
} from '@confide/core';
import { z } from 'zod';

export const RecordedEvaluatorOptions = z.strictObject({
  /**
   * Runs whose verdicts are given back: bundled run ids or run-directory paths, read through the command's run store
   * (paths relative to the experiment's folder). Without a run store in the context, each is a run folder read from
   * the workspace root (the nearest folder above the working directory with nx.json), else the working directory.
   */
  runs: z.array(z.string().min(1)).min(1),
});
export type RecordedEvaluatorOptions = z.infer<typeof RecordedEvaluatorOptions>;

interface Verdict {
  correct: boolean;
  answer: string | null;
  run: string;
  problemId: string;
}

function baseFolder(): string {
  let folder = process.cwd();
  while (!existsSync(join(folder, 'nx.json'))) {
    const parent = dirname(folder);
    if (parent === folder) return process.cwd();
    folder = parent;
  }
  return folder;
}

/** Line endings differ between upstream files of the same answer (LF in one, CRLF in another). */
function verdictKey(gold: string | null, response: string): string {
  return `${gold ?? ''}\u0000${response.replace(/\r\n/g, '\n')}`;
}

function readRunFolder(folder: string): { label: string; records: RunRecord[] } {
  const path = join(isAbsolute(folder) ? folder : resolve(baseFolder(), folder), 'records.jsonl.gz');
  if (!existsSync(path)) throw new NotFoundError(`core/recorded: no recorded run at ${path}`);
  const records: RunRecord[] = [];
  gunzipSync(readFileSync(path))
    .toString('utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      const parsed = RunRecord.safeParse(JSON.parse(line));
      if (!parsed.success) throw new InvalidInputError({ file: path, row: index + 1, problem: parsed.error.issues[0]!.message });
      records.push(parsed.data);
    });
  return { label: path, records };
}

function indexVerdicts(runs: ReadonlyArray<{ label: string; records: readonly RunRecord[] }>): Map<string, Verdict> {
  const verdicts = new Map<string, Verdict>();
  for (const run of runs) {
    run.records.forEach((record, index) => {
      const key = verdictKey(record.gold, record.generation.text);
      const known = verdicts.get(key);
      if (known !== undefined && known.correct !== record.grade.correct) {
        throw new InvalidInputError({
          file: run.label,
          row: index + 1,
          problem: `${record.problemId}: the same response is graded ${record.grade.correct} here and ${known.correct} in ${known.run} (${known.problemId})`,
        });
      }
      verdicts.set(key, { correct: record.grade.correct, answer: record.generation.answer, run: record.runId, problemId: record.problemId });
    });
  }
  return verdicts;
}

/**
 * Gives back the verdict a recorded run carries for a response: the response text (line endings aside) and the gold
 * answer must equal a recorded record's. Lets a replayed run go through the live path and be graded exactly as it
 * was. A response no recorded run holds is an error, not a guess.
 */
export const recordedEvaluator = definePlugin({
  id: 'core/recorded',
  kind: 'evaluator',
  description: 'the verdict (and extracted answer) a recorded run carries for the same response text and gold answer',
  optionsSchema: RecordedEvaluatorOptions,
  create: (options, context): Evaluator => {
    let verdicts: Map<string, Verdict> | undefined;
    const runs = context.runs;
    const read = () =>
      indexVerdicts(options.runs.map((reference) => (runs ? { label: reference, records: runs.records(reference) } : readRunFolder(reference))));
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      async grade({ gold, response }) {
        verdicts ??= read();
        const verdict = verdicts.get(verdictKey(gold, response));
        if (verdict === undefined) {
          throw new ConfideError(
            'NOT_FOUND',
            `core/recorded: no recorded verdict for this response (gold ${JSON.stringify(gold)}, ${response.length} characters); grade it with an evaluator such as core/math`,
          );
        }
        return {
          correct: verdict.correct,
          evaluator: 'core/recorded',
          reason: `verdict recorded in ${verdict.run} for ${verdict.problemId}`,
          answer: verdict.answer,
        };
      },
      async close() {
        verdicts = undefined;
      },
    };
  },
});
