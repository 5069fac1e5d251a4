import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type Evaluator, type EvaluatorInput, type EvaluatorVerdict } from '@confide/core';
import { MathEvaluatorOptions } from './math-evaluator-options.js';
import { describeFoundSides, MathGrader } from './math-grader.js';

export const MATH_EVALUATOR_ID = 'core/math';

/**
 * The MATH evaluator: finds the answer on each side (gold and response may each be a bare answer, delimited LaTeX or a
 * whole response; options `goldMode`, `predictionMode`) and compares them. The reason names the rule that found each
 * side, then the rule that decided: `extraction: gold whole, prediction boxed; normalized-string`.
 */
export class MathEvaluator implements Evaluator {
  readonly specificationVersion = PLUGIN_SPECIFICATION_VERSION;
  readonly grader: MathGrader;

  constructor(readonly options: MathEvaluatorOptions) {
    this.grader = new MathGrader(options);
  }

  /**
   * `input.extracted` needs no special case: a given answer reads as one answer in mode `auto`. The verdict says what
   * was found on each side (`found`) and the rule that decided (`decision`); `reason` words both.
   */
  async grade(input: EvaluatorInput): Promise<EvaluatorVerdict> {
    const verdict = await this.grader.grade(input.gold, input.response);
    return {
      correct: verdict.equivalent,
      evaluator: MATH_EVALUATOR_ID,
      reason: `extraction: ${describeFoundSides(verdict.found)}; ${verdict.reason}`,
      answer: verdict.found.prediction?.answer ?? null,
      found: { gold: verdict.found.gold, prediction: verdict.found.prediction },
      decision: verdict.reason,
    };
  }

  close(): Promise<void> {
    return this.grader.close();
  }
}

export const mathEvaluatorPlugin = definePlugin({
  id: MATH_EVALUATOR_ID,
  kind: 'evaluator',
  description: 'MATH answer grading: the answer found on both sides (bare, delimited LaTeX or whole response), LaTeX normalisation, exact/symbolic/numeric equivalence with a time budget',
  optionsSchema: MathEvaluatorOptions,
  create: (options) => new MathEvaluator(options),
});
