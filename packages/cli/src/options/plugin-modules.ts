import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PluginRegistry } from '@confide/core';
import { EXPERIMENT_FILE, experimentPluginModules, loadExperimentWithPlugins, loadPluginModules, type ExperimentKind, type ExperimentWithPlugins, type LoadedPluginModule } from '@confide/experiments';
import { Option } from 'commander';
import { createPluginRegistry } from '../plugin-registry.js';

/** What `--plugin` gives a command's action: the modules named, in order. */
export interface PluginFlags {
  plugin?: string[];
}

/** `--plugin <module>` (repeatable), for every command that takes plugin ids. */
export function pluginOption(): Option {
  return new Option(
    '--plugin <module>',
    'load plugins from a module of your own: a .ts or .js file (relative to the current folder) or a package name; repeat it; added to the experiment\'s "plugins"',
  ).argParser((value: string, previous: string[] = []) => [...previous, value]);
}

/** Confide's plugins and those of the `--plugin` modules (for a command that reads no experiment). */
export async function registryWithPlugins(flags: PluginFlags): Promise<{ registry: PluginRegistry; pluginModules: LoadedPluginModule[] }> {
  const registry = createPluginRegistry();
  const pluginModules = await loadPluginModules(registry, (flags.plugin ?? []).map((specifier) => ({ specifier, from: process.cwd() })), { relativeTo: process.cwd() });
  return { registry, pluginModules };
}

/**
 * Confide's plugins, the `--plugin` modules and, when `target` is an experiment folder (`confide view <experiment>`),
 * the modules its `plugins` lists, relative to it.
 */
export async function registryForTarget(target: string, flags: PluginFlags): Promise<{ registry: PluginRegistry; pluginModules: LoadedPluginModule[] }> {
  const folder = resolve(target);
  const listed = existsSync(join(folder, EXPERIMENT_FILE)) ? experimentPluginModules(folder).map((specifier) => ({ specifier, from: folder })) : [];
  const registry = createPluginRegistry();
  const fromFlags = (flags.plugin ?? []).map((specifier) => ({ specifier, from: process.cwd() }));
  const pluginModules = await loadPluginModules(registry, [...listed, ...fromFlags], { relativeTo: listed.length > 0 ? folder : process.cwd() });
  return { registry, pluginModules };
}

/** An experiment of `kind` loaded with Confide's plugins, its `plugins` modules and the `--plugin` ones. */
export async function experimentWithPlugins<Kind extends ExperimentKind>(folder: string, kind: Kind, flags: PluginFlags): Promise<ExperimentWithPlugins<Kind> & { registry: PluginRegistry }> {
  const registry = createPluginRegistry();
  return { registry, ...(await loadExperimentWithPlugins(folder, kind, { registry, commandModules: flags.plugin ?? [] })) };
}
