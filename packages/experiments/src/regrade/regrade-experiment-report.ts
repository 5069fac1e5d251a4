import type { EvaluatorVerdict, PluginUse } from '@confide/core';
import type { LentClientCalls } from './lent-evaluator.js';
import { pairKey, recordKey, type RegradeReview } from './regrade-review.js';

/** One side of a verdict as an evaluator that explains itself read it (core/math: the found answer normalised and parsed). */
export interface ExplainedSide {
  normalized: string | null;
  parsed: string | null;
}

/**
 * Why an evaluator that explains its verdicts (core/math's `explain`) decided as it did: each side normalised and
 * parsed, the reading of a policy that made them equal (`decimal-comma`), and the deciding rule.
 */
export interface RowExplanation {
  gold: ExplainedSide;
  prediction: ExplainedSide;
  reading: { reason: string; gold: string; prediction: string } | null;
  decision: string;
}

const isSide = (value: unknown): value is ExplainedSide => typeof value === 'object' && value !== null && 'normalized' in value && 'parsed' in value;

/** The explanation a verdict carries (read by shape: the Evaluator interface does not name it), or null. */
export function explanationOfVerdict(verdict: EvaluatorVerdict): RowExplanation | null {
  const explain = (verdict as { explain?: unknown }).explain;
  if (typeof explain !== 'object' || explain === null) return null;
  const candidate = explain as Partial<RowExplanation>;
  if (!isSide(candidate.gold) || !isSide(candidate.prediction) || typeof candidate.decision !== 'string') return null;
  return { gold: candidate.gold, prediction: candidate.prediction, reading: candidate.reading ?? null, decision: candidate.decision };
}

/** One record graded again: what the evaluator read and found, and both verdicts. */
export interface RegradedRow {
  problemId: string;
  sourceId: string | null;
  gold: string | null;
  /** The answer the evaluator read (found in the extracted answer or the response; null: none). */
  answer: string | null;
  /** The rule that found it (`boxed`), null where none was found or the evaluator does not say. */
  rule: string | null;
  /** The rule with `(fallback)` marked, `none` where nothing was found, `not stated` where the evaluator does not say. */
  foundBy: string;
  recorded: boolean;
  regraded: boolean;
  /** The rule that decided (`normalized-string`), else the evaluator's reason. */
  reason: string;
  /** Why, where the evaluator explains its verdicts (core/math); null where it does not. */
  explain: RowExplanation | null;
}

/** One run graded again: its rows for each reading, in the experiment's order (the recorded extracted answers, then the full responses). */
export interface RegradedRun {
  run: string;
  /** `rows[0]`: the first reading; `rows[1]`, when the experiment reads the full responses too, the second. */
  rows: RegradedRow[][];
}

export interface Disagreement extends RegradedRow {
  run: string;
}

export interface ResponseChange {
  run: string;
  /** The record as graded from the full response, and from the extracted answer. */
  record: RegradedRow;
  fromAnswer: RegradedRow;
}

/** Everything the report shows, computed once from the graded runs. */
export interface RegradeFindings {
  runs: RegradedRun[];
  disagreements: Disagreement[];
  /** Each disagreeing gold/answer pair (pairKey) and the problems it occurs in. */
  problemsOfPair: Map<string, Set<string>>;
  /** Records whose verdict changes when the evaluator reads the full response (empty with one reading). */
  responseChanges: ResponseChange[];
}

export const problemOf = (row: RegradedRow) => row.sourceId ?? row.problemId;

export function regradeFindings(runs: RegradedRun[]): RegradeFindings {
  const disagreements = runs.flatMap((result) => result.rows[0]!.filter((row) => row.recorded !== row.regraded).map((row) => ({ run: result.run, ...row })));
  const problemsOfPair = new Map<string, Set<string>>();
  for (const row of disagreements) {
    const key = pairKey(row.gold, row.answer);
    if (!problemsOfPair.has(key)) problemsOfPair.set(key, new Set());
    problemsOfPair.get(key)!.add(problemOf(row));
  }
  const responseChanges = runs.flatMap((result) =>
    (result.rows[1] ?? []).map((record, index) => ({ run: result.run, record, fromAnswer: result.rows[0]![index]! })).filter(({ record, fromAnswer }) => record.regraded !== fromAnswer.regraded),
  );
  return { runs, disagreements, problemsOfPair, responseChanges };
}

/** [key, count] sorted by count, then key. */
function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

const accuracy = (count: number, total: number) => (total === 0 ? 0 : Math.round((count / total) * 10_000) / 10_000);

