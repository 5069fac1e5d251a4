import { afterAll, describe, expect, it } from 'vitest';
import { fuzzCases, runFuzz } from '../src/latex-fuzz.js';
import { createMathGrader } from '../src/math-grader.js';
import { mathTestAnswers } from './math-test-answers.js';

/** A small fuzz run in the suite; scripts/fuzz-equivalence.ts runs 100,000. */
describe('fuzz', () => {
  const grader = createMathGrader({ timeoutMs: 300 });
  afterAll(() => grader.close());

  it('no exception escapes and nothing hangs on 2,000 random and mutated inputs', async () => {
    const report = await runFuzz(fuzzCases(mathTestAnswers(), 2_000, 11), grader);
    expect(report.cases).toBe(2_000);
    expect(report.exceptions).toEqual([]);
    expect(report.internalErrors).toEqual([]);
    // the unbudgeted in-thread part stays small; worker comparisons end within the budget (plus a margin)
    expect(report.maxInThreadMs).toBeLessThan(500);
    expect(report.maxWorkerMs).toBeLessThan(1_000);
  }, 60_000);
});
