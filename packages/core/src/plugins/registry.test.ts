import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfideError } from '../errors.js';
import { SEED_PRICES_2025_11 } from '../prices/seed-prices.js';
import { definePlugin, PLUGIN_SPECIFICATION_VERSION, type Router } from './plugin.js';
import { DuplicatePluginError, PluginRegistry, UnknownPluginError } from './registry.js';

const context = { priceTable: SEED_PRICES_2025_11 };

function router(id: string) {
  return definePlugin({
    id,
    kind: 'router',
    description: 'test router',
    optionsSchema: z.strictObject({ threshold: z.number().min(0).max(1).default(0.5) }),
    create: (options) => ({
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: { decides: 'after-first-answer', reads: ['small'] },
      decide: async () => ({ router: id, model: options.threshold > 0.5 ? 'large' : 'small', reason: 'test' }),
    }),
  });
}

describe('PluginRegistry', () => {
  it('creates a registered plugin with validated options and reports them for the manifest', async () => {
    const registry = new PluginRegistry().register(router('core/threshold'));
    const created = registry.create('router', 'core/threshold', {}, context);
    expect(created.use).toEqual({ id: 'core/threshold', kind: 'router', options: { threshold: 0.5 } });
    const decision = await created.instance.decide({ problem: { id: 'p', problem: 'x', answer: '1' }, models: ['small', 'large'], answers: {} });
    expect(decision.model).toBe('small');
  });

  it('rejects a duplicate id', () => {
    const registry = new PluginRegistry().register(router('core/a'));
    expect(() => registry.register(router('core/a'))).toThrow(DuplicatePluginError);
  });

  it('suggests the closest ids for an unknown id', () => {
    const registry = new PluginRegistry()
      .register(router('core/confidence-token'))
      .register(router('core/orchestrator'))
      .register(router('core/threshold'));
    let error: unknown;
    try {
      registry.get('router', 'core/confidence-tokens');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnknownPluginError);
    expect((error as UnknownPluginError).suggestions[0]).toBe('core/confidence-token');
    expect((error as Error).message).toContain('did you mean "core/confidence-token"');
    expect(ConfideError.isInstance(error) && error.code).toBe('UNKNOWN_PLUGIN');
  });

  it('treats an id of another kind as unknown', () => {
    const registry = new PluginRegistry().register(router('core/a'));
    expect(() => registry.get('evaluator', 'core/a')).toThrow(UnknownPluginError);
  });

  it('names the option key that is wrong', () => {
    const registry = new PluginRegistry().register(router('core/threshold'));
    expect(() => registry.create('router', 'core/threshold', { threshold: 2 }, context)).toThrow(
      /router plugin "core\/threshold": key "threshold"/,
    );
    expect(() => registry.create('router', 'core/threshold', { thresold: 0.2 }, context)).toThrow(/thresold/);
  });

  it('refuses a v2 router that declares v1 capabilities, or reads answers yet decides before generation', () => {
    const registered = (capabilities: unknown) =>
      new PluginRegistry().register(
        definePlugin({
          id: 'test/odd',
          kind: 'router',
          description: 'a router with odd capabilities',
          optionsSchema: z.strictObject({}),
          create: () => ({ specificationVersion: PLUGIN_SPECIFICATION_VERSION, capabilities, decide: () => Promise.reject(new Error('not used')) }) as unknown as Router,
        }),
      );
    expect(() => registered({ needsSmallAnswer: true }).create('router', 'test/odd', {}, context)).toThrow(/capabilities are v1's \(needsSmallAnswer\); state specificationVersion 'v1'/);
    expect(() => registered({ decides: 'before-generation', reads: ['small'] }).create('router', 'test/odd', {}, context)).toThrow(/reads no answer exactly when it decides before generation/);
    expect(registered({ decides: 'before-generation', reads: [] }).create('router', 'test/odd', {}, context).instance.capabilities.reads).toEqual([]);
  });
});
