import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type Evaluator, type EvaluatorInput, type Grade } from '@confide/core';
import { extractAnswer } from './extract-answer.js';
import { MathEvaluatorOptions } from './math-evaluator-options.js';
import { MathGrader } from './math-grader.js';

export const MATH_EVALUATOR_ID = 'core/math';

/** The MATH evaluator: extracts the final answer of a response and compares it with the gold answer. */
export class MathEvaluator implements Evaluator {
  readonly specificationVersion = PLUGIN_SPECIFICATION_VERSION;
  readonly grader: MathGrader;

  constructor(readonly options: MathEvaluatorOptions) {
    this.grader = new MathGrader(options);
  }

  async grade(input: EvaluatorInput): Promise<Grade & { answer: string | null }> {
    let answer: string | null;
    let rule: string;
    if (input.extracted) {
      answer = input.response;
      rule = 'given';
    } else {
      const extraction = extractAnswer(input.response, { lastNumberFallback: this.options.lastNumberFallback });
      answer = extraction?.answer ?? null;
      rule = extraction === null ? 'none' : `${extraction.rule}${extraction.fallback ? ' (fallback)' : ''}`;
    }
    if (answer === null) return { correct: false, evaluator: MATH_EVALUATOR_ID, reason: 'extraction: none; no answer', answer };
    const verdict = await this.grader.compare(input.gold, answer);
    return { correct: verdict.equivalent, evaluator: MATH_EVALUATOR_ID, reason: `extraction: ${rule}; ${verdict.reason}`, answer };
  }

  close(): Promise<void> {
    return this.grader.close();
  }
}

export const mathEvaluatorPlugin = definePlugin({
  id: MATH_EVALUATOR_ID,
  kind: 'evaluator',
  description: 'MATH answer grading: boxed-answer extraction, LaTeX normalisation, exact/symbolic/numeric equivalence with a time budget',
  optionsSchema: MathEvaluatorOptions,
  create: (options) => new MathEvaluator(options),
});
