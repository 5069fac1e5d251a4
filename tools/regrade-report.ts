/**
 * Regrades the 10 recorded MATH-500 runs with core/math and writes reports/regrade-math500/: report.md,
 * summary.json and disagreements.jsonl, joined with the hand review in experiments/regrade-math500/review.json (an
 * input, so it lives beside the experiments, not in the report folder this replaces whole): one entry per distinct
 * gold/answer pair that the two graders disagree on, and one per record whose verdict changes when core/math finds
 * the answer in the full response itself (instead of grading the recorded extracted answer). Byte-identical on every run: no times, fixed order, seeded
 * numeric tests, and a generous time budget (the script fails if any comparison times out).
 * Run: node --conditions=@confide/source --import tsx tools/regrade-report.ts [--review-template]
 * With --review-template it adds an entry (verdict "unreviewed") for every disagreement the review lacks (in
 * experiments/regrade-math500/review.json), and stops.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundledRun, RECORDED_RUNS, workspaceRoot, writeFileAtomic, writeJsonLines, writeReportFolder } from '@confide/data';
import { createMathGrader, DEFAULT_MATH_EVALUATOR_OPTIONS, regradeRecords, type RegradedRecord } from '@confide/evaluator-math';
import { z } from 'zod';

const folder = join(workspaceRoot(), 'reports', 'regrade-math500');
const reviewPath = join(workspaceRoot(), 'experiments', 'regrade-math500', 'review.json');
const TIMEOUT_MS = 60_000;

/** One hand-reviewed disagreement: which verdict is right for this gold/answer pair, and why. */
const ReviewEntry = z.strictObject({
  gold: z.string(),
  answer: z.string().nullable(),
  /** Which grader the reviewer agrees with. */
  verdict: z.enum(['core/math right', 'recorded right', 'unreviewed']),
  /** Is the answer correct for the problem (the reviewer's own verdict). */
  correct: z.boolean().nullable(),
  note: z.string(),
  /** Problems (sourceId) the pair occurs in, for the reader. */
  problems: z.array(z.string()),
});
/** One hand-reviewed record whose verdict changes when core/math reads the full response. */
const ResponseReviewEntry = z.strictObject({
  run: z.string(),
  problem: z.string(),
  /** The answer core/math found in the response, and the rule that found it. */
  found: z.string().nullable(),
  rule: z.string().nullable(),
  verdict: z.enum(['core/math right', 'core/math wrong', 'unreviewed']),
  note: z.string(),
});
const Review = z.strictObject({ reviewer: z.string(), method: z.string(), entries: z.array(ReviewEntry), responses: z.array(ResponseReviewEntry).default([]) });
type ReviewEntry = z.infer<typeof ReviewEntry>;
type ResponseReviewEntry = z.infer<typeof ResponseReviewEntry>;

const pairKey = (gold: string | null, answer: string | null) => JSON.stringify([gold, answer]);

interface RunResult {
  id: string;
  description: string;
  regraded: RegradedRecord[];
  reextracted: RegradedRecord[];
}

const grader = createMathGrader({ timeoutMs: TIMEOUT_MS });
const results: RunResult[] = [];
try {
  for (const definition of RECORDED_RUNS) {
    const run = loadBundledRun(definition.id);
    process.stderr.write(`regrade: ${definition.id}\n`);
    results.push({
      id: definition.id,
      description: definition.description,
      regraded: await regradeRecords(run.records, grader),
      reextracted: await regradeRecords(run.records, grader, { extract: true }),
    });
  }
} finally {
  await grader.close();
}
const timeouts = results.flatMap((result) => [...result.regraded, ...result.reextracted]).filter((record) => record.reason === 'timeout');
if (timeouts.length > 0) throw new Error(`${timeouts.length} comparisons timed out (budget ${TIMEOUT_MS} ms): the report would not be reproducible`);

// ---- disagreements and their review ----------------------------------------------------------------------

