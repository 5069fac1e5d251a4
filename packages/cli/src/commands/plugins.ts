import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { closestIds, NotFoundError, PLUGIN_KINDS, type Plugin, type PluginKind, type PluginRegistry } from '@confide/core';
import { EXPERIMENT_FILE, type LoadedPluginModule } from '@confide/experiments';
import { Option, type Command } from 'commander';
import { topLevelCommand } from '../command-table.js';
import { formatTable } from '../output/format-table.js';
import { pluginOption, registryForTarget, registryWithPlugins, type PluginFlags } from '../options/plugin-modules.js';
import { describeOptions, formatOption, type OptionDescription } from './plugin-options.js';

/** What `--module` of a built-in plugin says. */
const BUILT_IN = 'built in';

interface PluginsFlags extends PluginFlags {
  experiment?: string;
  format: 'text' | 'json';
}

/** One plugin as `confide plugins` shows it. */
export interface PluginListing {
  id: string;
  kind: PluginKind;
  description: string;
  /** The user's module it came from (as provenance names it), its export, hash and file; null for Confide's own. */
  module: { name: string; export: string; sha256: string; file: string } | null;
  /** Its options (one list per alternative of a union of objects); null when its schema is neither. */
  options: OptionDescription[][] | null;
}

/** Confide's plugins, the `--plugin` modules' and, with `--experiment`, those its `plugins` lists. */
async function registryOf(flags: PluginsFlags): Promise<{ registry: PluginRegistry; pluginModules: LoadedPluginModule[] }> {
  if (flags.experiment === undefined) return registryWithPlugins(flags);
  if (!existsSync(join(resolve(flags.experiment), EXPERIMENT_FILE))) throw new NotFoundError(`plugins: --experiment ${flags.experiment}: no ${EXPERIMENT_FILE} there`);
  return registryForTarget(flags.experiment, flags);
}

/** Every plugin of the registry (of `kind`), with where it came from and its options. */
export function pluginListings(registry: PluginRegistry, pluginModules: readonly LoadedPluginModule[], kind?: PluginKind): PluginListing[] {
  return registry.list(kind).map((plugin: Plugin) => {
    const origin = registry.origin(plugin.id);
    const file = origin === undefined ? undefined : pluginModules.find((module) => module.module === origin.module)?.file;
    return {
      id: plugin.id,
      kind: plugin.kind,
      description: plugin.description,
      module: origin === undefined ? null : { name: origin.module, export: origin.exportName, sha256: origin.sha256, file: file ?? '' },
      options: describeOptions(plugin.optionsSchema) ?? null,
    };
  });
}

/** The options in a line: `a: integer = 600; b?: string`, alternatives as `(…) | (…)`; long defaults abridged (`show` has them whole). */
function optionsLine(listing: PluginListing): string {
  if (listing.options === null) return '(not an object of options)';
  const line = (options: OptionDescription[]) => (options.length === 0 ? 'none' : options.map((option) => formatOption(option, 24)).join('; '));
  return listing.options.length === 1 ? line(listing.options[0]!) : listing.options.map((options) => `(${line(options)})`).join(' | ');
}

/** `confide plugins show <id>`: the plugin, its module and every option on a line of its own. */
function formatShow(listing: PluginListing): string {
  const lines = [`${listing.id} (${listing.kind})`, `  ${listing.description}`];
  if (listing.module === null) lines.push(`  module   ${BUILT_IN} (Confide's own)`);
  else lines.push(`  module   ${listing.module.name} (export "${listing.module.export}")`, `  file     ${listing.module.file}`, `  sha256   ${listing.module.sha256}`);
  if (listing.options === null) lines.push('  options  (the schema is not an object of options)');
  else if (listing.options.every((options) => options.length === 0)) lines.push('  options  none');
  else {
    for (const [index, options] of listing.options.entries()) {
      lines.push(listing.options.length === 1 ? '  options' : `  options, alternative ${index + 1} of ${listing.options.length}`);
      const width = Math.max(...options.map((option) => option.name.length));
      for (const option of options) {
        const given = option.presence === 'default' ? `default ${JSON.stringify(option.default)}` : option.presence;
        lines.push(`    ${option.name.padEnd(width)}  ${option.type}; ${given}${option.description === undefined ? '' : `; ${option.description}`}`);
      }
    }
  }
  return lines.join('\n');
}

function addPluginFlags(command: Command): Command {
  return command
    .addOption(pluginOption())
    .option('--experiment <folder>', 'also the plugins the experiment lists in "plugins" (relative to its folder)')
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'));
}

/** `confide plugins list|show <id>`: the plugins this command knows, with their modules and options. */
export function registerPluginsCommand(program: Command): void {
  const plugins = topLevelCommand(program, 'plugins');
  addPluginFlags(plugins.command('list').description('every plugin: id, kind, the module it came from, options with their defaults'))
    .addOption(new Option('--kind <kind>', 'only plugins of this kind').choices(PLUGIN_KINDS))
    .action(async (flags: PluginsFlags & { kind?: PluginKind }) => {
      const { registry, pluginModules } = await registryOf(flags);
      const listings = pluginListings(registry, pluginModules, flags.kind);
      if (flags.format === 'json') {
        console.log(JSON.stringify(listings, null, 2));
        return;
      }
      const rows = listings.map((listing) => ({ id: listing.id, kind: listing.kind, module: listing.module?.name ?? BUILT_IN, 'options (= default)': optionsLine(listing) }));
      console.log(formatTable(rows, 160));
    });
  addPluginFlags(plugins.command('show').description('one plugin: what it does, its module, file and hash, each option with its type and default').argument('<id>', 'the plugin id, e.g. core/threshold or me/my-router'))
    .action(async (id: string, flags: PluginsFlags) => {
      const { registry, pluginModules } = await registryOf(flags);
      const listing = pluginListings(registry, pluginModules).find((candidate) => candidate.id === id);
      if (listing === undefined) {
        const close = closestIds(id, registry.ids());
        const hint = close.length > 0 ? `; did you mean ${close.map((candidate) => `"${candidate}"`).join(' or ')}?` : '';
        throw new NotFoundError(`plugins: no plugin "${id}"${hint} (a plugin of your own: --plugin <module> or --experiment <folder>)`);
      }
      console.log(flags.format === 'json' ? JSON.stringify(listing, null, 2) : formatShow(listing));
    });
}
