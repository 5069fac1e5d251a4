import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256OfFile } from '../io/file-chunks.js';
import { importPeerLog } from './import-peer-log.js';
import { liteLlmPrice, resolveImportPrices } from './peer-prices.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/peer-logs/', import.meta.url));
const LITELLM = join(FIXTURES, 'litellm/model_prices.json');
const ARENA_LOG = join(FIXTURES, 'router-arena/cached_results/gpt-4o-mini.jsonl');
const ARENA_PRICES = join(FIXTURES, 'router-arena/model_cost.json');

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'peer-prices-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe("LiteLLM's model-price JSON", () => {
  it('reads per-token entries as prices per million, keeps the others refused with their reason, and skips sample_spec', () => {
    const prices = resolveImportPrices(LITELLM);
    expect(prices.shape).toBe('litellm');
    expect(prices.table.id).toBe(`litellm-${sha256OfFile(LITELLM).slice(0, 12)}`);
    expect(prices.table.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(prices.table.models).toEqual({
      'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
      'small-completion-model': { inputPerMillion: 0.2, outputPerMillion: 0.2 },
      'sub-cent-model': { inputPerMillion: 0.0375, outputPerMillion: 0.15 },
    });
    expect(Object.fromEntries(prices.refused)).toEqual({
      'long-context-model': 'tiered (a price above a token count) (input_cost_per_token_above_128k_tokens)',
      'character-priced-model': 'priced per character (input_cost_per_character)',
      'speech-to-text-model': 'mode "audio_transcription": not a price of text generation',
      'vision-chat-model': 'priced per image (input_cost_per_image)',
      'reasoning-model': 'reasoning tokens priced apart from output tokens (output_cost_per_reasoning_token); Confide bills thinking as output',
      'embedding-model': 'mode "embedding": not a price of text generation',
    });
  });

  it.each([
    [{ input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, tiered_pricing: [{ range: [0, 200000] }] }, 'tiered (tiered_pricing)'],
    [{ input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, output_cost_per_second: 0.01 }, 'priced per second (output_cost_per_second)'],
    [{ input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, input_cost_per_request: 0.005 }, 'priced per request (input_cost_per_request)'],
    [{ output_cost_per_token: 2e-6, mode: 'chat' }, 'no price per token (input_cost_per_token and output_cost_per_token)'],
    ['0.1', 'not an object'],
  ])('refuses %j: %s', (entry, reason) => {
    expect(liteLlmPrice(entry)).toBe(reason);
  });

  it('takes its version from --price-version (a date as the version, else in the id), else the file hash', () => {
    expect(resolveImportPrices(LITELLM, { version: '2025-06-01' }).table).toMatchObject({ id: 'litellm', version: '2025-06-01' });
    expect(resolveImportPrices(LITELLM, { version: 'v1.74.0' }).table.id).toBe('litellm-v1.74.0');
    expect(resolveImportPrices(ARENA_PRICES, { version: '2025-06-01' }).table).toMatchObject({ id: 'model-cost', version: '2025-06-01' });
    const confide = join(folder, 'prices.json');
    writeFileSync(confide, JSON.stringify({ id: 'mine', version: '2025-01-01', currency: 'USD', source: 's', thinkingBilledAs: 'output', models: {} }));
    expect(() => resolveImportPrices(confide, { version: 'v2' })).toThrow(/--price-version v2: .*prices\.json is a Confide price table, which names its own version/);
  });

  it('prices an import by it: the run carries its own model\'s entry only', async () => {
    const prices = resolveImportPrices(LITELLM, { version: '2025-06-01' });
    const imported = await importPeerLog({ path: ARENA_LOG, prices: prices.table, refusedPrices: prices.refused, spoolFolder: folder });
    const [run] = imported.runs;
    imported.discard();
    expect([run!.cost.known, run!.cost.basis, run!.cost.reason]).toEqual([true, 'tokens', 'token counts recorded, priced by litellm@2025-06-01']);
    expect(run!.manifest.priceTable).toMatchObject({ id: 'litellm', version: '2025-06-01', models: { 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } } });
    expect(Object.keys((run!.manifest.priceTable as { models: object }).models)).toEqual(['gpt-4o-mini']);
  });

  it.each([
    ['long-context-model', /model "long-context-model" \(mapped from "gpt-4o-mini"\): its price in litellm@2025-06-01 is one Confide cannot apply per token: tiered .*input_cost_per_token_above_128k_tokens.*; refused/],
    ['character-priced-model', /model "character-priced-model" .*priced per character \(input_cost_per_character\); refused/],
    ['sub-cent-model', /model "sub-cent-model" costs \$0\.0375 per million input tokens, finer than Confide's cost unit/],
  ])('a run that uses %s is refused naming the model', async (model, message) => {
    const prices = resolveImportPrices(LITELLM, { version: '2025-06-01' });
    await expect(importPeerLog({ path: ARENA_LOG, prices: prices.table, refusedPrices: prices.refused, modelMap: { 'gpt-4o-mini': model }, spoolFolder: folder })).rejects.toThrow(message);
  });
});