const disagreements = results.flatMap((result) => result.regraded.filter((record) => record.recorded !== record.regraded).map((record) => ({ run: result.id, ...record })));
const problemsOfPair = new Map<string, Set<string>>();
for (const record of disagreements) {
  const key = pairKey(record.gold, record.answer);
  if (!problemsOfPair.has(key)) problemsOfPair.set(key, new Set());
  problemsOfPair.get(key)!.add(record.sourceId ?? record.problemId);
}
const review = existsSync(reviewPath)
  ? Review.parse(JSON.parse(readFileSync(reviewPath, 'utf8')))
  : { reviewer: 'evaluator-math maintainers', method: 'each distinct gold/answer pair read against the MATH-500 problem text', entries: [], responses: [] };
const reviewed = new Map(review.entries.map((entry) => [pairKey(entry.gold, entry.answer), entry]));

// records whose verdict changes when core/math finds the answer in the full response
const responseChanges = results.flatMap((result) =>
  result.reextracted
    .map((record, index) => ({ run: result.id, record, fromAnswer: result.regraded[index]! }))
    .filter(({ record, fromAnswer }) => record.regraded !== fromAnswer.regraded),
);
const recordKey = (run: string, problem: string) => JSON.stringify([run, problem]);
const problemOf = (record: RegradedRecord) => record.sourceId ?? record.problemId;
const reviewedResponses = new Map(review.responses.map((entry) => [recordKey(entry.run, entry.problem), entry]));

if (process.argv.includes('--review-template')) {
  const entries: ReviewEntry[] = [...review.entries];
  for (const record of disagreements) {
    const key = pairKey(record.gold, record.answer);
    if (reviewed.has(key)) continue;
    const entry: ReviewEntry = { gold: record.gold ?? '', answer: record.answer, verdict: 'unreviewed', correct: null, note: '', problems: [] };
    reviewed.set(key, entry);
    entries.push(entry);
  }
  for (const entry of entries) entry.problems = [...(problemsOfPair.get(pairKey(entry.gold, entry.answer)) ?? [])].sort();
  const responses: ResponseReviewEntry[] = [...review.responses];
  for (const { run, record } of responseChanges) {
    if (reviewedResponses.has(recordKey(run, problemOf(record)))) continue;
    responses.push({ run, problem: problemOf(record), found: record.answer, rule: record.found.prediction?.rule ?? null, verdict: 'unreviewed', note: '' });
  }
  writeFileAtomic(reviewPath, JSON.stringify({ ...review, entries, responses }, null, 2) + '\n');
  console.log(`review template: ${entries.length} entries, ${responses.length} response entries in ${reviewPath}`);
  process.exit(0);
}

const missing = [...problemsOfPair.keys()].filter((key) => reviewed.get(key) === undefined || reviewed.get(key)!.verdict === 'unreviewed');
const stale = [...reviewed.keys()].filter((key) => !problemsOfPair.has(key));
const changedKeys = new Set(responseChanges.map(({ run, record }) => recordKey(run, problemOf(record))));
const missingResponses = [...changedKeys].filter((key) => reviewedResponses.get(key) === undefined || reviewedResponses.get(key)!.verdict === 'unreviewed');
const staleResponses = [...reviewedResponses.keys()].filter((key) => !changedKeys.has(key));
if (missing.length > 0 || stale.length > 0 || missingResponses.length > 0 || staleResponses.length > 0) {
  throw new Error(
    `${reviewPath} is out of date: ${missing.length} disagreements without a review, ${stale.length} entries for pairs that no longer disagree, ` +
      `${missingResponses.length} response changes without a review, ${staleResponses.length} response entries that no longer change (run with --review-template)`,
  );
}

// ---- summary -----------------------------------------------------------------------------------------------

