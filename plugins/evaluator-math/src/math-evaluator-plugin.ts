import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type Evaluator, type EvaluatorInput, type EvaluatorVerdict } from '@confide/core';
import type { VerdictExplanation } from './explain.js';
import { MathEvaluatorOptions } from './math-evaluator-options.js';
import { describeFoundSides, MathGrader } from './math-grader.js';

/** core/math's verdict: an evaluator verdict that also explains itself (both sides found, normalised, parsed; the deciding rule). */
export type MathEvaluatorVerdict = EvaluatorVerdict & { explain: VerdictExplanation };

/** The explanation a verdict carries, when its evaluator gives one (core/math does; `confide grade --explain` prints it). */
export function explanationOf(verdict: EvaluatorVerdict): VerdictExplanation | null {
  const explain = (verdict as Partial<MathEvaluatorVerdict>).explain;
  return explain !== undefined && explain !== null && typeof explain === 'object' && 'decision' in explain ? explain : null;
}

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
   * was found on each side (`found`), the rule that decided (`decision`; `reason` words both) and why (`explain`:
   * each side normalised and parsed). A question, when given, orders labelled values (`a = 4, b = 7`).
   */
  async grade(input: EvaluatorInput): Promise<MathEvaluatorVerdict> {
    const verdict = await this.grader.grade(input.gold, input.response, { explain: true, ...(input.question === undefined ? {} : { question: input.question }) });
    return {
      correct: verdict.equivalent,
      evaluator: MATH_EVALUATOR_ID,
      reason: `extraction: ${describeFoundSides(verdict.found)}; ${verdict.reason}`,
      answer: verdict.found.prediction?.answer ?? null,
      found: { gold: verdict.found.gold, prediction: verdict.found.prediction },
      decision: verdict.reason,
      explain: verdict.explain!,
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
