import { PluginRegistry, SEED_PRICES_2025_11 } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { orchestratorRouter } from './orchestrator-router.js';

const router = new PluginRegistry()
  .register(orchestratorRouter)
  .create('router', 'core/orchestrator', {}, { priceTable: SEED_PRICES_2025_11 }).instance;
const problem = { id: 'p', problem: 'x', answer: '1' };

describe('core/orchestrator (replay)', () => {
  it('decides before the small model answers', () => {
    expect(router.needsSmallAnswer).toBe(false);
  });

  it("replays the recorded choice with the orchestrator's usage", async () => {
    const recordedRoute = {
      router: 'recorded',
      target: 'large' as const,
      reason: 'recorded hand_off_model "LLM Math Experts"',
      routerModel: 'gemini-2.5-flash-lite',
      routerUsage: { input: 203, output: 335, thinking: 318 },
    };
    expect(await router.decide({ problem, recordedRoute })).toEqual({ ...recordedRoute, router: 'core/orchestrator' });
  });

  it('fails clearly without a recorded decision', async () => {
    await expect(router.decide({ problem })).rejects.toThrow(/no recorded decision for p/);
  });
});
