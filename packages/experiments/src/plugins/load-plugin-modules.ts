import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfideError, looksLikePlugin, pluginDefinitionProblem, type Plugin, type PluginKind, type PluginRegistry } from '@confide/core';
import { installCommandModuleFallback } from './command-module-fallback.js';
import { pluginLoadError } from './plugin-load-error.js';
import { resolvePluginModule, type ResolvedPluginModule } from './resolve-plugin-module.js';

/** A module to load: its specifier as written, and the folder it is relative to (and bare names resolve from). */
export interface PluginModuleRequest {
  specifier: string;
  from: string;
}

/** A loaded module: how provenance names it, its file and content hash, and the plugins it registered. */
export interface LoadedPluginModule {
  /** As provenance names it: a path relative to the experiment's folder, or `name@version` for a package. */
  module: string;
  /** The sha256 of the file loaded. */
  sha256: string;
  /** The ids of the plugins it registered. */
  plugins: string[];
  /** The file, absolute. */
  file: string;
  /** Each plugin with its kind and the export that held it. */
  exports: Array<{ id: string; kind: PluginKind; exportName: string }>;
}

/** The plugins a module exports: every export that is a plugin (CommonJS `module.exports` too), once each, by export name. */
function pluginExports(namespace: Record<string, unknown>): Array<{ exportName: string; value: { id: unknown; kind: unknown } }> {
  const candidates = Object.entries(namespace).filter(([name]) => name !== 'default');
  const fallback = namespace['default'];
  if (looksLikePlugin(fallback)) candidates.push(['default', fallback]);
  // a CommonJS module's exports object, whose names Node could not list as named exports
  else if (typeof fallback === 'object' && fallback !== null) candidates.push(...Object.entries(fallback));
  const seen = new Set<unknown>();
  const found: Array<{ exportName: string; value: { id: unknown; kind: unknown } }> = [];
  for (const [exportName, value] of candidates) {
    if (!looksLikePlugin(value) || seen.has(value)) continue;
    seen.add(value);
    found.push({ exportName, value });
  }
  return found;
}

/** A module's export names, for a message: its CommonJS exports object is named by its keys. */
function exportNames(namespace: Record<string, unknown>): string[] {
  const fallback = namespace['default'];
  const names = new Set(Object.keys(namespace).filter((name) => name !== 'default'));
  if (typeof fallback === 'object' && fallback !== null) for (const name of Object.keys(fallback)) names.add(name);
  else if (fallback !== undefined) names.add('default');
  return [...names];
}

/** Imports one module as it is (TypeScript or JavaScript, ES module or CommonJS) through tsx, and checks its plugins. */
async function importPluginModule(resolved: ResolvedPluginModule): Promise<Array<{ exportName: string; plugin: Plugin }>> {
  const { tsImport } = await import('tsx/esm/api');
  let namespace: Record<string, unknown>;
  try {
    // tsconfig: false: the module loads the same from any current folder, whatever tsconfig.json is there
    namespace = (await tsImport(pathToFileURL(resolved.file).href, { parentURL: import.meta.url, tsconfig: false })) as Record<string, unknown>;
  } catch (error) {
    throw pluginLoadError(resolved.module, resolved.file, error);
  }
  const exports = pluginExports(namespace);
  if (exports.length === 0) {
    throw new ConfideError('INVALID_PLUGIN', `plugin module ${resolved.module} exports no plugin: export one made with definePlugin from @confide/core (exports: ${exportNames(namespace).join(', ') || 'none'})`);
  }
  return exports.map(({ exportName, value }) => {
    const problem = pluginDefinitionProblem(value);
    if (problem !== null) throw new ConfideError('INVALID_PLUGIN', `plugin module ${resolved.module}, export "${exportName}": ${problem}`);
    return { exportName, plugin: value as Plugin };
  });
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Loads plugin modules into `registry`: every module is found first (a missing one fails before any is imported),
 * a module named twice (by the experiment and by `--plugin`) is loaded once, each must export at least one plugin and
 * every plugin must pass the definition check; then they are registered, refusing an id registered twice (naming both
 * modules). `relativeTo` is the folder provenance names module paths against (the experiment's folder). Returns each
 * module with its content hash and the plugins it registered, in the order named.
 */
export async function loadPluginModules(registry: PluginRegistry, requests: readonly PluginModuleRequest[], options: { relativeTo: string }): Promise<LoadedPluginModule[]> {
  const resolved = new Map<string, ResolvedPluginModule>();
  for (const request of requests) {
    const module = resolvePluginModule(request.specifier, request.from, options.relativeTo);
    if (!resolved.has(module.file)) resolved.set(module.file, module);
  }
  if (resolved.size === 0) return [];
  installCommandModuleFallback();
  const loaded: Array<{ module: ResolvedPluginModule; plugins: Array<{ exportName: string; plugin: Plugin }> }> = [];
  for (const module of resolved.values()) loaded.push({ module, plugins: await importPluginModule(module) });
  return loaded.map(({ module, plugins }) => {
    const hash = sha256(module.file);
    for (const { exportName, plugin } of plugins) registry.register(plugin, { module: module.module, exportName, sha256: hash });
    return {
      module: module.module,
      sha256: hash,
      plugins: plugins.map(({ plugin }) => plugin.id),
      file: module.file,
      exports: plugins.map(({ exportName, plugin }) => ({ id: plugin.id, kind: plugin.kind, exportName })),
    };
  });
}