/** summary.json: every number of the report. */
export function regradeExperimentSummary(findings: RegradeFindings, evaluator: PluginUse, recordedGrader: string, review: RegradeReview | null, clientCalls: LentClientCalls | null) {
  const { id } = evaluator;
  const secondReading = findings.runs.some((run) => run.rows.length > 1);
  return {
    grader: { id, options: evaluator.options },
    recordedGrader,
    runs: findings.runs.map((result) => {
      const rows = result.rows[0]!;
      const total = rows.length;
      const recorded = rows.filter((row) => row.recorded).length;
      const regraded = rows.filter((row) => row.regraded).length;
      const reextracted = result.rows[1]?.filter((row) => row.regraded).length;
      return {
        run: result.run,
        records: total,
        recordedCorrect: recorded,
        recordedAccuracy: accuracy(recorded, total),
        regradedCorrect: regraded,
        regradedAccuracy: accuracy(regraded, total),
        flipsToCorrect: rows.filter((row) => !row.recorded && row.regraded).length,
        flipsToWrong: rows.filter((row) => row.recorded && !row.regraded).length,
        ...(reextracted === undefined ? {} : { reextractedCorrect: reextracted, reextractedAccuracy: accuracy(reextracted, total) }),
      };
    }),
    disagreements: { records: findings.disagreements.length, distinctPairs: findings.problemsOfPair.size },
    ...(review === null
      ? {}
      : {
          review: {
            evaluatorRight: review.entries.filter((entry) => entry.verdict === `${id} right`).length,
            recordedRight: review.entries.filter((entry) => entry.verdict === 'recorded right').length,
          },
        }),
    ...(secondReading
      ? {
          fullResponses: {
            rules: Object.fromEntries(countBy(findings.runs.flatMap((result) => result.rows[1] ?? []), (row) => row.foundBy)),
            verdictChanges: findings.responseChanges.length,
            ...(review === null
              ? {}
              : {
                  evaluatorRight: review.responses.filter((entry) => entry.verdict === `${id} right`).length,
                  evaluatorWrong: review.responses.filter((entry) => entry.verdict === `${id} wrong`).length,
                }),
          },
        }
      : {}),
    ...(clientCalls === null ? {} : { clientCalls }),
  };
}
export type RegradeExperimentSummary = ReturnType<typeof regradeExperimentSummary>;

export interface RegradeReportText {
  title: string;
  description: string;
  /** The command that regenerates the report, and the review file as the reader finds it (null: no review). */
  command: string;
  reviewLabel: string | null;
  /** `answer`: the first reading is the recorded extracted answers; `response`: the full responses. */
  firstReading: 'answer' | 'response';
}

const code = (text: string | null) => (text === null ? '*(none)*' : `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\n/g, ' ')}\``);

/** `\`1/2\` · \`0.5\``: each side as the evaluator normalised it, and a policy's reading where one decided. */
function why(explain: RowExplanation | null): string {
  if (explain === null) return '';
  const sides = `${code(explain.gold.normalized)} · ${code(explain.prediction.normalized)}`;
  return explain.reading === null ? sides : `${sides}, read as ${explain.reading.reason}: ${code(explain.reading.gold)} · ${code(explain.reading.prediction)}`;
}
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const cell = (text: string) => text.replace(/\|/g, '\\|');

