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
    // How long the slowest steps took is a benchmark's figure, not a test's (scripts/fuzz-equivalence.ts prints it):
    // on a busy machine wall-clock bounds fail without anything being wrong.
  }, 60_000);
});
