import { InvalidInputError } from '@confide/core';
import { CONFIDENCE_TOKEN_CONFIDENT, COST_UNITS_PER_USD, type ModelOutcomeTable } from '../outcome-table.js';
import { checkModelIndices, meanOver, modelChoices, type ColumnRouterResult } from './router-result.js';

/**
 * One stage of a cascade: the model called, and per problem whether its answer is kept (1) or the problem goes on to
 * the next stage (0). The last stage keeps every answer; its `keep` is not read.
 */
export interface CascadeChainStage {
  model: number;
  keep?: ArrayLike<number>;
}

/**
 * A cascade as an ordered chain: each problem is sent to the first stage's model, kept where that stage's rule says
 * keep, else sent on, paying every call made; the last stage's answer is kept. Evaluated on columns in O(n·stages).
 */
export function cascadeRouter(table: ModelOutcomeTable, stages: readonly CascadeChainStage[], name?: string): ColumnRouterResult {
  if (stages.length < 2) throw new InvalidInputError({ field: 'stages', problem: `a cascade needs at least two stages, got ${stages.length}` });
  const order = stages.map((stage) => stage.model);
  checkModelIndices(table, order, 'stages');
  if (new Set(order).size !== order.length) throw new InvalidInputError({ field: 'stages', problem: `a model is called twice: ${order.join(' → ')}` });
  const n = table.problemCount;
  stages.slice(0, -1).forEach((stage, index) => {
    if (stage.keep === undefined || stage.keep.length !== n) {
      throw new InvalidInputError({ field: `stages[${index}].keep`, problem: `needs one keep flag per problem (${n}), got ${stage.keep?.length ?? 'none'}` });
    }
  });
  const modelCount = table.labels.length;
  const choices = modelChoices(modelCount, n);
  const kept = new Float64Array(modelCount);
  const called = new Float64Array(modelCount);
  let scoreSum = 0;
  let costSum = 0;
  const last = stages.length - 1;
  if (stages.length === 2) {
    // The two-stage chain, the common case (every ordered pair is evaluated), in one tight loop.
    const [first, second] = [stages[0]!.model, stages[1]!.model];
    const keep = stages[0]!.keep!;
    const [firstColumns, secondColumns] = [table.models[first]!, table.models[second]!];
    let keptFirst = 0;
    for (let problem = 0; problem < n; problem++) {
      costSum += firstColumns.costHundredMillionths[problem]!;
      if (keep[problem] === 1) {
        choices[problem] = first;
        keptFirst++;
        scoreSum += firstColumns.score[problem]!;
      } else {
        choices[problem] = second;
        costSum += secondColumns.costHundredMillionths[problem]!;
        scoreSum += secondColumns.score[problem]!;
      }
    }
    kept[first] = keptFirst;
    kept[second] = n - keptFirst;
    called[first] = n;
    called[second] = n - keptFirst;
  }
  for (let problem = 0; stages.length > 2 && problem < n; problem++) {
    for (let stage = 0; stage <= last; stage++) {
      const { model, keep } = stages[stage]!;
      const columns = table.models[model]!;
      called[model]!++;
      costSum += columns.costHundredMillionths[problem]!;
      if (stage === last || keep![problem] === 1) {
        choices[problem] = model;
        kept[model]!++;
        scoreSum += columns.score[problem]!;
        break;
      }
    }
  }
  const share = (count: number) => (n === 0 ? 0 : count / n);
  return {
    name: name ?? `cascade ${order.map((model) => table.labels[model]).join(' → ')}`,
    models: [...order].sort((left, right) => left - right),
    choices,
    meanScore: meanOver(table, scoreSum),
    meanCostUsd: meanOver(table, costSum) / COST_UNITS_PER_USD,
    totalCostUsd: costSum / COST_UNITS_PER_USD,
    shares: kept.map(share),
    callShares: called.map(share),
  };
}

/** A two-stage cascade: keep `first`'s answer where `keep` is 1, else pay `second` too and take its answer. */
export function twoStageCascade(table: ModelOutcomeTable, first: number, second: number, keep: ArrayLike<number>, name?: string): ColumnRouterResult {
  return cascadeRouter(table, [{ model: first, keep }, { model: second }], name);
}

/** Every two-stage chain (every ordered pair of distinct models), each first stage's keep rule from `keepOf`. */
export function everyTwoStageCascade(table: ModelOutcomeTable, keepOf: (first: number) => ArrayLike<number>): ColumnRouterResult[] {
  const results: ColumnRouterResult[] = [];
  for (let first = 0; first < table.labels.length; first++) {
    const keep = keepOf(first);
    for (let second = 0; second < table.labels.length; second++) if (second !== first) results.push(twoStageCascade(table, first, second, keep));
  }
  return results;
}

/** Keep where the model ended its answer with the confident token (Delegation II's rule); none or uncertain go on. */
export function keepWhenConfidentToken(table: ModelOutcomeTable, model: number): Uint8Array {
  checkModelIndices(table, [model], 'model');
  const tokens = table.models[model]!.confidenceToken;
  return tokens.map((token) => (token === CONFIDENCE_TOKEN_CONFIDENT ? 1 : 0));
}

/**
 * Keep where the model's P(c) is at or above `threshold` (core's threshold rule, keep-high); an answer without P(c)
 * goes on at every threshold.
 */
export function keepWhenPConfidentAtLeast(table: ModelOutcomeTable, model: number, threshold: number): Uint8Array {
  checkModelIndices(table, [model], 'model');
  const { pConfident, pConfidentPresent } = table.models[model]!;
  const keep = new Uint8Array(table.problemCount);
  for (let problem = 0; problem < keep.length; problem++) keep[problem] = pConfidentPresent[problem] === 1 && pConfident[problem]! >= threshold ? 1 : 0;
  return keep;
}
