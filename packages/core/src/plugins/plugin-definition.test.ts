import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SEED_PRICES_2025_11 } from '../prices/seed-prices.js';
import { definePlugin, PLUGIN_SPECIFICATION_VERSION } from './plugin.js';
import { looksLikePlugin, pluginDefinitionProblem } from './plugin-definition.js';
import { DuplicatePluginError, PluginRegistry } from './registry.js';

const definition = () =>
  definePlugin({
    id: 'me/always-small',
    kind: 'router',
    description: 'keeps every answer',
    optionsSchema: z.strictObject({}),
    create: () => ({ specificationVersion: PLUGIN_SPECIFICATION_VERSION, capabilities: { decides: 'before-generation', reads: [] }, decide: async () => ({ router: 'me/always-small', model: 'small', reason: 'always' }) }),
  });

describe('definePlugin and the definition check', () => {
  it('stamps the plugin specification this core implements', () => {
    expect(definition().specificationVersion).toBe(PLUGIN_SPECIFICATION_VERSION);
    expect(pluginDefinitionProblem(definition())).toBeNull();
  });

  it('tells a plugin from other exports by its id and kind', () => {
    expect(looksLikePlugin(definition())).toBe(true);
    expect(looksLikePlugin({ id: 'x' })).toBe(false);
    expect(looksLikePlugin(() => 1)).toBe(false);
    expect(looksLikePlugin('me/x')).toBe(false);
  });

  it.each([
    ['another specification', { ...definition(), specificationVersion: 'v3' }, /written for plugin specification "v3"; this Confide reads v1 and v2/],
    ['no stamp', (({ specificationVersion: _version, ...rest }) => rest)(definition()), /states no plugin specification: declare it with definePlugin from @confide\/core/],
    ['an unknown kind', { ...definition(), kind: 'scorer' }, /key "kind"/],
    ['options that are not a schema', { ...definition(), optionsSchema: { threshold: 1 } }, /key "optionsSchema": expected a zod schema/],
    ['no create', { ...definition(), create: undefined }, /key "create"/],
    ['an id without a namespace', { ...definition(), id: 'always-small' }, /namespace\/name/],
    ["Confide's own namespace", { ...definition(), id: 'core/always-small' }, /"core\/" is Confide's own/],
  ])('refuses %s, saying what is wrong', (_name, value, message) => {
    expect(pluginDefinitionProblem(value)).toMatch(message);
  });
});

describe('PluginRegistry origins', () => {
  it('names both modules when two register one id', () => {
    const registry = new PluginRegistry().register(definition(), { module: 'a.ts', exportName: 'router', sha256: 'a'.repeat(64) });
    expect(registry.origin('me/always-small')).toEqual({ module: 'a.ts', exportName: 'router', sha256: 'a'.repeat(64) });
    expect(registry.create('router', 'me/always-small', {}, { priceTable: SEED_PRICES_2025_11 }).use).toEqual({ id: 'me/always-small', kind: 'router', options: {}, module: { name: 'a.ts', sha256: 'a'.repeat(64) } });
    const again = () => registry.register(definition(), { module: '../lib/b.js', exportName: 'default', sha256: 'b'.repeat(64) });
    expect(again).toThrow(DuplicatePluginError);
    expect(again).toThrow('plugin id "me/always-small" is registered twice: by a.ts (export "router") and by ../lib/b.js (export "default")');
  });

  it("names Confide's built-ins when a module reuses one of their ids", () => {
    const registry = new PluginRegistry().register({ ...definition(), id: 'core/always-small' });
    expect(() => registry.register({ ...definition(), id: 'core/always-small' }, { module: 'mine.ts', exportName: 'x', sha256: 'c'.repeat(64) })).toThrow("by Confide's built-in plugins and by mine.ts (export \"x\")");
  });
});