const accuracy = (count: number, total: number) => Math.round((count / total) * 10_000) / 10_000;
const summary = {
  grader: { id: 'core/math', options: { ...DEFAULT_MATH_EVALUATOR_OPTIONS, timeoutMs: TIMEOUT_MS } },
  recordedGrader: "the seed's sympy grader (math_equal)",
  runs: results.map((result) => {
    const total = result.regraded.length;
    const recorded = result.regraded.filter((record) => record.recorded).length;
    const regraded = result.regraded.filter((record) => record.regraded).length;
    const reextracted = result.reextracted.filter((record) => record.regraded).length;
    return {
      run: result.id,
      records: total,
      recordedCorrect: recorded,
      recordedAccuracy: accuracy(recorded, total),
      regradedCorrect: regraded,
      regradedAccuracy: accuracy(regraded, total),
      flipsToCorrect: result.regraded.filter((record) => !record.recorded && record.regraded).length,
      flipsToWrong: result.regraded.filter((record) => record.recorded && !record.regraded).length,
      reextractedCorrect: reextracted,
      reextractedAccuracy: accuracy(reextracted, total),
    };
  }),
  disagreements: { records: disagreements.length, distinctPairs: problemsOfPair.size },
  review: {
    coreMathRight: review.entries.filter((entry) => entry.verdict === 'core/math right').length,
    recordedRight: review.entries.filter((entry) => entry.verdict === 'recorded right').length,
  },
  fullResponses: {
    rules: Object.fromEntries(countBy(results.flatMap((result) => result.reextracted), (record) => foundRule(record)).map(([rule, count]) => [rule, count])),
    verdictChanges: responseChanges.length,
    coreMathRight: review.responses.filter((entry) => entry.verdict === 'core/math right').length,
    coreMathWrong: review.responses.filter((entry) => entry.verdict === 'core/math wrong').length,
  },
};

function foundRule(record: RegradedRecord): string {
  const found = record.found.prediction;
  return found === null ? 'none' : `${found.rule}${found.fallback ? ' (fallback)' : ''}`;
}

/** [key, count] sorted by count, then key. */
function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

// ---- report ------------------------------------------------------------------------------------------------

