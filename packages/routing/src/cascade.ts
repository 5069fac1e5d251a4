import { RouteDecision, type PriceTable, type Problem, type Router, type RunRecord } from '@confide/core';
import { CostLedger } from './cost-ledger.js';
import type { GenerationSource } from './generation-source.js';

/** One stage of a cascade: a model, and the rule that keeps its answer (`small`) or escalates (`large`). */
export interface CascadeStage {
  source: GenerationSource;
  /** Absent on the last stage, whose answer is always kept. */
  router?: Router;
}

export interface CascadeInput {
  runId: string;
  problems: readonly Problem[];
  stages: readonly CascadeStage[];
  prices: PriceTable;
}

/**
 * A chain of models: each stage answers, its rule reads the answer and keeps it or escalates to the next stage.
 * Every model called is billed (escalated answers as `superseded`), so cost = every call actually made.
 */
export async function cascade(input: CascadeInput): Promise<{ records: RunRecord[]; ledger: CostLedger }> {
  if (input.stages.length < 2) throw new Error('a cascade needs at least two stages');
  const ledger = new CostLedger(input.prices);
  const records: RunRecord[] = [];
  for (const problem of input.problems) {
    for (let index = 0; index < input.stages.length; index++) {
      const stage = input.stages[index]!;
      const record = await stage.source.generationFor(problem);
      const last = index === input.stages.length - 1;
      const decision: RouteDecision = last
        ? { router: 'cascade/final', target: 'small', reason: `last stage (${index + 1})` }
        : RouteDecision.parse(await stage.router!.decide({ problem, small: record }));
      if (decision.target === 'small') {
        ledger.add(problem.id, 'answer', record.generation.model, record.generation.usage);
        const { note: _note, ...rest } = record;
        records.push({ ...rest, runId: input.runId, route: { ...decision, reason: `stage ${index + 1}: ${decision.reason}` } });
        break;
      }
      ledger.add(problem.id, 'superseded', record.generation.model, record.generation.usage);
    }
  }
  return { records, ledger };
}
