import { PriceTable } from './price-table.js';

/**
 * The prices the seed's authors used for the MATH-500 tables (list prices as of November 2025, $ per 1M tokens).
 * The open models are priced as if served; the LoRA-adapted 1.5B costs what its base costs.
 */
export const SEED_PRICES_2025_11: PriceTable = PriceTable.parse({
  id: 'seed-math500',
  version: '2025-11-20',
  currency: 'USD',
  source:
    'Akirahai/Delegate_SLM_Focus README (commit 39570edd); Gemini API list prices, standard tier, prompts under 200k tokens',
  thinkingBilledAs: 'output',
  models: {
    'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
    'gemini-2.5-flash-lite': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
    'gemini-2.5-pro': { inputPerMillion: 1.25, outputPerMillion: 10 },
    'qwen2.5-math-1.5b-instruct': { inputPerMillion: 0.1, outputPerMillion: 0.1 },
    'qwen2.5-math-1.5b-instruct-lora-confidence': { inputPerMillion: 0.1, outputPerMillion: 0.1 },
    'qwen2.5-math-7b-instruct': { inputPerMillion: 0.3, outputPerMillion: 0.3 },
  },
});

/** Every price table Confide ships, by id; a config names one. */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = Object.freeze({
  [SEED_PRICES_2025_11.id]: SEED_PRICES_2025_11,
});
