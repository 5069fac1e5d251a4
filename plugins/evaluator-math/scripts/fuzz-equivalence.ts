/**
 * Fuzz run of the MATH grader: random and mutated LaTeX (answers and whole responses) through extraction,
 * normalisation, the in-thread fast path and the budgeted worker. Reports exceptions (must be 0), timeouts and the
 * slowest unbudgeted in-thread step.
 * Run: node --conditions=@confide/source --import tsx plugins/evaluator-math/scripts/fuzz-equivalence.ts [count] [seed]
 */
import { createMathGrader } from '../src/math-grader.js';
import { fuzzCases, runFuzz } from '../src/latex-fuzz.js';
import { mathTestAnswers } from '../tests/math-test-answers.js';

const count = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1);
const timeoutMs = 500;
const grader = createMathGrader({ timeoutMs });
const report = await runFuzz(fuzzCases(mathTestAnswers(), count, seed), grader, (done) => {
  if (done % 10_000 < 256) process.stderr.write(`\r${done}/${count}`);
});
await grader.close();
process.stderr.write('\n');
console.log(`fuzz: ${report.cases} inputs (seed ${seed}) in ${(report.wallMs / 1000).toFixed(1)} s`);
console.log(`exceptions escaping: ${report.exceptions.length}; errors caught inside comparisons: ${report.internalErrors.length}`);
console.log(`decided in-thread: ${report.decidedInThread}; worker timeouts (budget ${timeoutMs} ms): ${report.timeouts}; workers replaced: ${grader.statistics.workerReplacements}`);
console.log(`slowest in-thread step: ${report.maxInThreadMs.toFixed(1)} ms; slowest worker comparison: ${report.maxWorkerMs.toFixed(0)} ms; equivalent verdicts: ${report.equivalent}`);
console.log(`slowest in-thread input: ${JSON.stringify(report.slowestInThread)?.slice(0, 300)}`);
for (const { input, error } of report.exceptions.slice(0, 10)) console.log('EXCEPTION', JSON.stringify(input), error);
for (const { input, reason } of report.internalErrors.slice(0, 10)) console.log('INTERNAL', JSON.stringify(input), reason);
process.exitCode = report.exceptions.length === 0 && report.internalErrors.length === 0 ? 0 : 1;
