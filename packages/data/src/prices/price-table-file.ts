import { isAbsolute, resolve } from 'node:path';
import { NotFoundError, PRICE_TABLES, PriceTable } from '@confide/core';
import { z } from 'zod';
import { readJsonFile } from '../io/json-file.js';

/**
 * How a config names its prices: a bundled price table id (`seed-math500`) or a JSON file of one's own
 * (`{id, version: "YYYY-MM-DD", currency: "USD", source, thinkingBilledAs: "output", models: {<model>: {inputPerMillion,
 * outputPerMillion}}}`), relative to the config's folder.
 */
export const PriceTableReference = z
  .string()
  .min(1)
  .refine((reference) => reference in PRICE_TABLES || reference.endsWith('.json'), {
    message: `a bundled price table (${Object.keys(PRICE_TABLES).join(', ')}) or a path to a price table .json file`,
  });

/** The price table a reference names; a file is validated (a bad key is named with the file). */
export function resolvePriceTable(reference: string, baseFolder = process.cwd()): PriceTable {
  const bundled = PRICE_TABLES[reference];
  if (bundled) return bundled;
  if (!reference.endsWith('.json')) throw new NotFoundError(`no price table "${reference}" (bundled: ${Object.keys(PRICE_TABLES).join(', ')}; or a .json file)`);
  return readJsonFile(isAbsolute(reference) ? reference : resolve(baseFolder, reference), PriceTable);
}
