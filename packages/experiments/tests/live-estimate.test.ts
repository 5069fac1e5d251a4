import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, startGeminiStandIn, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';
import { runLiveExperiment } from '../src/live/run-live-experiment.js';
import { standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

beforeAll(() => {
  process.env['CONFIDE_TEST_VLLM_KEY'] = 'sk-confide-fake';
  process.env['CONFIDE_TEST_GEMINI_KEY'] = 'sk-confide-fake';
});

const servers: StandInServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Every progress line's estimate to finish and the bound it states beside it. */
function estimates(lines: readonly string[]): Array<{ toFinish: number; atMost: number }> {
  return lines.flatMap((line) => {
    const match = /to finish ~\$([\d.]+) \(at most \$([\d.]+)\)/.exec(line);
    return match ? [{ toFinish: Number(match[1]), atMost: Number(match[2]) }] : [];
  });
}

describe('the estimates of a live run', () => {
  it('never exceed the stated bound, and are zero when a finished run is resumed', async () => {
    const vllm = await startOpenAIStandIn({ latencyMs: 1, responder: defaultResponder() });
    const gemini = await startGeminiStandIn({ latencyMs: 1, responder: defaultResponder({ thinking: true }) });
    servers.push(vllm, gemini);
    const experiment = standInExperiment({ vllm: vllm.url, gemini: gemini.url });
    const outFolder = mkdtempSync(join(tmpdir(), 'estimate-run-'));
    const problems = syntheticProblems(40);

    const first: string[] = [];
    const finished = await runLiveExperiment({ experiment, registry: testRegistry(), outFolder, cachePath: null, problems, write: (text) => void first.push(text) });
    expect(finished.status).toBe('complete');
    const firstEstimates = estimates(first);
    expect(firstEstimates.length).toBeGreaterThan(2);
    for (const { toFinish, atMost } of firstEstimates) expect(toFinish).toBeLessThanOrEqual(atMost);
    expect(firstEstimates.at(-1)).toEqual({ toFinish: 0, atMost: 0 });

    // resumed when every answer is recorded: nothing is left to spend, and nothing is estimated
    const again: string[] = [];
    const resumed = await runLiveExperiment({ experiment, registry: testRegistry(), outFolder, resume: true, cachePath: null, problems, write: (text) => void again.push(text) });
    expect(resumed.status).toBe('complete');
    expect(resumed.estimateUpperUsd).toBeCloseTo(finished.spentUsd, 8);
    expect(again.join('')).toMatch(/cost at most \$[\d.]+ \(all calls, orchestrator included: what is recorded/);
    for (const estimate of estimates(again)) expect(estimate).toEqual({ toFinish: 0, atMost: 0 });
  });
});
