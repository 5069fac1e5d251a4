/** `confide data import <log>` with LiteLLM's model-price JSON: its version, its refused entries, through the command line. */
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

const fixtures = join(workspaceRoot(), 'packages', 'data', 'fixtures', 'peer-logs');
const log = join(fixtures, 'router-arena', 'cached_results', 'gpt-4o-mini.jsonl');
const litellm = join(fixtures, 'litellm', 'model_prices.json');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts) => void out.push(parts.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...parts) => void err.push(parts.join(' ')));
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('confide data import <log> --price-table <LiteLLM model-price JSON>', () => {
  it('--inspect prices the run by the LiteLLM entry, versioned by --price-version, and writes nothing', async () => {
    const { code, out, err } = await cli(['data', 'import', log, '--inspect', '--price-table', litellm, '--price-version', '2025-06-01']);
    expect(code, err).toBe(0);
    expect(out).toContain('run gpt-4o-mini: model gpt-4o-mini; 4 samples, 3 correct, mean score 0.688; costs known (token counts priced): token counts recorded, priced by litellm@2025-06-01; recorded cost $0.00001635');
    expect(out).toContain('nothing written (--inspect)');
  });

  it('a run priced by a tiered entry is refused naming the model; --price-version needs a --price-table', async () => {
    const tiered = await cli(['data', 'import', log, '--inspect', '--price-table', litellm, '--model-map', 'gpt-4o-mini=long-context-model']);
    expect(tiered.code).not.toBe(0);
    expect(tiered.err).toMatch(/model "long-context-model" \(mapped from "gpt-4o-mini"\): its price in litellm-[0-9a-f]{12}@\d{4}-\d{2}-\d{2} is one Confide cannot apply per token: tiered/);
    const alone = await cli(['data', 'import', log, '--inspect', '--price-version', 'v1']);
    expect(alone.code).not.toBe(0);
    expect(alone.err).toContain('--price-version names the version of a --price-table file');
  });
});
