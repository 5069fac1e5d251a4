import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfideError, PluginRegistry } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { loadPluginModules } from './load-plugin-modules.js';

/**
 * Hand-made modules in a temporary folder outside the checkout (no node_modules above them). They import `zod`, which
 * only the command's own node_modules has: the same fallback that gives a user's module `@confide/core`. (The built
 * command's tests import @confide/core itself: packages/cli/src/e2e/external-plugins.e2e.test.ts.)
 */
function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'confide-plugins-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, name)), { recursive: true });
    writeFileSync(join(folder, name), text);
  }
  return folder;
}

/** A router definition as definePlugin writes it, in plain JavaScript (the stamp written out). */
const routerObject = (id: string) =>
  `{ specificationVersion: 'v2', id: '${id}', kind: 'router', description: 'test', optionsSchema: z.strictObject({ threshold: z.number().default(0.5) }), create: () => ({ specificationVersion: 'v2', capabilities: { decides: 'before-generation', reads: [] }, decide: async () => ({ router: '${id}', model: 'small', reason: 'test' }) }) }`;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function loadError(folder: string, specifiers: string[], registry = new PluginRegistry()): Promise<ConfideError> {
  const error = await loadPluginModules(registry, specifiers.map((specifier) => ({ specifier, from: folder })), { relativeTo: folder }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!ConfideError.isInstance(error)) throw new Error(`expected a ConfideError, got ${String(error)}`);
  return error;
}

