import type { PluginRegistry, PriceTable, Problem, RunRecord } from '@confide/core';
import { cascade } from '../../cascade.js';
import type { GenerationSource } from '../../generation-source.js';
import { operatingPoint } from '../../sweep/records-point.js';
import type { OperatingPoint } from '../../sweep/threshold-sweep.js';
import type { ResamplePlan } from '../resample-plan.js';
import { outcomeIntervals, outcomesOfRun } from './pair-outcomes.js';
import { slicesOf, type RouterCurve } from './router-curves.js';

/** A cascade entry of an ablation: runs in order, each but the last with the router that keeps or escalates its answer. */
export interface CascadeEntry {
  id: string;
  label: string;
  stages: ReadonlyArray<{ run: string; router?: { id: string; options: Record<string, unknown> } | undefined }>;
}

export interface CascadeContext {
  name: string;
  problems: readonly Problem[];
  prices: PriceTable;
  registry: PluginRegistry;
  source: (run: string) => GenerationSource;
  records: (run: string) => readonly RunRecord[];
  resamples: ResamplePlan;
}

/**
 * Each cascade through the engine, as one point: its mean score, every call it paid, and how many problems reached
 * its last model (its "delegation rate"; its per-problem delegations are not the pair's, so they are left at 0).
 */
export async function cascadeCurves(context: CascadeContext, entries: readonly CascadeEntry[]): Promise<RouterCurve[]> {
  const n = context.problems.length;
  const curves: RouterCurve[] = [];
  for (const entry of entries) {
    const stages = entry.stages.map((stage) => ({
      source: context.source(stage.run),
      ...(stage.router ? { router: context.registry.create('router', stage.router.id, stage.router.options, { priceTable: context.prices }).instance } : {}),
    }));
    const run = await cascade({ runId: `${context.name}/${entry.id}`, problems: context.problems, stages, prices: context.prices });
    const outcomes = outcomesOfRun(run.records, run.ledger, context.problems);
    const lastModel = context.records(entry.stages.at(-1)!.run)[0]!.generation.model;
    const llmCalls = run.records.filter((record) => record.generation.model === lastModel).length;
    const point: OperatingPoint = { ...operatingPoint(run.records, run.ledger), llmCalls, delegationRate: llmCalls / n };
    outcomes.delegated.fill(0);
    curves.push({
      id: entry.id,
      label: entry.label,
      router: { id: 'cascade', kind: 'router', options: { stages: entry.stages } },
      kind: 'cascade',
      points: [point],
      reported: point,
      reportedOutcomes: outcomes,
      ...outcomeIntervals(outcomes, context.resamples),
      aiq: null,
      apgr: null,
      cpt50: null,
      cpt80: null,
      slices: slicesOf(outcomes, context.problems),
      unscored: null,
    });
  }
  return curves;
}