const code = (text: string | null) => (text === null ? '*(none)*' : `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\n/g, ' ')}\``);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const lines: string[] = [];
lines.push('# Regrading the recorded MATH-500 runs with core/math', '');
lines.push(
  'The ten recorded runs behind the seed\'s tables were graded by the authors\' strict sympy grader. This report grades the',
  'same 5,000 (gold, extracted answer) pairs again with `core/math` (plugins/evaluator-math, default options) and lists',
  'every record where the two graders disagree, with a hand review of each distinct pair.',
  '',
  'Regenerate with `node --conditions=@confide/source --import tsx tools/regrade-report.ts` (the output is byte-identical',
  'on every run). `experiments/regrade-math500/review.json` holds the hand review; `disagreements.jsonl` every disagreeing record; `summary.json` the',
  'numbers below.',
  '',
);
lines.push('## Accuracy: recorded vs regraded', '');
lines.push('| run | recorded | regraded | change | flips to correct | flips to wrong | regraded, answers re-extracted by core/math |');
lines.push('|---|---|---|---|---|---|---|');
for (const run of summary.runs) {
  lines.push(
    `| ${run.run} | ${run.recordedCorrect}/500 (${percent(run.recordedAccuracy)}) | ${run.regradedCorrect}/500 (${percent(run.regradedAccuracy)}) | ` +
      `${run.regradedCorrect - run.recordedCorrect >= 0 ? '+' : ''}${run.regradedCorrect - run.recordedCorrect} | ${run.flipsToCorrect} | ${run.flipsToWrong} | ` +
      `${run.reextractedCorrect}/500 (${percent(run.reextractedAccuracy)}) |`,
  );
}
lines.push('');
lines.push(
  `The two graders disagree on ${disagreements.length} records (${problemsOfPair.size} distinct gold/answer pairs). The review finds`,
  `core/math right on ${summary.review.coreMathRight} pairs and the recorded grader right on ${summary.review.recordedRight}.`,
  'The last column grades the full responses: core/math finds the answer itself (mode `auto`) instead of taking the',
  'recorded extracted answer; every record whose verdict that changes is reviewed below.',
  '',
);
const byRule = new Map<string, number>();
for (const record of disagreements) byRule.set(record.reason, (byRule.get(record.reason) ?? 0) + 1);
lines.push('## Disagreements by the rule that decided them', '', '| core/math rule | records |', '|---|---|');
for (const [rule, count] of [...byRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`| ${rule} | ${count} |`);
lines.push('');
lines.push('## Review of every distinct disagreement', '');
lines.push('| gold | extracted answer | recorded | core/math | review | correct? | note | problems |', '|---|---|---|---|---|---|---|---|');
const reviewRows = [...problemsOfPair.keys()]
  .map((key) => ({ key, entry: reviewed.get(key)!, sample: disagreements.find((record) => pairKey(record.gold, record.answer) === key)! }))
  .sort((a, b) => a.key.localeCompare(b.key));
for (const { entry, sample, key } of reviewRows) {
  const problems = [...problemsOfPair.get(key)!].sort();
  lines.push(
    `| ${code(entry.gold)} | ${code(entry.answer)} | ${sample.recorded ? 'right' : 'wrong'} | ${sample.regraded ? 'right' : 'wrong'} (${sample.reason}) | ` +
      `${entry.verdict} | ${entry.correct === null ? '?' : entry.correct ? 'yes' : 'no'} | ${entry.note.replace(/\|/g, '\\|')} | ${problems.join(', ')} |`,
  );
}
lines.push('');
lines.push('## Full responses: where core/math found the answer', '');
lines.push('| rule (prediction side) | records |', '|---|---|');
for (const [rule, count] of Object.entries(summary.fullResponses.rules)) lines.push(`| ${rule} | ${count} |`);
lines.push('');
lines.push(
  `Grading the full responses instead of the recorded extracted answers changes ${responseChanges.length} verdicts. The review finds`,
  `core/math right on ${summary.fullResponses.coreMathRight} and wrong on ${summary.fullResponses.coreMathWrong}.`,
  '',
);
if (responseChanges.length > 0) {
  lines.push('| run | problem | gold | recorded extracted answer | found in the response | verdict from the answer → from the response | review | note |', '|---|---|---|---|---|---|---|---|');
  for (const { run, record, fromAnswer } of responseChanges) {
    const entry = reviewedResponses.get(recordKey(run, problemOf(record)))!;
    lines.push(
      `| ${run} | ${problemOf(record)} | ${code(record.gold)} | ${code(fromAnswer.answer)} | ${code(record.answer)} (${foundRule(record)}) | ` +
        `${fromAnswer.regraded ? 'right' : 'wrong'} → ${record.regraded ? 'right' : 'wrong'} | ${entry.verdict} | ${entry.note.replace(/\|/g, '\\|')} |`,
    );
  }
  lines.push('');
}
lines.push('## Every disagreeing record', '');
for (const result of results) {
  const rows = disagreements.filter((record) => record.run === result.id);
  lines.push(`### ${result.id} (${rows.length})`, '');
  if (rows.length === 0) {
    lines.push('No disagreements.', '');
    continue;
  }
  lines.push('| problem | id | gold | extracted answer | recorded | core/math |', '|---|---|---|---|---|---|');
  for (const record of rows) {
    lines.push(
      `| ${record.sourceId ?? ''} | ${record.problemId} | ${code(record.gold)} | ${code(record.answer)} | ${record.recorded ? 'right' : 'wrong'} | ${record.regraded ? 'right' : 'wrong'} (${record.reason}) |`,
    );
  }
  lines.push('');
}

await writeReportFolder(folder, 'regrade', (staging) => {
  writeFileAtomic(join(staging, 'report.md'), lines.join('\n'));
  writeFileAtomic(join(staging, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeJsonLines(
    join(staging, 'disagreements.jsonl'),
    disagreements.map(({ run, problemId, sourceId, gold, answer, recorded, regraded, reason }) => ({ run, problemId, sourceId, gold, answer, recorded, regraded, reason })),
  );
});
console.log(`regrade report: ${disagreements.length} disagreements (${problemsOfPair.size} pairs) in ${folder}`);
for (const run of summary.runs) console.log(`${run.run.padEnd(26)} recorded ${run.recordedCorrect}/500  regraded ${run.regradedCorrect}/500  (re-extracted ${run.reextractedCorrect}/500)`);
