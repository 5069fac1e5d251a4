import { generationCostBasis, type PriceTable, type RunRecord } from '@confide/core';

/**
 * How a run's records are costed with a price table (core's `generationCostBasis`): by token counts at the table's
 * price, by the cost their source recorded (no token counts, or no price for the model), or not at all.
 */
export interface RunCosts {
  label: string;
  records: number;
  /** Token counts priced by the table. */
  tokens: number;
  /** The recorded cost, where the source recorded no token counts. */
  recordedWithoutTokens: number;
  /** The recorded cost, where the table has no price for the model. */
  recordedWithoutPrice: number;
  /** Cost-unknown: neither token counts nor a recorded cost. */
  unknown: number;
  /** The first cost-unknown record's problem, for the sentence. */
  firstUnknown: string | null;
  /** The models answering (their runs' models), for the sentences. */
  models: string[];
}

/** Counts how each record of a run is costed with `prices`; records with token counts but no price are left to fail where costed (PRICE_MISSING). */
export function runCosts(label: string, records: ReadonlyArray<Pick<RunRecord, 'problemId' | 'generation'>>, prices: PriceTable): RunCosts {
  const costs: RunCosts = { label, records: records.length, tokens: 0, recordedWithoutTokens: 0, recordedWithoutPrice: 0, unknown: 0, firstUnknown: null, models: [] };
  const models = new Set<string>();
  for (const record of records) {
    models.add(record.generation.model);
    const basis = generationCostBasis(prices, record.generation);
    if (basis === 'tokens') costs.tokens++;
    else if (basis === 'recorded') {
      if (record.generation.usageUnknown === true) costs.recordedWithoutTokens++;
      else costs.recordedWithoutPrice++;
    } else if (basis === 'no-tokens') {
      costs.unknown++;
      costs.firstUnknown ??= record.problemId;
    }
  }
  costs.models = [...models];
  return costs;
}

const share = (count: number, of: number, noun: string) => (count === of ? `all ${of} of its ${noun}` : `${count} of its ${of} ${noun}`);

/**
 * Why a run cannot be placed on a cost axis, in one sentence, or null when every record has a cost. A record whose
 * source recorded neither token counts nor a cost has no cost: it is not $0, so the run is left off every cost axis.
 */
export function costUnknownSentence(costs: RunCosts): string | null {
  if (costs.unknown === 0) return null;
  return `${costs.label} is not placed on a cost axis: ${share(costs.unknown, costs.records, 'records')} (the first: problem ${costs.firstUnknown}) carry neither token counts nor a recorded cost, so what they cost is unknown, not $0.`;
}

/** Which of a run's costs are the recorded cost (the source's own, as given) rather than token counts priced, in one sentence; null when none is. */
export function recordedCostSentence(costs: RunCosts, prices: PriceTable): string | null {
  const recorded = costs.recordedWithoutTokens + costs.recordedWithoutPrice;
  if (recorded === 0) return null;
  const why = [
    ...(costs.recordedWithoutTokens > 0 ? [`${costs.recordedWithoutTokens} record no token counts`] : []),
    ...(costs.recordedWithoutPrice > 0 ? [`${costs.recordedWithoutPrice} are of a model ${prices.id}@${prices.version} has no price for (${costs.models.filter((model) => prices.models[model] === undefined).join(', ')})`] : []),
  ];
  return `${costs.label}: the costs of ${share(recorded, costs.records, 'records')} are the recorded cost (the cost its source recorded, as given), not token counts priced by ${prices.id}@${prices.version}: ${why.join('; ')}.`;
}
