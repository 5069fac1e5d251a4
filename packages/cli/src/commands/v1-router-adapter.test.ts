/**
 * A router written for plugin specification v1, exactly as a v1 plugin author wrote it (`specificationVersion: 'v1'`,
 * `needsSmallAnswer`/`needsLargeAnswer`/`peers`, `decide` returning `target`), registers unchanged and, through the
 * registry's adapter, routes like the built-in v2 router it copies: the same records, ledger and live run outputs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { definePlugin, PRICE_TABLES, PluginRegistry, type RouteDecision } from '@confide/core';
import { loadBundledRun, loadDataset } from '@confide/data';
import { LiveExperiment, runLiveExperiment } from '@confide/experiments';
import { delegate, replaySource } from '@confide/routing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPluginRegistry } from '../plugin-registry.js';

// ---- v1 plugins, as their authors wrote them (the v1 README example and two v1 built-ins, renamed) ------------------

const v1TokenAndLength = definePlugin({
  id: 'v1/token-and-length',
  kind: 'router',
  description: 'keep the SLM answer on <|c_math|> unless it is longer than maxOutputTokens',
  optionsSchema: z.strictObject({ maxOutputTokens: z.number().int().positive().default(800) }),
  create: (options) => ({
    specificationVersion: 'v1',
    capabilities: { needsSmallAnswer: true },
    async decide({ problem, small }): Promise<RouteDecision> {
      if (small === undefined) throw new Error(`core/token-and-length needs the small model's answer for ${problem.id}`);
      const confident = small.generation.confidenceToken === '<|c_math|>';
      const length = small.generation.usage.output;
      const keep = confident && length <= options.maxOutputTokens;
      const reason = !confident ? 'no <|c_math|>' : keep ? `<|c_math|>, ${length} tokens` : `<|c_math|> but ${length} > ${options.maxOutputTokens} tokens`;
      return { router: 'core/token-and-length', target: keep ? 'small' : 'large', reason, score: length };
    },
  }),
});

const v1Oracle = definePlugin({
  id: 'v1/oracle',
  kind: 'router',
  description: 'upper bound: delegate exactly where the SLM is wrong and the LLM right',
  optionsSchema: z.strictObject({}),
  create: () => ({
    specificationVersion: 'v1',
    capabilities: { needsSmallAnswer: true, needsLargeAnswer: true },
    async decide({ problem, small, large }): Promise<RouteDecision> {
      if (!small || !large) throw new Error(`core/oracle needs both answers for ${problem.id}`);
      const delegated = !small.grade.correct && large.grade.correct;
      return { router: 'core/oracle', target: delegated ? 'large' : 'small', reason: delegated ? 'only the LLM is right' : 'delegating would not help' };
    },
  }),
});

function answerKey(answer: string | null): string {
  if (answer === null) return '';
  return answer.replace(/\\left|\\right|\\!|\\,|\\;|\\ /g, '').replace(/\\[dt]frac/g, '\\frac').replace(/\s+/g, '').replace(/\.$/, '');
}

const v1Agreement = definePlugin({
  id: 'v1/agreement',
  kind: 'router',
  description: "delegate when two small models' answers disagree",
  optionsSchema: z.strictObject({ peer: z.string().min(1).default('second') }),
  create: (options) => ({
    specificationVersion: 'v1',
    capabilities: { needsSmallAnswer: true, peers: [options.peer] },
    async decide({ problem, small, peers }): Promise<RouteDecision> {
      const other = peers?.[options.peer];
      if (!small || !other) throw new Error(`core/agreement needs the small answer and peer "${options.peer}" for ${problem.id}`);
      const first = answerKey(small.generation.answer);
      const second = answerKey(other.generation.answer);
      const agree = first !== '' && first === second;
      return { router: 'core/agreement', target: agree ? 'small' : 'large', reason: agree ? 'answers agree' : `answers differ: ${first} vs ${second}` };
    },
  }),
});

function registry(): PluginRegistry {
  return createPluginRegistry().register(v1TokenAndLength).register(v1Oracle).register(v1Agreement);
}

const prices = PRICE_TABLES['seed-math500']!;
const SMALL = 'qwen-1.5b-lora-confidence';
const LARGE = 'gemini-flash';
const CASES = [
  { v1: 'v1/token-and-length', v2: 'core/token-and-length', options: { maxOutputTokens: 600 } },
  { v1: 'v1/oracle', v2: 'core/oracle', options: {} },
  { v1: 'v1/agreement', v2: 'core/agreement', options: { peer: 'seven' }, peers: { seven: 'qwen-7b' } },
];

describe('a v1 router through the adapter', () => {
  it.each(CASES)('$v1 gives the records and ledger of $v2 (offline engine, 500 problems)', async (entry) => {
    const problems = loadDataset('math500');
    const run = (id: string) =>
      delegate({
        runId: 'adapter',
        problems,
        router: registry().create('router', id, entry.options, { priceTable: prices }).instance,
        small: replaySource(SMALL, loadBundledRun(SMALL).records),
        large: replaySource(LARGE, loadBundledRun(LARGE).records),
        peers: Object.fromEntries(Object.entries(entry.peers ?? {}).map(([name, id]) => [name, replaySource(id, loadBundledRun(id).records)])),
        prices,
      });
    const [v1, v2] = [await run(entry.v1), await run(entry.v2)];
    expect(v1.records).toEqual(v2.records);
    expect(JSON.stringify(v1.records)).toBe(JSON.stringify(v2.records));
    expect(v1.ledger.entries).toEqual(v2.ledger.entries);
    // the routes are the v1 routes: small/large, no model label
    expect(new Set(v1.records.map((record) => record.route?.target))).toEqual(new Set(['small', 'large']));
    expect(v1.records.every((record) => record.route?.model === undefined)).toBe(true);
  });

  it('gives the same live run (records, route log, summary) as the built-in router', async () => {
    const slot = (run: string) => ({ client: { id: 'core/replay', options: { run } }, prompt: { user: '{problem}' }, maxOutputTokens: 8192, concurrency: 4 });
    const live = async (id: string) => {
      const experiment = LiveExperiment.parse({
        kind: 'live',
        name: 'adapter',
        title: 'adapter',
        dataset: 'math500',
        limit: 40,
        priceTable: 'seed-math500',
        small: slot(SMALL),
        large: slot(LARGE),
        router: { id, options: { maxOutputTokens: 600 } },
        evaluator: { id: 'core/recorded', options: { runs: [SMALL, LARGE] } },
        retry: { maxAttempts: 1 },
      });
      const outFolder = join(mkdtempSync(join(tmpdir(), 'confide-adapter-')), 'run');
      const result = await runLiveExperiment({ experiment, registry: registry(), outFolder, cachePath: null });
      if (result.status !== 'complete') throw new Error(result.message);
      const sorted = (file: string) => readFileSync(join(outFolder, file), 'utf8').split('\n').sort().join('\n');
      return { records: gunzipSync(readFileSync(join(outFolder, 'records.jsonl.gz'))).toString('utf8'), routes: sorted('stages/routes.jsonl'), summary: result.summary };
    };
    const [v1, v2] = [await live('v1/token-and-length'), await live('core/token-and-length')];
    expect(v1.records).toBe(v2.records);
    expect(v1.routes).toBe(v2.routes);
    expect(v1.routes).toContain('"target":"large"');
    expect({ ...v1.summary, experiment: null }).toEqual({ ...v2.summary, experiment: null });
  });
});
