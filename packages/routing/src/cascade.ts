import { resolveModelLabel, RouteDecision, RouterDecision, routeOf, type PriceTable, type Problem, type Router, type RunRecord } from '@confide/core';
import { CostLedger } from './cost-ledger.js';
import { RoutingError } from './delegate.js';
import type { GenerationSource } from './generation-source.js';

/**
 * One stage of a cascade: a model, and the rule that keeps its answer or escalates to the next stage. The rule is a
 * pair router over (this stage, the next): `small` names this stage's model and `large` the next one's.
 */
export interface CascadeStage {
  source: GenerationSource;
  /** Absent on the last stage, whose answer is always kept. */
  router?: Router;
  /** The stage's model label among an experiment's listed models; records then name it in `route.model`. */
  label?: string;
}

export interface CascadeInput {
  runId: string;
  problems: readonly Problem[];
  stages: readonly CascadeStage[];
  prices: PriceTable;
}

/** A stage's rule reads at most its own stage's answer (as `small` or by the stage's label). */
function checkStageRule(router: Router, pair: readonly string[], index: number): void {
  for (const name of router.capabilities.reads) {
    if (resolveModelLabel(name, pair) !== pair[0]) {
      throw new RoutingError(`cascade stage ${index + 1}: its rule reads "${name}", but a stage's rule reads only its own stage's answer ("small")`);
    }
  }
}

/**
 * A chain of models: each stage answers, its rule reads the answer and keeps it or escalates to the next stage.
 * Every model called is billed (escalated answers as `superseded`), so cost = every call actually made.
 */
export async function cascade(input: CascadeInput): Promise<{ records: RunRecord[]; ledger: CostLedger }> {
  if (input.stages.length < 2) throw new Error('a cascade needs at least two stages');
  const labelled = input.stages.every((stage) => stage.label !== undefined);
  if (!labelled && input.stages.some((stage) => stage.label !== undefined)) throw new RoutingError('a cascade labels every stage or none');
  // each stage's rule sees a pair: this stage and the next, by label (or as `small` and `large`)
  const pairs = input.stages.map((stage, index) => (labelled ? [stage.label!, input.stages[index + 1]?.label ?? stage.label!] : ['small', 'large']));
  input.stages.forEach((stage, index) => {
    if (stage.router !== undefined && index < input.stages.length - 1) checkStageRule(stage.router, pairs[index]!, index);
  });
  const ledger = new CostLedger(input.prices);
  const records: RunRecord[] = [];
  for (const problem of input.problems) {
    for (let index = 0; index < input.stages.length; index++) {
      const stage = input.stages[index]!;
      const pair = pairs[index]!;
      const record = await stage.source.generationFor(problem);
      const last = index === input.stages.length - 1;
      const decision: RouterDecision = last
        ? { router: 'cascade/final', model: pair[0]!, reason: `last stage (${index + 1})` }
        : RouterDecision.parse(await stage.router!.decide({ problem, models: pair, answers: answersFor(stage.router!, record) }));
      const chosen = resolveModelLabel(decision.model, pair);
      if (chosen === undefined) throw new RoutingError(`cascade stage ${index + 1}: router "${decision.router}" chose "${decision.model}", not one of ${pair.join(', ')}`);
      if (chosen === pair[0]) {
        ledger.addGeneration(problem.id, 'answer', record.generation);
        const { note: _note, ...rest } = record;
        const route = routeOf({ ...decision, model: labelled ? chosen : 'small', reason: `stage ${index + 1}: ${decision.reason}` }, pair);
        records.push({ ...rest, runId: input.runId, route: RouteDecision.parse(route) });
        break;
      }
      ledger.addGeneration(problem.id, 'superseded', record.generation);
    }
  }
  return { records, ledger };
}

/** The stage's answer under every name its rule reads it by. */
function answersFor(router: Router, record: RunRecord): Record<string, RunRecord> {
  return Object.fromEntries(router.capabilities.reads.map((name) => [name, record]));
}
