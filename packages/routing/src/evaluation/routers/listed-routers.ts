import { InvalidConfigError, type PluginContext, type PluginRegistry, type PluginUse, type PriceTable, type Problem, type RunRecord } from '@confide/core';
import { cascade } from '../../cascade.js';
import type { CostLedger } from '../../cost-ledger.js';
import { delegate } from '../../delegate.js';
import { replaySource } from '../../generation-source.js';
import { COST_UNITS_PER_USD, type ModelOutcomeTable } from '../outcome-table.js';
import { cascadeRouter } from './cascade-router.js';
import { modelChoices, type ModelChoices } from './router-result.js';

/**
 * Routers and chains an experiment lists over its K models, run through the engine (`delegate` / `cascade`, the same
 * code `confide run` uses) on replay sources of the models' runs. A plugin router chooses among the models' labels
 * (before generation, or after reading the answers it declares); a chain is an ordered list of models, each stage but
 * the last with a rule that keeps its answer or escalates. The engine's records and ledger give each problem's chosen
 * model, score and paid cost; a chain is also evaluated on the table's columns (its keep masks) and the two must agree.
 */

/** A plugin choice: a registered plugin id and its options. */
interface PluginChoice {
  id: string;
  options: Record<string, unknown>;
}

/** A plugin router the experiment lists over the models (`modelRouters`). */
export interface ListedRouterEntry {
  id: string;
  label: string;
  router: PluginChoice;
}

/** A chain the experiment lists over the models (`chains`): model labels in order, every stage but the last with its rule. */
export interface ListedChainEntry {
  id: string;
  label: string;
  stages: ReadonlyArray<{ model: string; router?: PluginChoice | undefined }>;
}

/** A listed router or chain on the table: per problem the model whose answer it returns, the score and every call paid. */
export interface ListedRouterColumns {
  id: string;
  label: string;
  kind: 'router' | 'chain';
  /** The plugin use (router) or the stages (chain), for provenance. */
  uses: PluginUse[];
  /** The models it calls (labels, in table order). */
  models: string[];
  /** Whether it decides before any model answers (only the chosen model is called) or after reading answers. */
  decides: 'before-generation' | 'after-first-answer';
  choices: ModelChoices;
  score: Float64Array;
  /** Every call paid for the problem (reads, the answer, a router's own call), in 1e-8 dollars. */
  cost: Float64Array;
  meanScore: number;
  meanCostUsd: number;
  /** A chain only: its column evaluation (keep masks on the table) agrees with the engine's records and ledger. */
  engineCheck: { agreed: boolean; columnsMeanScore: number; columnsMeanCostUsd: number } | null;
}

export interface ListedRoutersContext {
  /** The delegated runs' id prefix (the experiment's name). */
  name: string;
  table: ModelOutcomeTable;
  /** The dataset's problems (a superset of the table's is fine). */
  problems: readonly Problem[];
  /** Each model's records, by label. */
  records: (label: string) => readonly RunRecord[];
  registry: PluginRegistry;
  prices: PriceTable;
  pluginContext: PluginContext;
}

/** The chosen model's label a routed record keeps: `route.model`, or for a pair's own labels its `target`. */
function chosenLabel(record: RunRecord, labels: readonly string[], what: string): string {
  const label = record.route?.model ?? record.route?.target;
  if (label === undefined || !labels.includes(label)) {
    throw new InvalidConfigError(`${what}: the engine's record for ${record.problemId} names no model among ${labels.join(', ')}`);
  }
  return label;
}

/** Per problem (table order): the chosen model index, its score, and every call paid (a peek, the oracle's look, is not paid). */
function columnsOfRun(table: ModelOutcomeTable, run: { records: readonly RunRecord[]; ledger: CostLedger }, labels: readonly string[], what: string) {
  const n = table.problemCount;
  const position = new Map(table.problemIds.map((id, index) => [id, index]));
  const choices = modelChoices(table.labels.length, n);
  const score = new Float64Array(n);
  const cost = new Float64Array(n);
  for (const record of run.records) {
    const index = position.get(record.problemId)!;
    const model = table.labels.indexOf(chosenLabel(record, labels, what));
    choices[index] = model;
    score[index] = table.models[model]!.score[index]!;
  }
  for (const entry of run.ledger.entries) {
    if (entry.role !== 'peek') cost[position.get(entry.problemId)!]! += entry.costHundredMillionths;
  }
  const sum = (values: Float64Array) => values.reduce((total, value) => total + value, 0);
  return { choices, score, cost, meanScore: sum(score) / n, meanCostUsd: sum(cost) / n / COST_UNITS_PER_USD };
}