describe('loadPluginModules', () => {
  it('loads TypeScript (ES module) and CommonJS files as they are, registering their plugins and ignoring other exports', async () => {
    const folder = folderWith({
      'esm/package.json': '{ "type": "module" }',
      'esm/my-router.ts': `import { z } from 'zod';\nconst note: string = 'not a plugin';\nexport { note };\nexport const myRouter = ${routerObject('me/esm-router')};\n`,
      'lib/routers.js': `const { z } = require('zod');\nmodule.exports = { helper: () => 1, first: ${routerObject('me/cjs-first')}, second: ${routerObject('me/cjs-second')} };\n`,
      'experiment/experiment.json': '{}',
    });
    const experiment = join(folder, 'experiment');
    const registry = new PluginRegistry();
    const loaded = await loadPluginModules(registry, [{ specifier: '../esm/my-router.ts', from: experiment }, { specifier: '../lib/routers.js', from: experiment }], { relativeTo: experiment });
    expect(loaded.map(({ module, sha256, plugins }) => ({ module, sha256, plugins }))).toEqual([
      { module: '../esm/my-router.ts', sha256: sha256(join(folder, 'esm/my-router.ts')), plugins: ['me/esm-router'] },
      { module: '../lib/routers.js', sha256: sha256(join(folder, 'lib/routers.js')), plugins: ['me/cjs-first', 'me/cjs-second'] },
    ]);
    expect(registry.ids('router')).toEqual(['me/cjs-first', 'me/cjs-second', 'me/esm-router']);
    expect(registry.origin('me/cjs-second')).toEqual({ module: '../lib/routers.js', exportName: 'second', sha256: sha256(join(folder, 'lib/routers.js')) });
    expect(registry.parseOptions('router', 'me/esm-router', {})).toEqual({ threshold: 0.5 });
  });

  it('loads a module named twice (by the experiment and by --plugin) once', async () => {
    const folder = folderWith({ 'r.cjs': `const { z } = require('zod');\nexports.r = ${routerObject('me/once')};\n` });
    const loaded = await loadPluginModules(new PluginRegistry(), [{ specifier: './r.cjs', from: folder }, { specifier: join(folder, 'r.cjs'), from: tmpdir() }], { relativeTo: folder });
    expect(loaded.map((module) => module.module)).toEqual(['r.cjs']);
  });

  it('resolves a package name from the folder upward and names it name@version', async () => {
    const folder = folderWith({
      'node_modules/@me/routers/package.json': JSON.stringify({ name: '@me/routers', version: '1.2.3', type: 'module', exports: { '.': { import: './dist/index.js' } } }),
      'node_modules/@me/routers/dist/index.js': `import { z } from 'zod';\nexport const r = ${routerObject('me/packaged')};\n`,
      'deep/er/experiment.json': '{}',
    });
    const loaded = await loadPluginModules(new PluginRegistry(), [{ specifier: '@me/routers', from: join(folder, 'deep', 'er') }], { relativeTo: join(folder, 'deep', 'er') });
    expect(loaded.map(({ module, plugins }) => ({ module, plugins }))).toEqual([{ module: '@me/routers@1.2.3', plugins: ['me/packaged'] }]);
    expect(loaded[0]!.sha256).toBe(sha256(join(folder, 'node_modules/@me/routers/dist/index.js')));
  });

  it.each([
    ['a module without a plugin', { 'm.ts': 'export const answer = 42;\n' }, ['./m.ts'], 'INVALID_PLUGIN', 'plugin module m.ts exports no plugin: export one made with definePlugin from @confide/core (exports: answer)'],
    [
      'a plugin-looking export that fails validation',
      { 'm.cjs': `const { z } = require('zod');\nexports.good = ${routerObject('me/good')};\nexports.broken = { id: 'me/broken', kind: 'router', specificationVersion: 'v2', description: 'x', optionsSchema: {}, create: () => null };\n` },
      ['./m.cjs'],
      'INVALID_PLUGIN',
      'plugin module m.cjs, export "broken": key "optionsSchema": expected a zod schema',
    ],
    ['a plugin for another specification', { 'm.cjs': `const { z } = require('zod');\nexports.r = { ...${routerObject('me/future')}, specificationVersion: 'v3' };\n` }, ['./m.cjs'], 'INVALID_PLUGIN', 'export "r": plugin "me/future" was written for plugin specification "v3"; this Confide reads v1 and v2'],
    ['a plugin under core/', { 'm.cjs': `const { z } = require('zod');\nexports.r = ${routerObject('core/threshold')};\n` }, ['./m.cjs'], 'INVALID_PLUGIN', 'export "r": plugin "core/threshold": the namespace "core/" is Confide\'s own'],
    [
      'two modules registering one id',
      { 'a.cjs': `const { z } = require('zod');\nexports.r = ${routerObject('me/same')};\n`, 'lib/b.cjs': `const { z } = require('zod');\nexports.other = ${routerObject('me/same')};\n` },
      ['./a.cjs', './lib/b.cjs'],
      'DUPLICATE_PLUGIN',
      'plugin id "me/same" is registered twice: by a.cjs (export "r") and by lib/b.cjs (export "other")',
    ],
    ['a TypeScript syntax error', { 'bad.ts': 'export const a = 1;\nexport const b = (;\n' }, ['./bad.ts'], 'PLUGIN_LOAD_FAILED', 'plugin module bad.ts:2:19: syntax error: Unexpected ";"'],
    ['a CommonJS syntax error', { 'bad.cjs': 'exports.a = 1;\n  exports.b = (;\n' }, ['./bad.cjs'], 'PLUGIN_LOAD_FAILED', "plugin module bad.cjs:2:16: syntax error: Unexpected token ';'"],
    ['a throw at import', { 'throws.ts': "throw new Error('no API key in MY_KEY');\n" }, ['./throws.ts'], 'PLUGIN_LOAD_FAILED', 'plugin module throws.ts threw while it was imported: no API key in MY_KEY'],
    ['an import that is not there', { 'm.ts': "import { x } from 'no-such-package-anywhere';\nexport const y = x;\n" }, ['./m.ts'], 'PLUGIN_LOAD_FAILED', "plugin module m.ts: an import is not found: Cannot find module 'no-such-package-anywhere'"],
    ['a missing file', {}, ['./nowhere.ts'], 'PLUGIN_LOAD_FAILED', 'plugin module "./nowhere.ts": no file '],
    ['a package that is not installed', {}, ['some-plugin-package'], 'PLUGIN_LOAD_FAILED', 'plugin module "some-plugin-package": no package "some-plugin-package" in node_modules'],
  ])('refuses %s in one coded line naming the file', async (_case, files, specifiers, code, message) => {
    const error = await loadError(folderWith(files), specifiers);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
  });

  it("refuses a module's plugin whose id one of Confide's own plugins has", async () => {
    const registry = new PluginRegistry().register({ id: 'me/builtin', kind: 'router', description: 'x', optionsSchema: { safeParse: () => ({ success: true, data: {} }) } as never, create: () => null as never });
    const error = await loadError(folderWith({ 'm.cjs': `const { z } = require('zod');\nexports.r = ${routerObject('me/builtin')};\n` }), ['./m.cjs'], registry);
    expect(error.message).toBe('plugin id "me/builtin" is registered twice: by Confide\'s built-in plugins and by m.cjs (export "r"); an id names one plugin');
  });
});