/** report.md: accuracy per run, the disagreements by deciding rule, the review, the full responses, every disagreeing record. */
export function regradeExperimentMarkdown(findings: RegradeFindings, summary: RegradeExperimentSummary, review: RegradeReview | null, text: RegradeReportText): string {
  const id = summary.grader.id;
  const answerLabel = text.firstReading === 'answer' ? 'extracted answer' : 'answer found in the response';
  const secondReading = summary.fullResponses !== undefined;
  const reviewed = new Map((review?.entries ?? []).map((entry) => [pairKey(entry.gold, entry.answer), entry]));
  const reviewedResponses = new Map((review?.responses ?? []).map((entry) => [recordKey(entry.run, entry.problem), entry]));
  const lines: string[] = [];
  lines.push(`# ${text.title}`, '', text.description, '');
  lines.push(
    `Regenerate with \`${text.command}\`. ${text.reviewLabel === null ? '' : `\`${text.reviewLabel}\` holds the hand review; `}\`disagreements.jsonl\` every disagreeing record; \`summary.json\` the numbers below.`,
    '',
  );
  lines.push('## Accuracy: recorded vs regraded', '');
  lines.push(`| run | recorded | regraded | change | flips to correct | flips to wrong |${secondReading ? ` regraded, answers re-extracted by ${id} |` : ''}`);
  lines.push(`|---|---|---|---|---|---|${secondReading ? '---|' : ''}`);
  for (const run of summary.runs) {
    const change = run.regradedCorrect - run.recordedCorrect;
    lines.push(
      `| ${run.run} | ${run.recordedCorrect}/${run.records} (${percent(run.recordedAccuracy)}) | ${run.regradedCorrect}/${run.records} (${percent(run.regradedAccuracy)}) | ` +
        `${change >= 0 ? '+' : ''}${change} | ${run.flipsToCorrect} | ${run.flipsToWrong} |` +
        `${run.reextractedCorrect === undefined ? '' : ` ${run.reextractedCorrect}/${run.records} (${percent(run.reextractedAccuracy!)}) |`}`,
    );
  }
  lines.push('');
  lines.push(`The two graders disagree on ${findings.disagreements.length} records (${findings.problemsOfPair.size} distinct gold/answer pairs).${summary.review ? ' The review finds' : ''}`);
  if (summary.review) lines.push(`${id} right on ${summary.review.evaluatorRight} pairs and the recorded grader right on ${summary.review.recordedRight}.`);
  if (secondReading) {
    lines.push(
      `The last column grades the full responses: ${id} finds the answer itself instead of taking the`,
      `recorded extracted answer; every record whose verdict that changes is ${review === null ? 'listed' : 'reviewed'} below.`,
    );
  }
  lines.push('');
  lines.push('## Disagreements by the rule that decided them', '', `| ${id} rule | records |`, '|---|---|');
  for (const [rule, count] of countBy(findings.disagreements, (row) => row.reason)) lines.push(`| ${rule} | ${count} |`);
  lines.push('');
  if (review !== null) {
    lines.push('## Review of every distinct disagreement', '');
    lines.push(`| gold | ${answerLabel} | recorded | ${id} | review | correct? | note | problems |`, '|---|---|---|---|---|---|---|---|');
    const rows = [...findings.problemsOfPair.keys()]
      .map((key) => ({ key, entry: reviewed.get(key)!, sample: findings.disagreements.find((row) => pairKey(row.gold, row.answer) === key)! }))
      .sort((a, b) => a.key.localeCompare(b.key));
    for (const { entry, sample, key } of rows) {
      const problems = [...findings.problemsOfPair.get(key)!].sort();
      lines.push(
        `| ${code(entry.gold)} | ${code(entry.answer)} | ${sample.recorded ? 'right' : 'wrong'} | ${sample.regraded ? 'right' : 'wrong'} (${sample.reason}) | ` +
          `${entry.verdict} | ${entry.correct === null ? '?' : entry.correct ? 'yes' : 'no'} | ${cell(entry.note)} | ${problems.join(', ')} |`,
      );
    }
    lines.push('');
  }
  if (summary.fullResponses !== undefined) {
    const full = summary.fullResponses;
    lines.push(`## Full responses: where ${id} found the answer`, '');
    lines.push('| rule (prediction side) | records |', '|---|---|');
    for (const [rule, count] of Object.entries(full.rules)) lines.push(`| ${rule} | ${count} |`);
    lines.push('');
    lines.push(`Grading the full responses instead of the recorded extracted answers changes ${full.verdictChanges} verdicts.${full.evaluatorRight === undefined ? '' : ' The review finds'}`);
    if (full.evaluatorRight !== undefined) lines.push(`${id} right on ${full.evaluatorRight} and wrong on ${full.evaluatorWrong}.`);
    lines.push('');
    if (findings.responseChanges.length > 0) {
      const reviewColumns = review === null ? '' : ' review | note |';
      lines.push(
        `| run | problem | gold | recorded extracted answer | found in the response | verdict from the answer → from the response |${reviewColumns}`,
        `|---|---|---|---|---|---|${review === null ? '' : '---|---|'}`,
      );
      for (const { run, record, fromAnswer } of findings.responseChanges) {
        const entry = reviewedResponses.get(recordKey(run, problemOf(record)));
        lines.push(
          `| ${run} | ${problemOf(record)} | ${code(record.gold)} | ${code(fromAnswer.answer)} | ${code(record.answer)} (${record.foundBy}) | ` +
            `${fromAnswer.regraded ? 'right' : 'wrong'} → ${record.regraded ? 'right' : 'wrong'} |${entry === undefined ? '' : ` ${entry.verdict} | ${cell(entry.note)} |`}`,
        );
      }
      lines.push('');
    }
  }
  lines.push('## Every disagreeing record', '');
  for (const result of findings.runs) {
    const rows = findings.disagreements.filter((row) => row.run === result.run);
    lines.push(`### ${result.run} (${rows.length})`, '');
    if (rows.length === 0) {
      lines.push('No disagreements.', '');
      continue;
    }
    const explained = rows.some((row) => row.explain !== null);
    lines.push(`| problem | id | gold | ${answerLabel} | recorded | ${id} |${explained ? ' normalised: gold · answer |' : ''}`, `|---|---|---|---|---|---|${explained ? '---|' : ''}`);
    for (const row of rows) {
      lines.push(
        `| ${row.sourceId ?? ''} | ${row.problemId} | ${code(row.gold)} | ${code(row.answer)} | ${row.recorded ? 'right' : 'wrong'} | ${row.regraded ? 'right' : 'wrong'} (${row.reason}) |` +
          `${explained ? ` ${why(row.explain)} |` : ''}`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
