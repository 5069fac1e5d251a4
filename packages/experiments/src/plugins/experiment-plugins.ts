import { join } from 'node:path';
import type { PluginRegistry } from '@confide/core';
import { readConfigFile } from '@confide/data';
import { z } from 'zod';
import { EXPERIMENT_FILE, experimentKindOf, loadExperimentOfKind, type ExperimentKind, type LoadedExperiment } from '../experiment.js';
import { PluginModules } from '../experiment-header.js';
import { loadPluginModules, type LoadedPluginModule } from './load-plugin-modules.js';

/** The plugin modules `<folder>/experiment.json` lists, read before the rest of the file (whose plugin ids need them). */
export function experimentPluginModules(folder: string): string[] {
  return readConfigFile(join(folder, EXPERIMENT_FILE), z.looseObject({ plugins: PluginModules.optional() })).plugins ?? [];
}

export interface ExperimentWithPlugins<Kind extends ExperimentKind> {
  loaded: LoadedExperiment<Kind>;
  /** The modules loaded (the experiment's `plugins`, then `--plugin`'s), with their hashes. */
  pluginModules: LoadedPluginModule[];
}

/**
 * Loads an experiment of `kind` with its plugin modules: the kind is checked first, then the modules the file lists
 * (relative to its folder) and `commandModules` (from `--plugin`, relative to the current folder) are loaded into
 * `registry`, and then the experiment is validated with every plugin id it names known.
 */
export async function loadExperimentWithPlugins<Kind extends ExperimentKind>(
  folder: string,
  kind: Kind,
  options: { registry: PluginRegistry; commandModules?: readonly string[] },
): Promise<ExperimentWithPlugins<Kind>> {
  // a file of another kind is refused saying which command runs it, before any module is imported
  if (experimentKindOf(folder) !== kind) loadExperimentOfKind(folder, kind);
  const pluginModules = await loadPluginModules(
    options.registry,
    [...experimentPluginModules(folder).map((specifier) => ({ specifier, from: folder })), ...(options.commandModules ?? []).map((specifier) => ({ specifier, from: process.cwd() }))],
    { relativeTo: folder },
  );
  return { loaded: loadExperimentOfKind(folder, kind, { registry: options.registry }), pluginModules };
}
