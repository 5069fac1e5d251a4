import { definePlugin, PLUGIN_SPECIFICATION_VERSION, PluginRegistry, type PriceTable } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startPairRouters, type PairRouterEntry } from './router-curves.js';

/** A router whose work before routing is recorded (started, stopped by the signal) and waits until it is stopped. */
function registryRecording(started: string[], stopped: string[]): PluginRegistry {
  const preparing = definePlugin({
    id: 'test/preparing',
    kind: 'router',
    description: 'waits in prepare until stopped',
    optionsSchema: z.strictObject({ name: z.string() }),
    create: (options) => ({
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: {
        decides: 'before-generation',
        reads: [],
        prepare: ({ signal }) =>
          new Promise<void>((_resolve, reject) => {
            started.push(options.name);
            signal?.addEventListener('abort', () => (stopped.push(options.name), reject(new Error('stopped'))), { once: true });
          }),
      },
      decide: async () => ({ router: 'test/preparing', model: 'small', reason: 'always' }),
    }),
  });
  const plain = definePlugin({
    id: 'test/plain',
    kind: 'router',
    description: 'nothing to prepare',
    optionsSchema: z.strictObject({}),
    create: () => ({ specificationVersion: PLUGIN_SPECIFICATION_VERSION, capabilities: { decides: 'before-generation', reads: [] }, decide: async () => ({ router: 'test/plain', model: 'large', reason: 'always' }) }),
  });
  return new PluginRegistry().register(preparing).register(plain);
}

const entry = (id: string, router: string, options: Record<string, unknown> = {}): PairRouterEntry => ({ id, label: id, router: { id: router, options }, repeats: 1, peers: {} });
const context = (registry: PluginRegistry) => ({ registry, pluginContext: { priceTable: { id: 'none', version: '0', models: {} } as unknown as PriceTable } });

describe('startPairRouters', () => {
  it('starts every router’s work before routing at once, keeps only those with such work when asked, and stops them all', async () => {
    const [started, stopped] = [[] as string[], [] as string[]];
    const routers = startPairRouters([entry('a', 'test/preparing', { name: 'a' }), entry('p', 'test/plain'), entry('b', 'test/preparing', { name: 'b' })], context(registryRecording(started, stopped)), { onlyPreparing: true });
    expect([...routers.byEntry.keys()]).toEqual(['a', 'b']);
    expect(started).toEqual(['a', 'b']);
    await routers.stop();
    expect(stopped).toEqual(['a', 'b']);
    await routers.stop(); // a second stop finds nothing running
    expect(stopped).toEqual(['a', 'b']);
  });

  it('starts nothing when a router cannot be created: the error comes before any work began', () => {
    const [started, stopped] = [[] as string[], [] as string[]];
    expect(() => startPairRouters([entry('a', 'test/preparing', { name: 'a' }), entry('x', 'test/unknown')], context(registryRecording(started, stopped)))).toThrow(/no router plugin "test\/unknown"/);
    expect(started).toEqual([]);
  });
});
