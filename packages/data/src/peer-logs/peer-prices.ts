import { existsSync } from 'node:fs';
import { ConfideError, PriceTable } from '@confide/core';
import { z } from 'zod';
import { readJsonFile } from '../io/json-file.js';
import { sha256OfFile } from '../io/file-chunks.js';
import { resolvePriceTable } from '../prices/price-table-file.js';

/**
 * Confide computes costs in integers of 1e-8 $ (`costInHundredMillionths`): a price per million tokens must be a whole
 * number of cents, or it is silently rounded ($0.0375 becomes $0.04). An import refuses such a price, naming the
 * model, rather than write a run whose costs are not those of the table.
 */
export function checkPriceUnit(prices: PriceTable, model: string): void {
  const price = prices.models[model];
  if (price === undefined) return;
  for (const [side, perMillion] of [['input', price.inputPerMillion], ['output', price.outputPerMillion]] as const) {
    const cents = perMillion * 100;
    if (Math.abs(cents - Math.round(cents)) > 1e-6) {
      throw new ConfideError(
        'INVALID_CONFIG',
        `price table ${prices.id}@${prices.version}: model "${model}" costs $${perMillion} per million ${side} tokens, finer than Confide's cost unit (1e-8 $ per token, $0.01 per million): it would round to $${(Math.round(cents) / 100).toFixed(2)}; refused`,
      );
    }
  }
}

/** RouterArena's `model_cost.json`: `{<model>: {input_token_price_per_million, output_token_price_per_million}}`. */
const RouterArenaModelCost = z.record(
  z.string(),
  z.looseObject({ input_token_price_per_million: z.number().nonnegative(), output_token_price_per_million: z.number().nonnegative() }),
);

/**
 * The prices an import names: a bundled table id or a Confide price table file (resolvePriceTable), or RouterArena's
 * `model_cost.json` shape (its version: the file's sha256, its date today's: the file carries none).
 */
export function resolveImportPrices(reference: string, baseFolder = process.cwd()): PriceTable {
  if (reference.endsWith('.json') && existsSync(reference)) {
    const raw = readJsonFile(reference, z.unknown());
    const arena = RouterArenaModelCost.safeParse(raw);
    if (arena.success && Object.keys(arena.data).length > 0 && !('models' in (raw as object))) {
      const hash = sha256OfFile(reference).slice(0, 12);
      return PriceTable.parse({
        id: `model-cost-${hash}`,
        version: new Date().toISOString().slice(0, 10),
        currency: 'USD',
        source: `RouterArena model_cost.json shape, ${reference} (sha256 ${hash}…)`,
        thinkingBilledAs: 'output',
        models: Object.fromEntries(Object.entries(arena.data).map(([model, cost]) => [model, { inputPerMillion: cost.input_token_price_per_million, outputPerMillion: cost.output_token_price_per_million }])),
      });
    }
  }
  return resolvePriceTable(reference, baseFolder);
}
