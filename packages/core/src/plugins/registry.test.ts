import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfideError } from '../errors.js';
import { SEED_PRICES_2025_11 } from '../prices/seed-prices.js';
import { definePlugin, PLUGIN_SPECIFICATION_VERSION } from './plugin.js';
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
      capabilities: { needsSmallAnswer: true },
      decide: async () => ({ router: id, target: options.threshold > 0.5 ? 'large' : 'small', reason: 'test' }),
    }),
  });
}

describe('PluginRegistry', () => {
  it('creates a registered plugin with validated options and reports them for the manifest', async () => {
    const registry = new PluginRegistry().register(router('core/threshold'));
    const created = registry.create('router', 'core/threshold', {}, context);
    expect(created.use).toEqual({ id: 'core/threshold', kind: 'router', options: { threshold: 0.5 } });
    const decision = await created.instance.decide({ problem: { id: 'p', problem: 'x', answer: '1' } });
    expect(decision.target).toBe('small');
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
});