function tableProblems(context: ListedRoutersContext): Problem[] {
  const byId = new Map(context.problems.map((problem) => [problem.id, problem]));
  return context.table.problemIds.map((id) => {
    const problem = byId.get(id);
    if (problem === undefined) throw new InvalidConfigError(`problem ${id}, answered by every model, is not in the experiment's dataset`);
    return problem;
  });
}

function labelOf(context: ListedRoutersContext, label: string, what: string): number {
  const model = context.table.labels.indexOf(label);
  if (model < 0) throw new InvalidConfigError(`${what}: "${label}" is not one of the models (${context.table.labels.join(', ')})`);
  return model;
}

/** Each listed plugin router over the K models through the engine. */
export async function listedRouters(context: ListedRoutersContext, entries: readonly ListedRouterEntry[]): Promise<ListedRouterColumns[]> {
  const problems = tableProblems(context);
  const labels = context.table.labels;
  const results: ListedRouterColumns[] = [];
  for (const entry of entries) {
    const created = context.registry.create('router', entry.router.id, entry.router.options, context.pluginContext);
    const run = await delegate({
      runId: `${context.name}/${entry.id}`,
      problems,
      router: created.instance,
      prices: context.prices,
      models: labels.map((label) => ({ label, source: replaySource(label, context.records(label)) })),
    });
    const columns = columnsOfRun(context.table, run, labels, `modelRouters entry "${entry.id}"`);
    results.push({
      id: entry.id,
      label: entry.label,
      kind: 'router',
      uses: [created.use],
      models: [...labels],
      decides: created.instance.capabilities.decides,
      ...columns,
      engineCheck: null,
    });
  }
  return results;
}

/** Each listed chain through the engine's cascade, checked against its column form (keep masks on the table). */
export async function listedChains(context: ListedRoutersContext, entries: readonly ListedChainEntry[]): Promise<ListedRouterColumns[]> {
  const problems = tableProblems(context);
  const results: ListedRouterColumns[] = [];
  for (const entry of entries) {
    const what = `chains entry "${entry.id}"`;
    const order = entry.stages.map((stage) => labelOf(context, stage.model, what));
    if (new Set(order).size !== order.length) throw new InvalidConfigError(`${what}: a chain calls each model once; got ${entry.stages.map((stage) => stage.model).join(' → ')}`);
    const created = entry.stages.map((stage) => (stage.router ? context.registry.create('router', stage.router.id, stage.router.options, { priceTable: context.prices }) : null));
    const run = await cascade({
      runId: `${context.name}/${entry.id}`,
      problems,
      prices: context.prices,
      stages: entry.stages.map((stage, index) => ({
        label: stage.model,
        source: replaySource(stage.model, context.records(stage.model)),
        ...(created[index] ? { router: created[index]!.instance } : {}),
      })),
    });
    const stageLabels = entry.stages.map((stage) => stage.model);
    const columns = columnsOfRun(context.table, run, stageLabels, what);
    // the column form: a stage keeps where the engine's answer came from it or from no later stage
    const keep = order.map((model) => Uint8Array.from(columns.choices, (choice) => (choice === model ? 1 : 0)));
    const onColumns = cascadeRouter(
      context.table,
      order.map((model, index) => ({ model, ...(index < order.length - 1 ? { keep: keep[index]! } : {}) })),
      entry.label,
    );
    const agreed = Math.abs(onColumns.meanScore - columns.meanScore) < 1e-12 && Math.abs(onColumns.meanCostUsd - columns.meanCostUsd) < 1e-12;
    results.push({
      id: entry.id,
      label: entry.label,
      kind: 'chain',
      uses: created.flatMap((use) => (use === null ? [] : [use.use])),
      models: [...order].sort((left, right) => left - right).map((model) => context.table.labels[model]!),
      decides: 'after-first-answer',
      ...columns,
      engineCheck: { agreed, columnsMeanScore: onColumns.meanScore, columnsMeanCostUsd: onColumns.meanCostUsd },
    });
  }
  return results;
}
