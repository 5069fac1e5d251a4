import { existsSync } from 'node:fs';
import { ConfideError, InvalidConfigError, PriceTable, type ModelPrice } from '@confide/core';
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

/** The prices an import reads: a Confide price table, and the models a price file names but Confide cannot price (why). */
export interface ImportPrices {
  table: PriceTable;
  /** Models whose entry was refused (per character, per second, per image, tiered…): refused, naming the reason, when a run uses one. */
  refused: ReadonlyMap<string, string>;
  /** The file's shape: a Confide price table (or a bundled id), RouterArena's model_cost.json, or LiteLLM's model-price JSON. */
  shape: 'confide' | 'router-arena' | 'litellm';
}

/** RouterArena's `model_cost.json`: `{<model>: {input_token_price_per_million, output_token_price_per_million}}`. */
const RouterArenaModelCost = z.record(
  z.string(),
  z.looseObject({ input_token_price_per_million: z.number().nonnegative(), output_token_price_per_million: z.number().nonnegative() }),
);

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The id and version of a price table read from a file that carries neither (RouterArena's, LiteLLM's): `--price-version`
 * as the version when it is a date (YYYY-MM-DD), else in the id (a release tag, a commit), else the file's sha256 in
 * the id; the version is then the date the prices were read (today).
 */
function priceIdentity(base: string, file: string, version: string | undefined): { id: string; version: string; hash: string } {
  const hash = sha256OfFile(file);
  const today = new Date().toISOString().slice(0, 10);
  if (version === undefined) return { id: `${base}-${hash.slice(0, 12)}`, version: today, hash };
  if (DATE.test(version)) return { id: base, version, hash };
  const tag = version.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  if (tag === '') throw new InvalidConfigError(`--price-version ${JSON.stringify(version)}: expected a date (YYYY-MM-DD) or a tag of letters, digits, ".", "_" and "-"`);
  return { id: `${base}-${tag}`, version: today, hash };
}

/** LiteLLM modes whose prices are per token of text generation. */
const TEXT_MODES = new Set(['chat', 'completion', 'responses']);

/** Price keys (a positive number) that bill something other than tokens, or bill tokens by tier: such entries are refused. */
const OTHER_UNITS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /_above_\d+k?_tokens$/, what: 'tiered (a price above a token count)' },
  { pattern: /_per_character/, what: 'priced per character' },
  { pattern: /_per_(second|minute|hour)|_per_video_per_second/, what: 'priced per second' },
  { pattern: /_per_(image|pixel)|^cost_per_image/, what: 'priced per image' },
  { pattern: /_per_(request|query)$/, what: 'priced per request' },
];

/**
 * One entry of LiteLLM's model-price JSON (`model_prices_and_context_window.json`: per model `input_cost_per_token`,
 * `output_cost_per_token` in dollars, `litellm_provider`, `mode`, …) as a Confide price per million tokens, or why it is
 * refused: not text generation (its `mode`), priced per character, per second, per image or per request, tiered
 * (`…_above_128k_tokens`, `tiered_pricing`), reasoning tokens priced apart from output, or no per-token price.
 */
export function liteLlmPrice(entry: unknown): ModelPrice | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'not an object';
  const fields = entry as Record<string, unknown>;
  const mode = fields['mode'];
  if (mode !== undefined && (typeof mode !== 'string' || !TEXT_MODES.has(mode))) return `mode ${JSON.stringify(mode)}: not a price of text generation`;
  if (fields['tiered_pricing'] !== undefined) return 'tiered (tiered_pricing)';
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'number' || !(value > 0)) continue;
    const unit = OTHER_UNITS.find((candidate) => candidate.pattern.test(key));
    if (unit) return `${unit.what} (${key})`;
  }
  const input = fields['input_cost_per_token'];
  const output = fields['output_cost_per_token'];
  if (typeof input !== 'number' || typeof output !== 'number' || input < 0 || output < 0) return 'no price per token (input_cost_per_token and output_cost_per_token)';
  const reasoning = fields['output_cost_per_reasoning_token'];
  if (typeof reasoning === 'number' && reasoning !== output) return 'reasoning tokens priced apart from output tokens (output_cost_per_reasoning_token); Confide bills thinking as output';
  // dollars per token to dollars per million, without the float noise of the product (1.5e-7 * 1e6 = 0.15000000000000002)
  const perMillion = (perToken: number) => Number((perToken * 1e6).toPrecision(12));
  return { inputPerMillion: perMillion(input), outputPerMillion: perMillion(output) };
}

/** Whether a parsed file is LiteLLM's model-price JSON: an object of objects, one at least with a LiteLLM price or provider key. */
function isLiteLlmShape(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'models' in raw) return false;
  return Object.values(raw).some((entry) => typeof entry === 'object' && entry !== null && ('input_cost_per_token' in entry || 'litellm_provider' in entry));
}

export interface ImportPricesOptions {
  /** `--price-version`: the version of a file that carries none (RouterArena's, LiteLLM's); default: the file's sha256. */
  version?: string;
  baseFolder?: string;
}

/**
 * The prices an import names: a bundled table id or a Confide price table file (resolvePriceTable), RouterArena's
 * `model_cost.json` shape, or LiteLLM's model-price JSON (each entry priced per token read, the others kept as refused
 * with their reason). The last two carry no id or version: `--price-version`, else the file's sha256 (priceIdentity).
 */
export function resolveImportPrices(reference: string, options: ImportPricesOptions = {}): ImportPrices {
  if (reference.endsWith('.json') && existsSync(reference)) {
    const raw = readJsonFile(reference, z.unknown());
    const arena = RouterArenaModelCost.safeParse(raw);
    if (arena.success && Object.keys(arena.data).length > 0 && !('models' in (raw as object))) {
      const identity = priceIdentity('model-cost', reference, options.version);
      const table = PriceTable.parse({
        id: identity.id,
        version: identity.version,
        currency: 'USD',
        source: `RouterArena model_cost.json shape, ${reference} (sha256 ${identity.hash.slice(0, 12)}…)`,
        thinkingBilledAs: 'output',
        models: Object.fromEntries(Object.entries(arena.data).map(([model, cost]) => [model, { inputPerMillion: cost.input_token_price_per_million, outputPerMillion: cost.output_token_price_per_million }])),
      });
      return { table, refused: new Map(), shape: 'router-arena' };
    }
    if (isLiteLlmShape(raw)) {
      const identity = priceIdentity('litellm', reference, options.version);
      const models: Record<string, ModelPrice> = {};
      const refused = new Map<string, string>();
      for (const [model, entry] of Object.entries(raw)) {
        // the file's first entry documents the fields (its values are descriptions), it prices no model
        if (model === 'sample_spec') continue;
        const price = liteLlmPrice(entry);
        if (typeof price === 'string') refused.set(model, price);
        else models[model] = price;
      }
      const table = PriceTable.parse({
        id: identity.id,
        version: identity.version,
        currency: 'USD',
        source: `LiteLLM model-price JSON, ${reference} (sha256 ${identity.hash.slice(0, 12)}…): ${Object.keys(models).length} models priced per token, ${refused.size} refused`,
        thinkingBilledAs: 'output',
        models,
      });
      return { table, refused, shape: 'litellm' };
    }
  }
  if (options.version !== undefined) throw new InvalidConfigError(`--price-version ${options.version}: ${reference} is a Confide price table, which names its own version; --price-version is for RouterArena's and LiteLLM's price files`);
  return { table: resolvePriceTable(reference, options.baseFolder ?? process.cwd()), refused: new Map(), shape: 'confide' };
}
