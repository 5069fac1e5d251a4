import { CONFIDENT_TOKEN, UNCERTAIN_TOKEN } from '../confidence-token.js';
import type { Problem } from '../schemas/problem.js';
import type { RunRecord } from '../schemas/run-record.js';
import { testProblem, testRunRecord } from './records.js';

/** A small pair of runs on the same problems, in the same order: what an ablation reads, small enough to read by eye. */
export interface TestPair {
  problems: Problem[];
  /** The small model's answers (run `test-small`, model `test-small-model`). */
  small: RunRecord[];
  /** The large model's answers (run `test-large`, model `test-large-model`). */
  large: RunRecord[];
}

/**
 * Eight problems (`test/1` … `test/8`, answers `1` … `8`) answered by a small and a large model. The small model is
 * right on problems 1–3 (confident, 100–300 output tokens) and 4 (uncertain, 400), wrong on 5 (confident, 500) and
 * 6–8 (uncertain, 600–800): the confident token and a length limit each keep a different set. The large model is
 * right on all but problem 8 and writes 1,000–1,700 output tokens.
 */
export function testPair(): TestPair {
  const problems: Problem[] = [];
  const small: RunRecord[] = [];
  const large: RunRecord[] = [];
  for (let index = 1; index <= 8; index += 1) {
    const problem = testProblem({ id: `test/${index}`, problem: `What is ${index - 1} + 1?`, answer: String(index), level: 1 + ((index - 1) % 5) });
    const smallRight = index <= 4;
    const confident = index <= 3 || index === 5;
    const smallAnswer = smallRight ? String(index) : String(index + 1);
    const token = confident ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN;
    problems.push(problem);
    small.push(
      testRunRecord({
        problem,
        runId: 'test-small',
        generation: { model: 'test-small-model', text: `The answer is \\boxed{${smallAnswer}}. ${token}`, answer: smallAnswer, confidenceToken: token, usage: { output: index * 100 } },
        grade: { correct: smallRight },
      }),
    );
    const largeRight = index !== 8;
    const largeAnswer = largeRight ? String(index) : String(index - 1);
    large.push(
      testRunRecord({
        problem,
        runId: 'test-large',
        generation: { model: 'test-large-model', text: `The answer is \\boxed{${largeAnswer}}.`, answer: largeAnswer, confidenceToken: null, usage: { input: 40, output: 900 + index * 100 } },
        grade: { correct: largeRight },
      }),
    );
  }
  return { problems, small, large };
}
